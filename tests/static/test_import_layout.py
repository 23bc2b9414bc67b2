"""The import layout kept between two runs (``check --watch``): a run that reuses it reports
exactly what a run building everything reports, and any change it could depend on builds it again."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from ormdoctor.config import load_config
from ormdoctor.inventory.build import inventory_from_facts
from ormdoctor.inventory.coverage import coverage
from ormdoctor.pipeline import RunMemory, analyse, prepare
from ormdoctor.project.discover import discover
from ormdoctor.rules.engine import run_rules
from ormdoctor.rules.registry import load_rules
from ormdoctor.static.facts import ImportFact, Pos
from ormdoctor.static.scan import scan
from support.golden import finding_dict, fixture_dirs, fixture_id
from support.projects import USER_AND_POST, write_project

FIXTURES = fixture_dirs()
SETTINGS = ("settings as pipeline._config_state gives them",)


def _facts(project):
    config = load_config(project, None)
    return config, scan(project, discover(project, config.include, config.exclude), use_cache=False)


def _result(inventory, config) -> tuple:
    findings = [finding_dict(f) for f in run_rules(inventory, config, set(load_rules()))]
    modules = {p: (m.name, sorted(n for n, _ in m.names)) for p, m in inventory.modules.items()}
    return findings, modules, [r.path for r in inventory.roots], coverage(inventory).as_dict()


def _edit_class_bodies(facts: list) -> list:
    """Other facts of the same import shape: each class loses its last column and moves down a
    line, as editing a model does."""
    edited = copy.deepcopy(facts)
    for item in edited:
        for cls in item.classes:
            cls.columns = cls.columns[:-1]
            cls.pos = Pos(cls.pos.line + 1, cls.pos.column)
        item.noqa = {}
    return edited


@pytest.mark.parametrize("project", FIXTURES, ids=[fixture_id(p) for p in FIXTURES])
def test_a_run_reusing_the_layout_reports_what_a_fresh_run_reports(project):
    config, facts = _facts(project)
    first = inventory_from_facts(project, config, facts, None, SETTINGS)
    run_rules(first, config, set(load_rules()))  # what the rules derive from the imports is kept too
    layout = first.layout
    edited = _edit_class_bodies(facts)
    reused = inventory_from_facts(project, config, edited, layout, SETTINGS)
    assert reused.layout is layout and reused.graph is layout.graph
    fresh = inventory_from_facts(project, config, copy.deepcopy(edited))
    assert _result(reused, config) == _result(fresh, config)


@pytest.mark.parametrize("project", FIXTURES, ids=[fixture_id(p) for p in FIXTURES])
def test_a_run_reusing_what_the_previous_run_resolved_reports_what_a_fresh_run_reports(project):
    """As a watch sees it: the files edited are read again, the others are the same objects,
    and what the previous run (its rules included) resolved for them is used again."""
    config, facts = _facts(project)
    first = inventory_from_facts(project, config, facts, None, SETTINGS)
    run_rules(first, config, set(load_rules()))
    edited = [_edit_class_bodies([f])[0] if f.classes else f for f in facts]
    reused = inventory_from_facts(project, config, edited, first.layout, SETTINGS)
    assert reused.layout is first.layout
    assert reused.resolver._locals is first.layout.resolved[1]
    fresh = inventory_from_facts(project, config, copy.deepcopy(edited))
    assert _result(reused, config) == _result(fresh, config)


def test_the_edit_of_the_previous_test_changes_the_findings_of_many_fixtures():
    """The equality above is not trivial: the edited class bodies change what is reported."""
    changed = []
    for project in FIXTURES:
        config, facts = _facts(project)
        before = _result(inventory_from_facts(project, config, facts), config)[0]
        if _result(inventory_from_facts(project, config, _edit_class_bodies(facts)), config)[0] != before:
            changed.append(fixture_id(project))
    assert len(changed) >= 40, changed  # 51 of 182 when this was written


def _with(facts: list, path: str, **changes) -> list:
    return [dataclasses.replace(f, **changes) if f.path == path else f for f in facts]


@pytest.mark.parametrize("change", ["import", "class name", "module object", "file gone", "settings"])
def test_anything_the_layout_depends_on_builds_it_again(tmp_path, change):
    project = write_project(tmp_path, USER_AND_POST)
    config, facts = _facts(project)
    layout = inventory_from_facts(project, config, facts, None, SETTINGS).layout
    post = next(f for f in facts if f.path == "app/models/post.py")
    settings = SETTINGS
    if change == "import":
        edited = _with(facts, post.path, imports=post.imports + [ImportFact("app.models.user", 0, [("User", None)], None,
                                                                             "module", Pos(4, 1), True)])
    elif change == "class name":
        classes = copy.deepcopy(post.classes)
        classes[0].name = "Article"
        edited = _with(facts, post.path, classes=classes)
    elif change == "module object":
        db = next(f for f in facts if f.path == "app/db.py")
        edited = _with(facts, db.path, objects=db.objects[:-1] if db.objects else [])
        edited = edited if edited[facts.index(db)].objects != db.objects else _with(facts, db.path, has_main_block=True)
    elif change == "file gone":
        edited = [f for f in facts if f.path != post.path]
    else:
        edited, settings = facts, ("another pyproject.toml",)
    assert not layout.fits(settings, edited)
    rebuilt = inventory_from_facts(project, config, edited, layout, settings)
    assert rebuilt.layout is not layout
    assert _result(rebuilt, config) == _result(inventory_from_facts(project, config, edited), config)


def test_a_memory_run_after_a_model_edit_keeps_the_layout_and_reports_the_new_finding(tmp_path):
    """The whole pipeline as ``check --watch`` runs it: the edited file is read again, the
    others come from memory, and the layout is kept."""
    project = write_project(tmp_path, USER_AND_POST)
    memory = RunMemory()
    first = analyse([str(project)], reuse_result=True, memory=memory)
    layout, user = memory.layout, memory.facts["app/models/user.py"]
    assert layout is not None and not [f for f in first.findings if "user.id" in f.message]
    _edit_reuses_the_memory_and_equals_a_fresh_run(project, memory, layout, user)


def test_what_an_edited_file_bound_is_resolved_again_on_the_kept_layout(tmp_path):
    """The class `Base` moves below the statement that rebinds the name: the import layout is
    the same (same names, same imports, the object on the same line), but the name `Base` in
    that file now denotes the plain class, so `User` is no model any more."""
    header = "from sqlalchemy import Column, Integer\nfrom sqlalchemy.orm import declarative_base\n"
    model = "class User(Base):\n    __tablename__ = 'users'\n    id = Column(Integer, primary_key=True)\n"
    before = header + "class Base:\n    pass\nBase = declarative_base()\n" + model
    after = header + "# the class moved\n# below\nBase = declarative_base()\nclass Base:\n    pass\n" + model
    path = tmp_path / "models.py"
    path.write_text(before)
    memory = RunMemory()
    assert analyse([str(tmp_path)], memory=memory).scope["models"] == 1
    layout = memory.layout
    path.write_text(after)
    again = analyse([str(tmp_path)], memory=memory)
    assert memory.layout is layout
    assert again.scope["models"] == 0 == analyse([str(tmp_path)], use_cache=False).scope["models"]


def _edit_reuses_the_memory_and_equals_a_fresh_run(project, memory, layout, user) -> None:
    """A foreign key to a misspelled table added to a model: the next memory run keeps the
    layout and the other files' facts, and reports what a run building everything reports."""
    model = project / "app/models/post.py"
    model.write_text(model.read_text().replace('    author_id = Column(ForeignKey("users.id"))\n',
                                               '    author_id = Column(ForeignKey("users.id"))\n'
                                               '    editor_id = Column(ForeignKey("user.id"))\n'))
    edited = analyse([str(project)], reuse_result=True, memory=memory)
    assert memory.layout is layout and memory.facts["app/models/user.py"] is user
    fresh = analyse([str(project)], use_cache=False)
    assert [finding_dict(f) for f in edited.findings] == [finding_dict(f) for f in fresh.findings]
    assert any("user.id" in f.message for f in edited.findings)


