"""Plain-language words for tables and for what deleting a row does."""

from __future__ import annotations

import re

from ormdoctor.docs.model import DeleteEffect, SchemaDoc, TableDoc

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z]|[0-9]|$|_)|[A-Z]?[a-z]+|[0-9]+")
_AN_LETTERS = set("AEFHILMNORSX")  # letters whose English name starts with a vowel sound


def words(class_name: str) -> list[str]:
    """``MLPrediction`` → ["ML", "prediction"]; ``InventoryTransaction`` → ["inventory", "transaction"]."""
    found = _WORDS.findall(class_name) or [class_name]
    return [w if len(w) > 1 and w.isupper() else w.lower() for w in found]


_IRREGULAR = {"child": "children", "person": "people", "man": "men", "woman": "women", "analysis": "analyses",
              "status": "statuses", "index": "indexes", "criterion": "criteria", "datum": "data"}


def plural(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.isupper() and len(word) > 1:
        return word + "s"
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


def article(phrase: str) -> str:
    first = phrase.split(" ", 1)[0]
    if first.isupper() and len(first) > 1:
        return "an" if first[0] in _AN_LETTERS else "a"
    lower = first.lower()
    if re.match(r"u[^aeiou][aeiou]|eu|one", lower):  # "a user", "a unit", "a one-off"
        return "a"
    return "an" if lower[:1] in "aeiou" or lower.startswith("hour") else "a"


def singular(table: TableDoc) -> str:
    """"product" for ``Product``/``products``; "row of vendor_product" without a class."""
    if table.classes:
        return " ".join(words(table.classes[0]))
    return f"row of {table.key}"


def plural_noun(table: TableDoc) -> str:
    if table.classes:
        parts = words(table.classes[0])
        return " ".join(parts[:-1] + [plural(parts[-1])])
    return f"rows of {table.key}"


def join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def delete_sentence(schema: SchemaDoc, table: TableDoc) -> str | None:
    """"Deleting a product deletes its alerts and vendor prices." — None when nothing happens."""
    if not table.on_delete:
        return None
    clauses = []
    groups: dict[tuple[str, bool], list[str]] = {}
    for effect in table.on_delete:
        key = (_verb(effect), effect.table_id == table.id)
        noun = _noun(schema, effect)
        if noun not in groups.setdefault(key, []):
            groups[key].append(noun)
    for verb in ("deletes", "removes", "clears the reference in", "keeps"):
        if groups.get((verb, False)):
            clauses.append(f"{verb} its {join(groups[(verb, False)])}")
        if groups.get((verb, True)):
            clauses.append(f"{verb} the other {join(groups[(verb, True)])} that point to it")
    subject = singular(table)
    return f"Deleting {article(subject)} {subject} {join(clauses)}."


def _verb(effect: DeleteEffect) -> str:
    if effect.action == "delete":
        return "removes" if effect.orm == "unlink" and effect.database != "CASCADE" else "deletes"
    if effect.action in ("set-null", "set-default"):
        return "clears the reference in"
    return "keeps"


def _noun(schema: SchemaDoc, effect: DeleteEffect) -> str:
    table = schema.table(effect.table_id)
    if effect.orm == "unlink":
        return f"links in {effect.table}"
    if table is None:
        return effect.table.replace("_", " ")
    if not table.classes:
        return table.key.replace("_", " ") if not table.association else f"links in {table.key}"
    return plural_noun(table)
