"""Which fired rules stand: the two readings of ``overrides`` the prover knows.

``default`` (default logic): a rule stands if it fired and no *standing* rule
overrides it; a rule set aside by a standing rule sets nothing aside itself.
``fired``: a rule stands if it fired and no *fired* rule overrides it.
In both, a ``fallback`` rule stands only when no other rule does.

:func:`library_semantics` asks the library's own :func:`~hokensho_rules.rulebook.resolve.resolve`
which of the two it implements, so that the prover proves what ``Rulebook.evaluate``
does, whichever version of ``resolve`` it runs with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Literal

from ...errors import ConflictError
from ..resolve import resolve
from ..schema import Rule

__all__ = ["SEMANTICS", "Semantics", "library_semantics", "override_cycle", "standing"]

Semantics = Literal["default", "fired"]
SEMANTICS: tuple[Semantics, ...] = ("default", "fired")


def override_cycle(rules: Sequence[Rule]) -> tuple[str, ...] | None:
    """Rule ids of one question that override each other in a cycle, or None."""
    ids = {r.id for r in rules}
    edges = {r.id: [t for t in r.overrides if t in ids] for r in rules}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> tuple[str, ...] | None:
        state[node] = 1
        path.append(node)
        for target in edges[node]:
            if state.get(target) == 1:
                return (*path[path.index(target):], target)
            if target not in state and (found := visit(target)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for rule in rules:
        if rule.id not in state and (cycle := visit(rule.id)) is not None:
            return cycle
    return None


def standing(fired: Sequence[Rule], semantics: Semantics) -> list[Rule]:
    """The fired rules that stand (in the given order) under ``semantics``.

    The rules' ``overrides`` must already include what refinements add
    (``Rulebook.rules`` does). Under ``default`` they must not override in a cycle.
    """
    by_id = {r.id: r for r in fired}
    overriders: Mapping[str, list[Rule]] = {r.id: [s for s in fired if r.id in s.overrides] for r in fired}
    memo: dict[str, bool] = {}

    def stands(rule: Rule) -> bool:
        if rule.id not in memo:
            if semantics == "fired":
                memo[rule.id] = not overriders[rule.id]
            else:
                memo[rule.id] = not any(stands(by_id[s.id]) for s in overriders[rule.id])
        return memo[rule.id]

    up = [r for r in fired if stands(r)]
    if any(not r.fallback for r in up):
        up = [r for r in up if not r.fallback]
    return up


def _probe_rule(rule_id: str, outcome: str, overrides: tuple[str, ...] = ()) -> Rule:
    return Rule.model_validate(
        {
            "id": rule_id,
            "implements": ["X-0"],
            "title": {"ja": "試験", "en": "probe"},
            "citation": {"source": "probe"},
            "question": "probe.question",
            "outcome": outcome,
            "overrides": list(overrides),
        }
    )


def library_semantics() -> Semantics:
    """The reading of ``overrides`` that the library's ``resolve`` implements.

    Probed with three fired rules: A overrides B, B overrides C, A and C disagree.
    Reading ``fired``, A sets both aside and decides; reading ``default``, B does not
    stand, so C does, and A and C conflict.
    """
    rules = [_probe_rule("A-1", "x", ("B-1",)), _probe_rule("B-1", "y", ("C-1",)), _probe_rule("C-1", "y")]
    try:
        resolution = resolve("probe.question", rules, member_id="probe", on=date(2000, 1, 1))
    except ConflictError:
        return "default"
    if resolution.deciding.id == "A-1" and not resolution.concurring:
        return "fired"
    raise RuntimeError(
        f"resolve() implements neither reading of overrides the prover knows: {resolution!r}"
    )
