def write_revision(plan, folder):
    raise NotImplementedError
