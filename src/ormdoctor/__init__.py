"""ormdoctor: diagnose and repair SQLAlchemy-family model layers."""

__version__ = "0.1.0"
