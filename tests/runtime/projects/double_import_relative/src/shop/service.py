from src.shop.models import User  # the same file as shop.models, under a second name


def find_user(session, user_id):
    return session.get(User, user_id)
