"""Facts survive the cache's JSON unchanged: the facts of every fixture file, decoded from their
stored form, equal the extracted ones. JSON keys are strings, so a field declared
``dict[int, ...]`` (suppression comments by line) must come back with int keys: with string
keys every suppression in a cached or worker-scanned file was lost, and ORM004 crashed."""

from __future__ import annotations

from pathlib import Path

import pytest

from ormdoctor.static import codec
from ormdoctor.static.cache import storable
from ormdoctor.static.facts import FileFacts
from ormdoctor.static.scan import extract_file

TESTS = Path(__file__).resolve().parents[1]
FILES = sorted(p for folder in ("fixtures", "runtime/projects", "fix") for p in (TESTS / folder).rglob("*.py")
               if ".ormdoctor_cache" not in p.parts)


def test_a_file_with_suppressions_round_trips():
    assert len(FILES) > 300
    source = (b"# ormdoctor: ignore-file[ORM202]\nfrom sqlalchemy import Column, Integer\n\n"
              b"class A(Base):\n    __tablename__ = 'a'  # noqa: ORM101\n    id = Column(Integer, primary_key=True)\n")
    facts = extract_file("a.py", source, "digest")
    assert facts.noqa == {0: ["ORM202"], 5: ["ORM101"]}
    assert codec.loads(storable(facts), FileFacts) == facts


@pytest.mark.parametrize("chunk", range(4))
def test_stored_facts_decode_to_the_extracted_ones(chunk):
    for path in FILES[chunk::4]:
        rel = path.relative_to(TESTS).as_posix()
        facts = extract_file(rel, path.read_bytes(), "digest")
        stored = storable(facts)
        if stored is None:
            continue
        assert codec.loads(stored, FileFacts) == facts, rel


def test_suppressions_keep_their_line_numbers():
    facts = FileFacts(path="a.py", digest="d", noqa={0: ["*"], 7: ["ORM105"]})
    decoded = codec.loads(codec.dumps(facts), FileFacts)
    assert decoded.noqa == {0: ["*"], 7: ["ORM105"]}
    assert all(type(line) is int for line in decoded.noqa)


def test_a_key_that_is_not_a_number_does_not_fit():
    stored = codec.dumps(FileFacts(path="a.py", digest="d", noqa={7: ["ORM1"]})).replace('{"7":["ORM1"]}', '{"x":["ORM1"]}')
    assert '"x"' in stored
    with pytest.raises(codec.CodecError):
        codec.loads(stored, FileFacts)


def test_empty_containers_decode_to_fresh_objects_of_their_type():
    """Empty dicts and tuples skip their decoder (most are empty): each decoded object still gets
    its own dict, and a bare ``tuple`` field stays a tuple."""
    from ormdoctor.static.facts import ImportFact, Pos

    stored = codec.dumps(FileFacts(path="a.py", digest="d", imports=[ImportFact("m", 0, [], None, "module", Pos(1, 1))]))
    first, second = codec.loads(stored, FileFacts), codec.loads(stored, FileFacts)
    first.constants["X"] = "x"
    first.noqa[1] = ["*"]
    assert second.constants == {} and second.noqa == {}
    assert first.imports[0].branch == () and type(first.imports[0].branch) is tuple