def test_a_watch_that_started_from_the_stored_result_prepares_its_memory_while_it_waits(tmp_path):
    """A watch started on an unchanged tree answers from the stored result and builds nothing;
    while it waits, ``prepare`` reads the facts and builds the layout, so that the first edit
    reuses them, and still reports what a fresh run reports."""
    project = write_project(tmp_path, USER_AND_POST)
    analyse([str(project)], reuse_result=True)  # an earlier one-shot run stored the result
    memory = RunMemory()
    started = analyse([str(project)], reuse_result=True, memory=memory)
    assert started.inventory is None and memory.layout is None  # answered from the stored result
    prepare(memory, [str(project)])
    layout, user = memory.layout, memory.facts.get("app/models/user.py")
    assert layout is not None and user is not None
    prepare(memory, [str(project)])
    assert memory.layout is layout  # prepared once: the runs keep it up to date from then on
    _edit_reuses_the_memory_and_equals_a_fresh_run(project, memory, layout, user)


def test_prepare_leaves_a_project_it_cannot_check_to_the_next_run(tmp_path):
    memory = RunMemory()
    prepare(memory, [str(tmp_path)])  # no Python file: the run reports it, prepare stays quiet
    assert memory.layout is None and memory.facts == {}


def test_a_memory_run_freezes_nothing_so_that_what_it_leaves_behind_can_be_collected(tmp_path, monkeypatch):
    """A one-shot run freezes its survivors (the process exits); ``check --watch`` runs again
    and again, and frozen leftovers of each run would pile up (120 MB a run at 16k files)."""
    import gc

    import ormdoctor.pipeline

    project = write_project(tmp_path, USER_AND_POST)
    monkeypatch.setattr(ormdoctor.pipeline, "LARGE_RUN", -1)  # every run counts as large
    try:
        frozen = gc.get_freeze_count()
        analyse([str(project)], use_cache=False, memory=RunMemory())
        assert gc.get_freeze_count() == frozen
        analyse([str(project)], use_cache=False)
        assert gc.get_freeze_count() > frozen  # the one-shot run does freeze: the test can fail
    finally:
        gc.unfreeze()
