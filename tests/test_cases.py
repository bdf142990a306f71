"""Behaviour cases as data: every ``tests/cases/*.yaml`` holds a list under ``cases:``.

A case is one member on one date and the answers the seed rules must give::

    - name: a paper card issued on 2024-12-01 is still usable on 2025-12-01   # unique sentence
      source: [PC-2, Q1]              # rule index ids / seed sections the case checks
      on: 2025-12-01                  # the evaluation date
      member: {id: M1, kind: insured, enrolled_on: 2020-04-01, paper_card: {issued_on: 2024-12-01}}
      situation: {online_verification: true, smartphone: false}   # optional: the institution's counter
      expect:                         # only the questions the behaviour is about
        paper_card.usable: {outcome: "yes", rule: PC-2, data: {usable_until: 2025-12-01}}
      xfail: "why"                    # optional: the engine disagrees with the law (strict)

``member`` holds exactly the keyword arguments of ``hr.Member``. ``rule`` is the one rule
that stands (decides, with no agreeing rule); a list names every rule that stands
together (the decider and its concurring rules, in any order), because which of
several agreeing rules "decides" is only rulebook order, not law. A ``data`` value of
``null`` means the datum is absent. Instead of ``expect``, an invalid member has
``error: {type: ValidationError, field: loss_on}``: building it (and, if ``on`` is
given, evaluating it) must raise that type with a message naming the field.

The files are read as YAML 1.2 booleans (only true/false), so the key ``on`` and the
outcomes yes/no stay text; quote "yes"/"no" anyway for readers using plain YAML 1.1.
Dates are unquoted (2025-12-01) so they load as ``datetime.date``, as the strict models need.

Cases are evaluated under the seed pack only: their expectations come from the rule
index's Part A, and the Part B amendment packs deliberately change some answers. A case of a
Part B change names the packs to load with the seed: ``packs: [b1_paper_card_expiry]``.
A case of an insurer's setting names the parameter values to load the rulebook with:
``parameters: {certificate_after_grace: on_application}`` (as a user's parameter file would).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from rule_index import PART_A, RULINGS

import hokensho_rules as hr
from hokensho_rules.law.loader import read_yaml

CASES_DIR = Path(__file__).parent / "cases"
_CASE_KEYS = {"name", "source", "packs", "parameters", "on", "member", "situation", "expect", "error", "xfail"}
_EXPECT_KEYS = {"outcome", "rule", "data"}
_ERROR_TYPES: dict[str, type[Exception]] = {
    "ValidationError": ValidationError,
    "GapError": hr.GapError,
    "ConflictError": hr.ConflictError,
}


@dataclass(frozen=True)
class Case:
    """One case as written in its file (``file`` is the file's name, for messages)."""

    file: str
    name: str
    source: list[str]
    member: dict[str, Any]
    packs: tuple[str, ...]
    parameters: tuple[tuple[str, Any], ...]
    situation: dict[str, Any] | None
    on: date | None
    expect: dict[str, dict[str, Any]]
    error: dict[str, str] | None
    xfail: str | None


def _case(file: str, raw: dict[str, Any]) -> Case:
    # Reject malformed cases at collection time: a typo in a key would otherwise
    # silently drop an expectation.
    where = f"{file}: case {raw.get('name')!r}"
    unknown = set(raw) - _CASE_KEYS
    assert not unknown, f"{where}: unknown keys {sorted(unknown)}"
    assert isinstance(raw.get("name"), str) and raw["name"], f"{where}: needs a name"
    assert raw.get("source"), f"{where}: needs a source"
    assert ("expect" in raw) != ("error" in raw), f"{where}: needs exactly one of expect / error"
    on = raw.get("on")
    assert on is None or type(on) is date, f"{where}: on must be an unquoted date"
    assert "expect" not in raw or on is not None, f"{where}: an expect case needs on"
    for question, want in raw.get("expect", {}).items():
        assert set(want) <= _EXPECT_KEYS and "outcome" in want and "rule" in want, f"{where}: {question}"
    return Case(
        file, raw["name"], list(raw["source"]), raw["member"], ("seed", *raw.get("packs", ())),
        tuple(sorted(raw.get("parameters", {}).items())), raw.get("situation"), on,
        raw.get("expect", {}), raw.get("error"), raw.get("xfail"),
    )


@cache
def all_cases() -> tuple[Case, ...]:
    found: list[Case] = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        content = read_yaml(path)
        found += [_case(path.name, raw) for raw in content["cases"]]
    return tuple(found)


@cache
def book(packs: tuple[str, ...] = ("seed",), parameters: tuple[tuple[str, Any], ...] = ()) -> hr.Rulebook:
    # Compiling the rules is the slow part; one rulebook serves every case of its packs.
    return hr.Rulebook.load(packs, parameters=dict(parameters) if parameters else None)


def _standing(verdict: hr.Verdict) -> str | list[str]:
    """The deciding rule alone, or every rule that stands (as a case writes it)."""
    if not verdict.concurring:
        return verdict.rule_id
    return sorted(r.id for r in (verdict.rule, *verdict.concurring))


def _mismatches(decision: hr.Decision, expect: dict[str, dict[str, Any]]) -> list[str]:
    """Every expected outcome, standing rule and datum the decision does not match."""
    problems: list[str] = []
    for question, want in expect.items():
        verdict = decision[question]
        wanted_rule = want["rule"] if isinstance(want["rule"], str) else sorted(want["rule"])
        got: dict[str, object] = {"outcome": verdict.outcome, "rule": _standing(verdict)}
        exp: dict[str, object] = {"outcome": want["outcome"], "rule": wanted_rule}
        for key, value in want.get("data", {}).items():
            got[f"data.{key}"], exp[f"data.{key}"] = verdict.data.get(key), value
        problems += [f"{question} {k}: expected {exp[k]!r}, got {got[k]!r}" for k in exp if got[k] != exp[k]]
    return problems


def _names_field(exc: Exception, field: str) -> bool:
    """Whether the error points at ``field``: by location, or by name as a whole word."""
    word = re.compile(rf"\b{re.escape(field)}\b")
    if isinstance(exc, ValidationError):
        # Not str(exc): it echoes the input, which names every field given.
        return any(field in map(str, e["loc"]) or word.search(e["msg"]) for e in exc.errors())
    return word.search(str(exc)) is not None


def _param(case: Case) -> Any:
    marks = [pytest.mark.xfail(reason=case.xfail, strict=True)] if case.xfail else []
    return pytest.param(case, id=case.name, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in all_cases()])
