"""Runtime truth: import the project's models in its own interpreter and report what really happened.

``run_tracer`` runs ``tracer.py`` in a subprocess (nothing of the project is imported here) and returns
a ``RuntimeReport``; ``to_findings`` turns it into findings with ``source="import"``.
"""

from .findings import to_findings
from .report import RuntimeReport, VerifyReport
from .runner import RuntimeUnavailable, find_interpreter, run_tracer

__all__ = ["RuntimeReport", "RuntimeUnavailable", "VerifyReport", "find_interpreter", "run_tracer", "to_findings"]
