"""Import roots from evidence, the way Python gets them, in monorepos too; packages beat modules;
malformed settings of other tools are ignored, never a crash."""

from __future__ import annotations

import subprocess
import sys

import pytest
from support.projects import USER_AND_POST, write_project

from ormdoctor.pipeline import analyse

BASE = """
from sqlalchemy.orm import DeclarativeBase

class Base(DeclarativeBase):
    pass
"""

USER = """
from sqlalchemy import Column, Integer
from models.base import Base

class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
"""

# apps/backend/src holds an __init__.py: no folder walk takes it for a root, only evidence does.
MONOREPO = {
    "apps/backend/src/__init__.py": "",
    "apps/backend/src/models/__init__.py": "",
    "apps/backend/src/models/base.py": BASE,
    "apps/backend/src/models/user.py": USER,
}


def coverage(root):
    return analyse([str(root)], use_cache=False).summary()["coverage"]


def roots(root):
    return {r.path: r.reason for r in analyse([str(root)], use_cache=False).inventory.roots}


def test_without_evidence_the_models_are_unseen(tmp_path):
    assert coverage(write_project(tmp_path, MONOREPO))["resolved"] == 0


def test_dockerfile_workdir_maps_back_through_copy(tmp_path):
    files = {**MONOREPO, "apps/backend/Dockerfile": "FROM python:3.12\nWORKDIR /srv\nCOPY requirements.txt .\n"
                                                     "COPY src/ /srv/\nCMD uvicorn main:app\n",
             "apps/backend/requirements.txt": "sqlalchemy\n"}
    root = write_project(tmp_path, files)
    assert coverage(root)["resolved"] == 1
    assert roots(root)["apps/backend/src"] == "WORKDIR /srv in apps/backend/Dockerfile"


def test_dockerfile_pythonpath_and_a_copy_of_the_package_folder(tmp_path):
    # full-stack-fastapi-template: COPY ./app /app/app with PYTHONPATH=/app → backend/ is the root
    files = {"backend/app/__init__.py": "", "backend/app/models.py": USER.replace("models.base", "app.base"),
             "backend/app/base.py": BASE, "backend/__init__.py": "",
             "backend/Dockerfile": "FROM python:3.12\nENV PYTHONPATH=/app\nWORKDIR /app/\nCOPY ./app /app/app\n"}
    root = write_project(tmp_path, files)
    assert coverage(root)["resolved"] == 1
    assert roots(root)["backend"] == "ENV PYTHONPATH /app in backend/Dockerfile"


