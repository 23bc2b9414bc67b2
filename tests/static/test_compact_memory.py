"""The memory-saving representations answer exactly what the plain ones do.

* A process loading few modules of a large tree keeps the sorted positions instead of a bitset
  (inventory/graph.py): ``members``, ``loads`` and ``positions`` must agree with the bitset form.
* The facts decoder hands out one object per distinct position and per distinct plain tuple
  (static/codec.py): decoding must still give back equal facts, and nothing shared may differ.
"""

from __future__ import annotations

import random
from array import array
from pathlib import Path

from ormdoctor.inventory.graph import Process, as_bits, bit_indices, bits_of
from ormdoctor.static import codec
from ormdoctor.static.scan import extract_file


def test_a_process_kept_as_positions_answers_like_its_bitset():
    rng = random.Random(7)
    for _ in range(200):
        positions = sorted(rng.sample(range(5000), rng.randint(1, 40)))
        bits = bits_of(positions, 5000)
        compact, plain = Process("a.py", ["a.py"], array("I", positions)), Process("a.py", ["a.py"], bits)
        assert compact.members == plain.members == bits
        probe = rng.sample(range(5100), 300) + positions
        assert [compact.loads(i) for i in probe] == [plain.loads(i) for i in probe] == [i in positions for i in probe]
        mask_positions = rng.sample(range(5000), 400)
        mask = bits_of(mask_positions, 5000)
        expected = sorted(set(positions) & set(mask_positions))
        assert compact.positions(mask, set(bit_indices(mask))) == plain.positions(mask) == expected
        assert plain.positions() == compact.positions() == positions


def test_growing_a_compact_process_turns_it_into_a_bitset():
    process = Process("app.py", ["app.py"], array("I", [3, 9]))
    process.members |= 1 << 20  # an application factory's imports join the program
    assert process.loads(20) and process.loads(3) and not process.loads(4)
    assert isinstance(process.compact, int)


MODELS = Path(__file__).resolve().parents[1] / "runtime" / "projects" / "good" / "app" / "models.py"


def test_decoded_facts_equal_the_extracted_ones_and_share_positions_and_name_pairs():
    facts = extract_file("app/models.py", MODELS.read_bytes(), "digest")
    first, second = (codec.loads(codec.dumps(facts), type(facts)) for _ in range(2))
    assert first == facts and second == facts
    # The same (line, column) decoded twice is one object; different ones stay apart.
    assert first.classes[0].pos is second.classes[0].pos
    assert first.classes[0].pos != first.classes[1].pos
    assert first.imports[0].names[0] is second.imports[0].names[0]  # ("Column", None)


def test_root_closures_kept_as_positions_equal_the_reachable_modules(monkeypatch):
    # Closures of up to a few hundred modules are built as sets of positions, larger ones as
    # bitsets, and a root may mix both through its children: every root's closure must be
    # exactly the modules reachable from it, whichever forms were used on the way.
    from ormdoctor.inventory import graph

    rng = random.Random(11)
    for few in (0, 3, 64):
        monkeypatch.setattr(graph, "FEW", few)
        for _ in range(60):
            n = rng.randint(1, 120)
            adjacency = [sorted(set(rng.sample(range(n), rng.randint(0, min(4, n))))) for _ in range(n)]
            components, comp_of = graph._tarjan(adjacency)
            roots = graph._root_closures(components, comp_of, adjacency)
            imported = {comp_of[w] for v in range(n) for w in adjacency[v] if comp_of[w] != comp_of[v]}
            assert set(roots) == set(range(len(components))) - imported
            for component, kept in roots.items():
                seen, stack = set(components[component]), list(components[component])
                while stack:
                    for w in adjacency[stack.pop()]:
                        if w not in seen:
                            seen.add(w)
                            stack.append(w)
                assert as_bits(kept) == bits_of(sorted(seen), n)
