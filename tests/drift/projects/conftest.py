# The projects below are models to analyse and databases to build, not tests: never collect them.
collect_ignore_glob = ["*"]
