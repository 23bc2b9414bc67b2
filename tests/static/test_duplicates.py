"""ORM101's hints and generated reflection snapshots on small projects."""

from __future__ import annotations

from support.projects import findings_of

CUSTOMER = """
    from sqlalchemy import Column, Integer, String
    from app.db import Base

    class {name}(Base):
        __tablename__ = "customers"
        id = Column(Integer, primary_key=True)
{extra}"""
MORE = "        email = Column(String(255))\n        phone = Column(String(40))\n"


def test_import_hint_never_names_a_file_that_still_defines_a_copy(tmp_path):
    files = {
        "app/customer.py": CUSTOMER.format(name="Customer", extra=""),
        # the fullest version lives next to another copy of the same table: importing it from
        # there would still run both class statements
        "app/crm.py": CUSTOMER.format(name="Customer", extra=MORE) + CUSTOMER.format(name="Client", extra=MORE)
        .split("from app.db import Base\n", 1)[1],
        "app/main.py": "from app import customer\nfrom app import crm  # noqa: F401,E402\n",
    }
    found = findings_of(tmp_path, files, "ORM101")
    assert [f.subject for f in found] == ["customers"]
    assert "from app.crm import" not in found[0].hint
    assert "keep one of the classes in app/crm.py" in found[0].hint