def test_case(case: Case) -> None:
    where = f"{case.name} ({case.file})"
    if case.error is not None:
        with pytest.raises(_ERROR_TYPES[case.error["type"]]) as raised:
            member = hr.Member.model_validate(case.member)
            if case.on is not None:
                book(case.packs, case.parameters).evaluate(member, case.on)
        assert _names_field(raised.value, case.error["field"]), f"{where}: {raised.value}"
        return
    member = hr.Member.model_validate(case.member)
    situation = None if case.situation is None else hr.Situation.model_validate(case.situation)
    assert case.on is not None
    try:
        decision = book(case.packs, case.parameters).evaluate(member, case.on, situation=situation)
    except hr.DecisionError as exc:
        pytest.fail(f"{where}: {type(exc).__name__}: {exc}")
    problems = _mismatches(decision, case.expect)
    assert not problems, f"{where}\n  " + "\n  ".join(problems) + "\n\n" + decision.explain("en")


def test_case_names_are_unique() -> None:
    counts = Counter(c.name for c in all_cases())
    assert not [n for n, k in counts.items() if k > 1]


def test_every_rule_decides_some_case() -> None:
    # Only a rule standing alone counts: one listed with concurring rules is not
    # shown to decide anything by itself.
    deciding = {w["rule"] for c in all_cases() for w in c.expect.values() if isinstance(w["rule"], str)}
    missing = sorted(set(hr.Rulebook.load().rules) - deciding)
    assert not missing, f"rules no case shows deciding alone: {missing}"


def test_every_part_a_id_and_every_row_of_the_seed_tables_has_a_case() -> None:
    named = {s for c in all_cases() for s in c.source}
    tables = {"§8①", "§8②", "§8③", "§9①", "§9②", "§9③", "§9④", "§9⑤", "§9⑥", "Q1", "Q2", "Q3", "Q4"}
    assert sorted(tables - named) == []
    # The mailing plan groups many members, so its ids are checked in test_mailing.py.
    mailing = (Path(__file__).parent / "test_mailing.py").read_text(encoding="utf-8")
    named |= {i for i in ("ML-1", "ML-2", "ML-3") if i in mailing}
    assert sorted(PART_A - named) == []


def test_every_ruling_of_the_legal_review_has_a_case() -> None:
    named = {s for c in all_cases() for s in c.source}
    # Files and explanations are not verdicts: their rulings are checked by these tests.
    for name in ("test_rulings_over_time.py", "test_review_scenarios.py"):
        text = (Path(__file__).parent / name).read_text(encoding="utf-8")
        named |= {i for i in ("X-22", "X-23") if i in text}
    assert sorted(RULINGS - named) == []
