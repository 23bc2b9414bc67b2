"""ormdoctor: diagnose and repair SQLAlchemy-family model layers.

``ormdoctor.check(path)`` returns the findings (see ``ormdoctor.api``). The names are loaded on
first use, so ``import ormdoctor`` (which the command line and the pytest plugin do) stays cheap.
"""

__version__ = "0.1.0"

_API = ("check", "Finding", "Location", "Related", "Fix", "Severity", "Applicability", "UsageError")
__all__ = ["__version__", "api", *_API]


def __getattr__(name: str):
    if name in _API or name == "api":
        import importlib

        api = importlib.import_module("ormdoctor.api")
        return api if name == "api" else getattr(api, name)
    raise AttributeError(f"module 'ormdoctor' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(__all__))
