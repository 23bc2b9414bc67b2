""""Did you mean ...?" over thousands of names, without comparing against every one of them."""

from __future__ import annotations

import difflib

CROWD = 300


class NameBook:
    """Names bucketed by length: a misspelling is compared with names of about its length only."""

    def __init__(self, names):
        self.by_length: dict[int, list[str]] = {}
        for name in sorted(set(names)):
            self.by_length.setdefault(len(name), []).append(name)

    def close(self, word: str, n: int = 1, cutoff: float = 0.6) -> list[str]:
        spread = max(3, len(word) // 3)
        nearby = [name for size in range(len(word) - spread, len(word) + spread + 1)
                  for name in self.by_length.get(size, [])]
        if len(nearby) > CROWD:  # thousands of look-alikes (t0001, t0002, ...): same start only
            nearby = [name for name in nearby if name[:2].lower() == word[:2].lower()][:CROWD]
        return difflib.get_close_matches(word, nearby, n=n, cutoff=cutoff)
