"""The parts of the tracer that run inside the project's interpreter.

``tracer.py`` loads this package by file path under a private name, so these modules may import only the
standard library and the project's own SQLAlchemy, and must stay valid on Python 3.8 (the oldest
interpreter a project may bring). ormdoctor's own process never imports them.
"""
