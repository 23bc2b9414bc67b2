"""The table-name interpreter (inventory/constants.py): compiled patterns and imported constants
are read exactly, and anything outside its closed set stays unknown (a wrong name is worse than none)."""

from __future__ import annotations

import pytest

from ormdoctor.inventory.constants import evaluate

SNAKE = r"(?<!^)(?=[A-Z])"


def patterns(name: str) -> str | None:
    return {"CAMEL_TO_SNAKE": SNAKE}.get(name)


def test_a_compiled_pattern_applies_like_the_re_function():
    assert evaluate('CAMEL_TO_SNAKE.sub("_", cls.__name__).lower()', {}, "FlowRunState",
                    patterns=patterns) == "flow_run_state"
    assert evaluate('"_".join(CAMEL_TO_SNAKE.split(cls.__name__)).lower()', {}, "FlowRun",
                    patterns=patterns) == "flow_run"


def test_a_replacement_lambda_is_evaluated_on_each_match():
    """koschei's recipe: each run of capitals becomes "_" plus its lower case."""
    recipe = 're.sub(r"([A-Z]+)", lambda m: "_" + m.group(0).lower(), cls.__name__)[1:]'
    assert evaluate(recipe, {}, "PackageGroupRelation") == "package_group_relation"
    assert evaluate('re.sub(r"([A-Z])", lambda m: "_" + m[1].lower(), cls.__name__)', {}, "CoprBuild") == "_copr_build"
    assert evaluate('CAMEL_TO_SNAKE.sub(lambda m: "_", cls.__name__)', {}, "FlowRun", patterns=patterns) == "Flow_Run"


@pytest.mark.parametrize("expression", [
    'UNKNOWN_PATTERN.sub("_", cls.__name__).lower()',  # not a compiled pattern of the project
    'CAMEL_TO_SNAKE.sub("_", cls.__name__, count=1).lower()',  # keywords: left alone
    'CAMEL_TO_SNAKE.subn("_", cls.__name__)',  # not one of the functions it knows
    're.sub("([A-Z]+)", lambda m: m.start(), cls.__name__)',  # a match method it does not know
    're.sub("(x)?([A-Z]+)", lambda m: m.group(1).lower(), cls.__name__)',  # a group that matched nothing
    're.sub("([A-Z]+)", lambda m, n: "_", cls.__name__)',  # not a one-parameter function
    're.sub("([A-Z]+)", lambda m: 1, cls.__name__)',  # a replacement that is no string
])
def test_what_the_interpreter_does_not_know_stays_unknown(expression):
    assert evaluate(expression, {}, "FlowRun", patterns=patterns) is None


def test_constants_come_from_any_lookup_with_get():
    class Imported:
        def get(self, name):
            return {"PREFIX": "app_"}.get(name)

    assert evaluate("PREFIX + cls.__name__.lower()", Imported(), "User") == "app_user"
    assert evaluate("MISSING + cls.__name__.lower()", Imported(), "User") is None
