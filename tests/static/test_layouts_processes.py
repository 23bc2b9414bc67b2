"""Processes as they run: application factories load what they import, scripts without a
`__main__` guard are programs, a router module nothing mounts is not a program."""

from __future__ import annotations

from support.projects import USER_AND_POST, findings_of

MODELS = {
    "app/models/__init__.py": "",
    **USER_AND_POST,
    "app/factory.py": """
        from flask import Flask

        def create_app():
            app = Flask(__name__)
            from app.models import post, user  # noqa: F401  (registers every model)
            return app
    """,
}


def test_an_app_factory_loads_the_models_it_imports_in_the_program_that_calls_it(tmp_path):
    files = {**MODELS, "wsgi.py": """
        from app.factory import create_app
        from app.models.user import User  # for the shell context

        app = create_app()
    """}
    assert findings_of(tmp_path, files, "ORM304") == []


def test_without_the_factory_the_missing_import_is_still_found(tmp_path):
    files = {**MODELS, "wsgi.py": """
        from flask import Flask
        from app.models.user import User

        app = Flask(__name__)
    """}
    [missing] = findings_of(tmp_path, files, "ORM304")
    assert missing.subject == "User.posts" and "wsgi.py" in missing.message


def test_a_script_without_a_main_guard_is_a_program(tmp_path):
    files = {**MODELS, "scripts/report.py": """
        from sqlalchemy import Column, ForeignKey, Integer, create_engine
        from sqlalchemy.orm import relationship
        from app.db import Base

        class Report(Base):
            __tablename__ = "reports"
            id = Column(Integer, primary_key=True)
            user_id = Column(ForeignKey("users.id"))
            user = relationship("User")

        Base.metadata.create_all(create_engine("sqlite://"))
    """}
    missing = findings_of(tmp_path, files, "ORM304")
    assert sorted(f.subject for f in missing) == ["Report.user", "reports.user_id"]
    assert all("which scripts/report.py never loads" in f.message for f in missing)


def test_a_module_of_models_nothing_runs_is_not_a_program(tmp_path):
    files = {**MODELS, "scripts/report.py": """
        from sqlalchemy import Column, ForeignKey, Integer
        from sqlalchemy.orm import relationship
        from app.db import Base

        class Report(Base):
            __tablename__ = "reports"
            id = Column(Integer, primary_key=True)
            user_id = Column(ForeignKey("users.id"))
            user = relationship("User")
    """}
    assert findings_of(tmp_path, files, "ORM304") == []


def test_a_router_module_nothing_mounts_is_not_a_program(tmp_path):
    files = {**MODELS, "app/routes/items.py": """
        from fastapi import APIRouter
        from app.models.user import User

        router = APIRouter()

        @router.get("/users")
        def users():
            return User
    """}
    assert findings_of(tmp_path, files, "ORM304") == []


def test_roots_command_says_what_was_inferred_and_why(tmp_path):
    import json
    import subprocess
    import sys

    from support.projects import write_project

    files = {**MODELS, "wsgi.py": "from app.factory import create_app\n\napp = create_app()\n",
             "app/routes/items.py": "from fastapi import APIRouter\nfrom app.models.user import User\n\n"
                                    "router = APIRouter()\n",
             "backend/Dockerfile": "FROM python\nWORKDIR /code\nCOPY . .\n", "backend/main.py": "print(1)\n"}
    root = write_project(tmp_path, files)

    def cli(*args):
        result = subprocess.run([sys.executable, "-m", "ormdoctor", *args, str(root), "--no-cache"],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    settings = json.loads(cli("roots", "--format", "json"))
    assert {"path": "backend", "reason": "WORKDIR /code in backend/Dockerfile", "source": "backend/Dockerfile:2"} \
        in settings["roots"]
    wsgi = next(p for p in settings["processes"] if p["label"] == "wsgi.py")
    assert wsgi["entry_point"] and wsgi["program"]
    assert wsgi["started_by_factory"] == ["app/models/post.py", "app/models/user.py"]
    routes = next(p for p in settings["processes"] if p["label"] == "app/routes/items.py")
    assert not routes["entry_point"] and "only defines routes" in routes["why"]
    assert settings["coverage"] == {"looks_mapped": 2, "resolved": 2, "explained": 0, "unresolved": {}}
    text = cli("check", "--show-settings")
    assert "Import roots (" in text and "  backend  WORKDIR /code in backend/Dockerfile" in text
    assert "wsgi.py: entry point; nothing imports it; it creates an application" not in text  # wsgi calls a factory
    assert "wsgi.py: entry point; nothing imports it; it is named like an entry point" in text
    assert "Coverage: 2 of 2 classes that look mapped resolved" in text


def test_a_private_attribute_of_a_class_that_is_no_model_is_not_a_misspelling(tmp_path):
    files = {"app/store.py": """
        from pydantic import BaseModel, PrivateAttr
        from sqlmodel import SQLModel

        class VectorStore(BaseModel):
            _table_name: str = PrivateAttr()
            _session: object = PrivateAttr()
    """, "app/models.py": """
        from sqlalchemy import Column, Integer
        from app.db import Base

        class Chunk(Base):
            _table_name = "chunks"
            id = Column(Integer, primary_key=True)
    """}
    assert [f.subject for f in findings_of(tmp_path, files, "ORM402")] == ["Chunk._table_name"]


def test_an_imported_module_with_a_main_block_is_also_a_program(tmp_path):
    # examples/*/app.py run as `python app.py`, each imported by its own seed.py: four programs
    # with their own Base never meet, so the same table in each is no collision
    files = {}
    for name in ("one", "two"):
        files |= {
            f"examples/{name}/__init__.py": "",
            f"examples/{name}/pyproject.toml": f'[project]\nname = "{name}"\n',
            f"examples/{name}/app.py": """
                from sqlalchemy import Column, Integer
                from sqlalchemy.orm import declarative_base
                from starlette.applications import Starlette

                Base = declarative_base()

                class Article(Base):
                    __tablename__ = "articles"
                    id = Column(Integer, primary_key=True)

                app = Starlette()

                if __name__ == "__main__":
                    import uvicorn
                    uvicorn.run(app)
            """,
            f"examples/{name}/seed.py": "from app import Article\n\nROWS = [Article(id=1)]\n",
        }
    assert findings_of(tmp_path, files, "ORM102") == []
