"""The pytest plugin (entry point ``pytest11``): ``pytest --ormdoctor`` adds one test item,
``ormdoctor``, that fails with the findings of ``ormdoctor check`` on the rootdir.

ini options (``[tool.pytest.ini_options]``): ``ormdoctor_paths`` (what to check, default: the
rootdir), ``ormdoctor_fail_level`` (error, warning or info: the least severe finding that fails
the item, default error). The fixture ``ormdoctor_check`` is ``ormdoctor.check`` with the rootdir
as its default path, for a test of your own:

    def test_models_are_clean(ormdoctor_check):
        assert ormdoctor_check(ignore=["ORM108"]) == []

Loading the plugin costs nothing: ormdoctor itself is imported when the item runs.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("ormdoctor")
    group.addoption("--ormdoctor", action="store_true", default=False,
                    help="check the SQLAlchemy model layer with ormdoctor (one extra test item)")
    parser.addini("ormdoctor_paths", type="paths", default=[], help="what ormdoctor checks (default: rootdir)")
    parser.addini("ormdoctor_fail_level", default="error",
                  help="least severe finding that fails the ormdoctor item: error, warning or info")


def pytest_collection_modifyitems(session, config, items):
    if config.getoption("ormdoctor"):
        items.insert(0, OrmdoctorItem.from_parent(session, name="ormdoctor"))


class OrmdoctorError(Exception):
    """The findings that fail the item."""


class OrmdoctorItem(pytest.Item):
    def runtest(self):
        from ormdoctor.commands.check import exit_status
        from ormdoctor.pipeline import analyse
        from ormdoctor.report.text import render_text

        level = self.config.getini("ormdoctor_fail_level")
        if level not in ("error", "warning", "info"):
            raise pytest.UsageError(f"ormdoctor_fail_level must be error, warning or info, not {level!r}")
        reports = []
        for path in self.config.getini("ormdoctor_paths") or [self.config.rootpath]:
            analysis = analyse([str(path)], reuse_result=True)
            if exit_status(analysis.findings, level):
                reports.append(render_text(analysis.findings, analysis.summary()))
        if reports:
            raise OrmdoctorError("\n".join(reports))

    def repr_failure(self, excinfo, style=None):
        if excinfo.errisinstance(OrmdoctorError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.config.rootpath, None, "ormdoctor check"


@pytest.fixture
def ormdoctor_check(request):
    """``ormdoctor.check`` with the rootdir as the default path."""
    from ormdoctor.api import check

    def run(path=None, **options):
        return check(path or request.config.rootpath, **options)

    return run