def test_a_subproject_pyproject_and_its_pytest_pythonpath(tmp_path):
    files = {**MONOREPO, "apps/backend/pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["src"]\n'}
    root = write_project(tmp_path, files)
    assert coverage(root)["resolved"] == 1
    assert roots(root)["apps/backend"] == "pyproject.toml in apps/backend/"
    assert roots(root)["apps/backend/src"] == "pytest pythonpath in pyproject.toml (apps/backend/)"


def test_an_entry_scripts_own_folder_is_a_root_even_with_an_init(tmp_path):
    files = {"backend/__init__.py": "", "backend/src/__init__.py": "",
             "backend/src/database.py": BASE,
             "backend/src/models.py": USER.replace("models.base", "src.database"),
             "backend/app.py": "from flask import Flask\nfrom src.models import User\n\napp = Flask(__name__)\n"}
    root = write_project(tmp_path, files)
    assert coverage(root)["resolved"] == 1
    assert roots(root)["backend"].startswith("folder of the script backend/app.py")


def test_sys_path_insert_of_a_variable_built_from_file(tmp_path):
    files = {**MONOREPO, "scripts/seed.py": """
        import sys
        from pathlib import Path

        ROOT = Path(__file__).resolve().parents[1]
        sys.path.insert(0, str(ROOT / "apps" / "backend" / "src"))

        from models.user import User
    """}
    root = write_project(tmp_path, files)
    assert coverage(root)["resolved"] == 1
    assert roots(root)["apps/backend/src"] == "sys.path change in scripts/seed.py"


def test_a_package_beats_the_module_beside_it(tmp_path):
    files = {
        "app/models.py": "# left over from before the split\n",
        "app/models/__init__.py": "from app.models.user import User\nfrom app.models.post import Post\n",
        **USER_AND_POST,
        "app/main.py": "from fastapi import FastAPI\nfrom app.models import User\n\napp = FastAPI()\n",
    }
    analysis = analyse([str(write_project(tmp_path, files))], use_cache=False)
    assert [f.code for f in analysis.findings] == []
    assert analysis.inventory.modules["app/models.py"].names == []


@pytest.mark.parametrize("pyproject", [
    "[tool.poetry]\npackages = 5\n",
    "[tool.poetry]\npackages = [5, {from = 3}, {include = 'x'}]\n",
    "[tool.setuptools]\npackages = {find = 3}\npackage-dir = 'src'\n",
    "[tool.setuptools.packages.find]\nwhere = 'src'\n",
    "[tool.pytest]\nini_options = 'x'\n",
    "[tool.pytest.ini_options]\npythonpath = 7\ntestpaths = {a = 1}\n",
    "tool = 5\n",
])
def test_malformed_settings_of_other_tools_are_ignored(tmp_path, pyproject):
    root = write_project(tmp_path, {**MONOREPO, "pyproject.toml": pyproject})
    result = subprocess.run([sys.executable, "-m", "ormdoctor", "check", str(root), "--no-cache"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr


@pytest.mark.parametrize("expr", ["parents[10**12]", "parents[-1]", "parents['x']", "parents[1.5]",
                                  "parents[99999999999999999999]", "parent.parent.parent.parent.parent.parent"])
def test_crafted_sys_path_changes_never_crash(tmp_path, expr):
    files = {**MONOREPO, "conftest.py": f"import sys\nfrom pathlib import Path\n"
                                        f"sys.path.insert(0, str(Path(__file__).{expr} / 'x'))\n"}
    result = subprocess.run([sys.executable, "-m", "ormdoctor", "check", str(write_project(tmp_path, files)),
                             "--no-cache"], capture_output=True, text=True, timeout=120)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr


def test_modules_are_named_the_way_the_program_imports_them(tmp_path):
    # No package is installed: the app imports `src.shop...` (run from the repository root), so
    # the hint must too, even for the module nothing imports yet.
    files = {
        "src/shop/__init__.py": "", "src/shop/models/__init__.py": "",
        "src/shop/db.py": BASE,
        "src/shop/models/user.py": """
            from sqlalchemy import Column, Integer
            from sqlalchemy.orm import relationship
            from src.shop.db import Base

            class User(Base):
                __tablename__ = "users"
                id = Column(Integer, primary_key=True)
                posts = relationship("Post")
        """,
        "src/shop/models/post.py": """
            from sqlalchemy import Column, ForeignKey, Integer
            from src.shop.db import Base

            class Post(Base):
                __tablename__ = "posts"
                id = Column(Integer, primary_key=True)
                user_id = Column(ForeignKey("users.id"))
        """,
        "main.py": "from fastapi import FastAPI\nfrom src.shop.models.user import User\n\napp = FastAPI()\n",
    }
    analysis = analyse([str(write_project(tmp_path, files))], use_cache=False)
    [missing] = [f for f in analysis.findings if f.code == "ORM304"]
    assert "src.shop.models.post" in missing.hint and "`from shop." not in missing.hint
    assert analysis.inventory.modules["src/shop/models/user.py"].name == "src.shop.models.user"


def test_each_service_imports_its_own_project_package(tmp_path):
    # services/users and services/scores each run from their own folder and each have `project`
    service = "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n"
    files = {}
    for name, table in (("users", "users"), ("scores", "scores")):
        files |= {
            f"services/{name}/manage.py": "from project import create_app\n\napp = create_app()\n"
                                          "if __name__ == '__main__':\n    app.run()\n",
            f"services/{name}/project/__init__.py": service + "\ndef create_app():\n    from project.api import models\n",
            f"services/{name}/project/api/__init__.py": "",
            f"services/{name}/project/api/models.py": f"""
                from project import db

                class Thing(db.Model):
                    __tablename__ = "{table}"
                    id = db.Column(db.Integer, primary_key=True)
            """,
        }
    analysis = analyse([str(write_project(tmp_path, files))], use_cache=False)
    assert analysis.summary()["coverage"]["resolved"] == 2
    assert sorted(t.name for t in analysis.inventory.tables) == ["scores", "users"]
    assert not [f for f in analysis.findings if f.severity.value == "error"]


def test_a_base_from_a_factory_call_is_reported_as_such(tmp_path):
    files = {"app/models.py": """
        from sqlalchemy.orm import Mapped, mapped_column
        from plugin_data import get_plugin_data

        Model = get_plugin_data().Model

        class User(Model):
            __tablename__ = "users"
            id: Mapped[int] = mapped_column(primary_key=True)
    """}
    analysis = analyse([str(write_project(tmp_path, files))], use_cache=False)
    assert analysis.summary()["coverage"]["unresolved"] == {"base made by a call ormdoctor cannot follow": 1}
    [warning] = [f for f in analysis.findings if f.code == "ORM003"]
    assert "ormdoctor check --import" in warning.hint and "roots =" not in warning.hint


def test_a_changed_dockerfile_invalidates_the_cached_result(tmp_path):
    root = write_project(tmp_path, {**MONOREPO, "apps/backend/Dockerfile": "FROM python\nWORKDIR /srv\n"})
    first = analyse([str(root)], reuse_result=True).summary()["coverage"]
    (root / "apps/backend/Dockerfile").write_text("FROM python\nWORKDIR /srv\nCOPY src/ /srv/\n")
    second = analyse([str(root)], reuse_result=True).summary()["coverage"]
    assert (first["resolved"], second["resolved"]) == (0, 1)
