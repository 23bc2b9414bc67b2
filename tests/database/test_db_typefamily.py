"""type_family: SQLAlchemy, SQLModel, PostgreSQL and annotation spellings map to one family."""

import pytest

from ormdoctor.typefamily import families_differ, same_family, type_family

CASES = {
    "integer": ["Integer", "BigInteger", "SmallInteger", "INTEGER", "BIGINT", "int", "SERIAL",
                "BIGSERIAL", "sa.Integer", "sqlalchemy.Integer()", "Optional[int]", "int | None",
                "Mapped[int]", "Mapped[Optional[int]]", "Mapped['int']"],
    "string": ["String(50)", "VARCHAR(255)", "Text", "TEXT", "str", "Unicode", "CHAR(2)",
               "CHARACTER VARYING(20)", "AutoString", "Mapped[str | None]",
               "Annotated[str, mapped_column(String(30))]"],
    "uuid": ["Uuid", "UUID", "UUID(as_uuid=True)", "postgresql.UUID", "uuid.UUID",
             "sqlalchemy.dialects.postgresql.UUID(as_uuid=True)", "Mapped[uuid.UUID]"],
    "boolean": ["Boolean", "BOOLEAN", "bool", "Optional[bool]"],
    "numeric": ["Numeric(10,2)", "NUMERIC(10, 2)", "Float", "DECIMAL", "float", "Decimal",
                "decimal.Decimal", "DOUBLE PRECISION", "REAL"],
    "datetime": ["DateTime", "DateTime(timezone=True)", "TIMESTAMP WITHOUT TIME ZONE",
                 "TIMESTAMP(6) WITH TIME ZONE", "datetime", "datetime.datetime",
                 "Mapped[Optional[datetime.datetime]]"],
    "date": ["Date", "DATE", "date", "datetime.date"],
    "time": ["Time", "TIME WITHOUT TIME ZONE", "datetime.time"],
    "interval": ["Interval", "INTERVAL", "timedelta"],
    "json": ["JSON", "JSONB", "dict", "Dict[str, Any]", "Mapped[dict[str, Any]]"],
    "binary": ["LargeBinary", "BYTEA", "bytes", "BLOB"],
    "enum": ["Enum(Status)", "sa.Enum('a', 'b', name='status')",
             "ENUM('pending', 'confirmed', name='booking_status')"],
    "array": ["ARRAY(Integer)", "postgresql.ARRAY(String)", "INTEGER[]", "TEXT[]"],
}


@pytest.mark.parametrize("family,name", [(f, n) for f, names in CASES.items() for n in names])
def test_type_family(family, name):
    assert type_family(name) == family


@pytest.mark.parametrize("name", [
    "", "None", "Customer", '"Customer"', "list[str]", "Union[int, str]", "int | str",
    "Mapped[list['Address']]", "Geometry", "NullType()",
])
def test_unknown_types_have_no_family(name):
    assert type_family(name) is None


def test_same_family_needs_both_known_and_equal():
    assert same_family("Integer", "SERIAL")
    assert same_family("Mapped[uuid.UUID]", "UUID")
    assert not same_family("Integer", "UUID")
    assert not same_family("Geometry", "Geometry")  # unknown is never "the same"


def test_families_differ_only_when_both_known():
    assert families_differ("Integer", "UUID(as_uuid=True)")
    assert families_differ("int", "VARCHAR(36)")
    assert not families_differ("BigInteger", "INTEGER")
    assert not families_differ("Integer", "Geometry")

