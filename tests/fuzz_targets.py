"""Fuzz targets of the public entry points, shared by ``tests/test_fuzz.py`` (a fast
subset) and ``benchmarks/fuzz.py`` (at least 100,000 cases).

Each target is a Hypothesis test without settings: it draws hostile input for one entry
point and checks that the entry point either answers correctly or raises one of the
library's own clear errors (a pydantic ValidationError, a TypeError or ValueError naming
the argument, RuleFileError, DecisionError), and that a reference member's decision is
the same afterwards. "Correctly" is checked against an independent evaluation of the
same rules in pure Python (:func:`python_decision`), so a wrong answer from the engine,
the adapter or the strata fails as surely as a crash.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

import hokensho_rules as hr
from hokensho_rules.results.actions import needs
from hokensho_rules.engine.compiler import MAX_BRANCHES
from hokensho_rules.facts.record import datum_key, encode, to_record, answer_key
from hokensho_rules.law.conditions import first_failing
from hokensho_rules.law.expressions import evaluate_expr
from hokensho_rules.evaluation.resolve import resolve
from hokensho_rules.law.schema import Rule

# How many cases each target ran, and how each ended (for the benchmark's report).
CASES: Counter[str] = Counter()
OUTCOMES: Counter[tuple[str, str]] = Counter()


def case(target: str) -> None:
    """Count one case of ``target``; the benchmark also re-arms its hang watchdog here."""
    CASES[target] += 1
    for hook in ON_CASE:
        hook()


ON_CASE: list[Callable[[], None]] = []


def ended(target: str, how: str) -> None:
    OUTCOMES[(target, how)] += 1


BOOK = hr.Rulebook.load()
SEED = hr.Rulebook.load(["seed"])
REFERENCE = hr.Member(
    id="REF-1", kind="insured", enrolled_on=date(2019, 4, 1), my_number_held=True,
    insurer_registered_on=date(2021, 11, 1), employer="本社", household="H1",
    paper_card=hr.PaperCard(issued_on=date(2019, 4, 1)),
    my_number_card=hr.MyNumberCard(registered_for_insurance_on=date(2022, 3, 1)),
)
REFERENCE_DAY = date(2025, 12, 2)
REFERENCE_COUNTER = hr.Situation(online_verification=True, smartphone=True, power_cut=True)


def answers(decision: hr.Decision) -> dict[str, tuple[object, ...]]:
    """Everything a decision says, as plain data."""
    return {
        q: (v.outcome, v.rule_id, tuple(r.id for r in v.concurring), tuple(r.id for r in v.overridden),
            tuple(sorted((k, str(x)) for k, x in v.data.items())))
        for q, v in decision.items()
    }


EXPECTED = answers(BOOK.evaluate(REFERENCE, REFERENCE_DAY, situation=REFERENCE_COUNTER))


def unchanged() -> None:
    """The reference member still gets exactly the same decision: nothing leaked between cases."""
    assert answers(BOOK.evaluate(REFERENCE, REFERENCE_DAY, situation=REFERENCE_COUNTER)) == EXPECTED


# --- the oracle ---------------------------------------------------------------------------


def python_decision(
    book: hr.Rulebook, member: hr.Member, on: date, situation: hr.Situation | None
) -> dict[str, tuple[object, ...]]:
    """The decision computed without the engine: every rule's conditions in Python,
    stratum by stratum, resolved as the library resolves them."""
    params = book.params_on(on)
    fact = to_record(member, on, situation)
    found: dict[str, tuple[object, ...]] = {}
    values: dict[str, dict[str, date | str]] = {}
    for stratum in book.strata:
        requires = book.questions[stratum[0]].requires
        if requires is not None and requires not in fact:
            continue
        for question in stratum:
            applicable = [r for r in book.rules.values() if r.question == question and first_failing(r, fact, params) is None]
            resolution = resolve(question, applicable, member_id=member.id, on=on)
            rule, data = _agreed(book, question, resolution.grounds, fact, params, member.id, on)
            values[question] = data
            others = tuple(r.id for r in (resolution.deciding, *resolution.concurring) if r is not rule)
            found[question] = (rule.outcome, rule.id, others,
                               tuple(r.id for r in resolution.overridden), tuple(sorted((k, str(x)) for k, x in data.items())))
        for question in stratum:
            fact[answer_key(question)] = str(found[question][0])
            for datum, value in values[question].items():
                fact[datum_key(question, datum)] = encode(value)
    return {q: found[q] for q in book.questions if q in found}


def _agreed(
    book: hr.Rulebook, question: str, standing: tuple[Rule, ...], fact: dict[str, Any], params: Any, member_id: str, on: date
) -> tuple[Rule, dict[str, date | str]]:
    """The rule whose reason it states and the data every ground gives alike, or their
    earliest/latest where the question says so."""
    given = [{k: v for k, e in r.data.items() if (v := evaluate_expr(e, fact, params)) is not None} for r in standing]
    data: dict[str, date | str] = {}
    rule = standing[0]
    for key in sorted({k for values in given for k in values}):
        values = [g[key] for g in given if key in g]
        way = book.law.concurring[question].get(key)
        if way is not None:
            if len(values) < len(given):
                continue  # a ground without that date: the answer has none
            data[key] = min(values) if way == "earliest" else max(values)  # type: ignore[type-var]
            if given[0].get(key) != data[key]:
                rule = next(r for r, g in zip(standing, given) if g.get(key) == data[key])
        elif len(values) == len(given) and len(set(values)) == 1:
            data[key] = values[0]
        else:
            raise hr.ConflictError(member_id, question, on, tuple(r.id for r in standing), f"{key} differs")
    return rule, data


def _end(call: Callable[[], Any], *, engine_errors: bool) -> tuple[str, Any]:
    """How a call ends: ("ok", value) or (kind of error, what it is about)."""
    try:
        return "ok", call()
    except hr.DecisionError as error:
        return type(error).__name__, error.question
    except hr.EngineError:
        if not engine_errors:
            raise
        return "EngineError", None
    except (ValueError, OverflowError) as error:
        # A period from a date near 9999 ends beyond the calendar.
        assert not isinstance(error, hr.RuleFileError)
        return "ValueError", None


def check_evaluation(
    book: hr.Rulebook, member: hr.Member, on: date, situation: hr.Situation | None, *, engine_errors: bool = False
) -> str:
    """Evaluate and compare with :func:`python_decision`; render the decision every way."""
    how, got = _end(lambda: book.evaluate(member, on, situation=situation), engine_errors=engine_errors)
    if how == "EngineError":
        return how  # the engine refused a hostile rulebook's ruleset or fact: a clear error
    expected_how, expected = _end(lambda: python_decision(book, member, on, situation), engine_errors=False)
    assert how == expected_how, (how, expected_how)
    if how != "ok":
        assert got == expected  # the same question fails, in the same way
        return how
    decision: hr.Decision = got
    assert answers(decision) == expected
    assert all(type(v) in (int, bool, str) for v in decision.record.values())
    # Explaining costs eight times what deciding does: every third case, in either language.
    turn = sum(CASES.values()) % 6
    if turn in (0, 3):
        assert decision.member_id in decision.explain("ja" if turn else "en")
    json.dumps(decision.to_dict(), ensure_ascii=False)
    assert decision._repr_html_() and repr(decision)
    if situation is not None:
        decision.presentations()
    return "answered"


# --- strategies -------------------------------------------------------------------------------

EXTREMES = [date.min, date(1, 1, 2), date(1, 12, 31), date(9999, 1, 1), date(9999, 12, 30), date.max]
LEGAL = [date(2024, 12, 1), date(2024, 12, 2), date(2025, 12, 1), date(2025, 12, 2), date(2026, 5, 31)]
days = st.one_of(st.dates(), st.dates(date(2014, 1, 1), date(2034, 12, 31)), st.sampled_from(EXTREMES + LEGAL))
JAPANESE = "健康保険証資格確認書令和年月日東京本社支社被扶養者ｶﾀｶﾅ　〒𠮷"
texts = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=JAPANESE, min_size=1, max_size=12),
    st.text(alphabet=st.characters(max_codepoint=0x20), min_size=1, max_size=4),
    st.sampled_from(['a"b', "a\\b", "\\u0000", "{}", "$or", "null", "東京本社", "'; DROP TABLE", "\u202e", "🏥" * 50]),
    st.integers(60, 250).map(lambda n: "健" * n),
)
huge_texts = st.sampled_from([65_537, 70_000, 200_000]).map(lambda n: "x" * n)
junk = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-(2**80), 2**80), st.floats(),
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 1e-05, 1e16]), st.decimals(allow_nan=True),
    texts, huge_texts, st.binary(max_size=8), st.datetimes(), days, st.times(), st.timedeltas(),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.sampled_from(["2025-12-02", "令和7年12月2日", "R7.12.2", "yes", "", "insured", object(), date, hr.Member]),
)


def _shift(day: date, by: int) -> date:
    try:
        return day + timedelta(days=by)
    except OverflowError:
        return date.max if by > 0 else date.min


# A date of a member's history: days after (or before) the enrolment date, or any date.
_WHEN = st.one_of(st.integers(-400, 4000), days)
_ID = st.from_regex(r"[A-Za-z0-9._:-]{1,64}", fullmatch=True)
_MEMBER_SHAPE = st.fixed_dictionaries(
    {"id": _ID, "kind": st.sampled_from(["insured", "dependant"]), "enrolled_on": days},
    optional={
        "loss_on": _WHEN, "voluntary_continuation": st.booleans(), "my_number_held": st.booleans(),
        "insurer_registered_on": _WHEN, "employer": texts, "household": texts,
        "enrolment_notified_on": _WHEN, "details_changed_on": _WHEN, "notice_sent_on": _WHEN,
        "paper_card": st.fixed_dictionaries({"issued_on": _WHEN}, optional={
            "expires_on": _WHEN, "enrolled_on": _WHEN, "lost_on": _WHEN, "returned_on": _WHEN}),
        "my_number_card": st.fixed_dictionaries({}, optional={
            "registered_for_insurance_on": _WHEN, "registration_cancelled_on": _WHEN,
            "certificate_expires_on": _WHEN, "returned_on": _WHEN, "suspended_on": _WHEN}),
        "certificate": st.fixed_dictionaries({"issued_on": _WHEN}, optional={"expires_on": _WHEN, "returned_on": _WHEN}),
        "requests": st.fixed_dictionaries({}, optional={
            "certificate_on_enrolment_form": st.booleans(), "certificate_for_circumstances_on": _WHEN}),
        "abroad": st.fixed_dictionaries({"departed_on": _WHEN, "japanese_national": st.booleans()},
                                        optional={"continuation_done_on": _WHEN}),
    },
)
_EXTRA_KEYS = st.one_of(st.sampled_from(["colour", "my_number", "id ", "Id", "__class__"]), st.text(max_size=5))


def _dated(value: Any, enrolled: date) -> Any:
    # Offsets become dates near the enrolment date; booleans are not offsets.
    if isinstance(value, dict):
        return {k: _dated(v, enrolled) for k, v in value.items()}
    if isinstance(value, int) and not isinstance(value, bool):
        return _shift(enrolled, value)
    return value


@st.composite
def member_inputs(draw: st.DrawFn) -> dict[str, Any]:
    """A member as a dict, mostly valid-shaped with dates anywhere in 0001..9999, then
    bent by up to three mutations (a junk value, a missing field, an extra field)."""
    shape = draw(_MEMBER_SHAPE)
    enrolled = shape["enrolled_on"]
    data: dict[str, Any] = {k: v if k in ("id", "kind", "enrolled_on") else _dated(v, enrolled) for k, v in shape.items()}
    for _ in range(draw(st.integers(0, 3))):
        target = data
        sub = [k for k, v in data.items() if isinstance(v, dict)]
        if sub and draw(st.booleans()):
            target = data[draw(st.sampled_from(sub))]
        action = draw(st.sampled_from(["set", "delete", "extra"]))
        if action == "extra":
            target[draw(_EXTRA_KEYS)] = draw(junk)
        elif target:
            key = draw(st.sampled_from(sorted(target)))
            if action == "delete":
                del target[key]
            else:
                target[key] = draw(junk)
    return data


def build_member(data: dict[str, Any], channel: str) -> hr.Member:
    """Construct a Member from ``data`` the way a caller would: keywords, a dict, or JSON."""
    if channel == "keywords" and all(isinstance(k, str) for k in data):
        return hr.Member(**data)
    if channel == "json":
        try:
            text = json.dumps(data, default=str, ensure_ascii=False)
        except (TypeError, ValueError):  # keys json cannot write
            text = "{}"
        return hr.Member.model_validate_json(text)
    return hr.Member.model_validate(data)


@st.composite
def valid_members(draw: st.DrawFn) -> hr.Member:
    """Members the models accept, with dates anywhere in 0001..9999."""
    data = draw(member_inputs())
    try:
        member = hr.Member.model_validate(data)
    except ValidationError:
        member = hr.Member(id="M1", kind=draw(st.sampled_from(["insured", "dependant"])), enrolled_on=data["enrolled_on"]
                           if isinstance(data.get("enrolled_on"), date) and type(data["enrolled_on"]) is date else date(2020, 4, 1))
    return member


situations = st.builds(
    hr.Situation, online_verification=st.booleans(), smartphone=st.booleans(),
    card_reader_out_of_order=st.booleans(), power_cut=st.booleans(), ic_chip_broken=st.booleans(),
)


def _expect(error_types: tuple[type[BaseException], ...], call: Callable[[], object], *names: str) -> str:
    """``call`` raises one of ``error_types``, whose message names one of ``names``."""
    try:
        call()
    except error_types as error:
        if names:
            assert any(name in str(error) for name in names), (names, str(error)[:300])
        return type(error).__name__
    raise AssertionError(f"no {error_types} raised")


# --- targets ----------------------------------------------------------------------------------


@given(data=member_inputs(), channel=st.sampled_from(["keywords", "dict", "json"]), on=days,
       situation=st.one_of(st.none(), situations))
def fuzz_member_input(data: dict[str, Any], channel: str, on: date, situation: hr.Situation | None) -> None:
    """Hostile member data: a ValidationError, or a member whose decision is correct."""
    case("member input")
    try:
        member = build_member(data, channel)
    except ValidationError as error:
        error.errors()
        str(error)
        ended("member input", "ValidationError")
    else:
        ended("member input", check_evaluation(BOOK, member, on, situation))
    unchanged()


@given(member=valid_members(), on=days, situation=st.one_of(st.none(), situations), book=st.sampled_from([BOOK, SEED]),
       bad=st.sampled_from([None, None, "member", "on", "situation"]), value=junk)
def fuzz_evaluate(member: hr.Member, on: date, situation: hr.Situation | None, book: hr.Rulebook,
                  bad: str | None, value: object) -> None:
    """evaluate() with any arguments: a TypeError naming the bad one, or a correct decision."""
    case("evaluate")
    arguments: dict[str, object] = {"member": member, "on": on, "situation": situation}
    if bad is not None:
        arguments[bad] = value
    wrong = [name for name, ok in (
        ("member", isinstance(arguments["member"], hr.Member)), ("on", type(arguments["on"]) is date),
        ("situation", arguments["situation"] is None or isinstance(arguments["situation"], hr.Situation)),
    ) if not ok]
    if wrong:
        ended("evaluate", _expect((TypeError,), lambda: book.evaluate(**arguments), wrong[0]))  # type: ignore[arg-type]
    else:
        ended("evaluate", check_evaluation(book, arguments["member"], arguments["on"], arguments["situation"]))  # type: ignore[arg-type]
    unchanged()


@given(member=valid_members(), start=days, length=st.one_of(st.integers(0, 3000), st.sampled_from([-1, -400, 10**6])),
       junk_end=st.one_of(st.none(), st.none(), st.none(), junk), data=st.data())
def fuzz_timeline(member: hr.Member, start: date, length: int, junk_end: object, data: st.DataObject) -> None:
    """timeline() over any window, even 0001..9999: intervals that cover it and agree with evaluate()."""
    case("timeline")
    end = junk_end if junk_end is not None else _shift(start, length)
    if type(end) is not date:
        ended("timeline", _expect((TypeError,), lambda: BOOK.timeline(member, start, end), "end"))  # type: ignore[arg-type]
    elif start > end:
        ended("timeline", _expect((ValueError,), lambda: BOOK.timeline(member, start, end), "start"))
    else:
        how, timeline = _end(lambda: BOOK.timeline(member, start, end), engine_errors=False)
        if how == "ok":
            ended("timeline", "answered")
            _check_timeline(member, timeline, data)
        else:
            ended("timeline", how)
    unchanged()


def _check_timeline(member: hr.Member, timeline: hr.Timeline, data: st.DataObject) -> None:
    for runs in timeline.values():
        assert runs[0].start == timeline.start and runs[-1].end == timeline.end
        assert all(a.end + timedelta(days=1) == b.start for a, b in itertools.pairwise(runs))
    span = (timeline.end - timeline.start).days
    for day in {timeline.start, timeline.end, _shift(timeline.start, data.draw(st.integers(0, span)))}:
        how, decision = _end(lambda day=day: BOOK.evaluate(member, day), engine_errors=False)
        if how == "ok":
            at = timeline.at(day)
            assert {q: (i.outcome, i.rule_id) for q, i in at.items()} == {q: (v.outcome, v.rule_id) for q, v in decision.items()}
    for lang in ("ja", "en"):
        timeline.render(lang)
    json.dumps(timeline.to_dict(), ensure_ascii=False)
    timeline.to_rows()
    assert timeline._repr_html_() and repr(timeline)
    _expect((TypeError,), lambda: timeline.at(data.draw(junk.filter(lambda j: type(j) is not date))), "day")  # type: ignore[arg-type]


@given(member=valid_members(), on=days, situation=st.one_of(st.none(), situations), key=junk, lang=junk)
def fuzz_decision_methods(member: hr.Member, on: date, situation: hr.Situation | None, key: object, lang: object) -> None:
    """A decision's methods with bad arguments: KeyError/ValueError naming what is wrong."""
    case("decision methods")
    how, decision = _end(lambda: BOOK.evaluate(member, on, situation=situation), engine_errors=False)
    if how != "ok":
        ended("decision methods", how)
        unchanged()
        return
    try:
        hash(key)
    except TypeError:
        hashable = False
    else:
        hashable = True
    if hashable and key not in BOOK.questions:
        _expect((KeyError,), lambda: decision[key], "no question")  # type: ignore[index]
        _expect((KeyError,), lambda: decision.explanation(key), "no question")  # type: ignore[arg-type]
    if lang not in ("ja", "en"):
        _expect((ValueError,), lambda: decision.explain(lang), "lang")  # type: ignore[arg-type]
    if situation is None:
        _expect((ValueError,), decision.presentations, "situation")
    ended("decision methods", "answered")
    unchanged()


@given(people=st.lists(valid_members(), max_size=6), on=days, lang=st.sampled_from(["ja", "en"]),
       limit=st.one_of(st.none(), st.integers(-3, 10)), rulebook=st.just(BOOK), renumber=st.booleans(),
       bad=st.sampled_from([None, None, "people", "on", "lang", "limit", "rulebook"]), value=junk)
def fuzz_actions_and_mailing(people: list[object], on: object, lang: object, limit: object, rulebook: object,
                             renumber: bool, bad: str | None, value: object) -> None:
    """actions() and plan_mailing() with any membership: clear errors, or every member listed rightly."""
    case("actions and mailing")
    if renumber:  # mostly distinct ids, so that lists get built
        people = [p.model_copy(update={"id": f"M{i}"}) if isinstance(p, hr.Member) else p for i, p in enumerate(people)]
    if bad == "people":
        people = [*people, value]
    elif bad == "on":
        on = value
    elif bad == "lang":
        lang = value
    elif bad == "limit":
        limit = value
    elif bad == "rulebook":
        rulebook = value
    members = [p for p in people if isinstance(p, hr.Member)]
    duplicate = len({m.id for m in members}) < len(members)
    if len(members) < len(people) or type(on) is not date or duplicate:
        ended("actions and mailing", _expect((TypeError, ValueError), lambda: BOOK.actions(people, on),  # type: ignore[arg-type]
                                             "member", "on", "more than once"))
    else:
        how, actions = _end(lambda: BOOK.actions(members, on), engine_errors=False)  # type: ignore[arg-type]
        ended("actions and mailing", how)
        if how == "ok":
            expected = sorted(
                (m.id, need[0]) for m in members  # one row per need
                for need in needs(BOOK.questions, ((v.question, v.outcome, v.data) for v in BOOK.evaluate(m, on).values()))  # type: ignore[arg-type]
            )
            assert sorted((row.member_id, row.need) for row in actions) == expected
            json.dumps(actions.to_rows(), ensure_ascii=False)
            assert actions._repr_html_() is not None and repr(actions)
            if lang not in ("ja", "en"):
                _expect((ValueError,), lambda: actions.render(lang), "lang")  # type: ignore[arg-type]
            elif limit is not None and type(limit) is not int:
                _expect((TypeError,), lambda: actions.render(lang, limit=limit), "limit")  # type: ignore[arg-type]
            elif limit is not None and limit < 0:  # type: ignore[operator]
                _expect((ValueError,), lambda: actions.render(lang, limit=limit), "limit")  # type: ignore[arg-type]
            else:
                assert len(actions.render(lang, limit=limit).splitlines()) >= 1  # type: ignore[arg-type]
    # The mailing plan of the same people.
    if len(members) < len(people) or duplicate or type(on) is not date or not (rulebook is None or rulebook is BOOK):
        _expect((TypeError, ValueError), lambda: hr.plan_mailing(people, rulebook, on=on),  # type: ignore[arg-type]
                "member", "on", "rulebook", "more than once")
    else:
        plan = hr.plan_mailing(members, BOOK, on=on)  # type: ignore[arg-type]
        # Every member is in the plan of the initial mailing or listed apart with why.
        planned = [m for e in plan.envelopes for m in e.member_ids] + [row.member_id for row in plan.left_out]
        assert sorted(planned) == sorted(m.id for m in members)
        for lang_ in ("ja", "en"):
            plan.render(lang_)
        json.dumps(plan.to_rows(), ensure_ascii=False)
        assert repr(plan) and plan._repr_html_()
        mailed = [m.id for m in members if m.id not in {row.member_id for row in plan.left_out}]
        if mailed:
            assert mailed[0] in plan.envelope_of(mailed[0]).member_ids
        _expect((KeyError,), lambda: plan.envelope_of("no such member"), "not in this mailing plan")
    unchanged()


@given(left=st.sampled_from([BOOK, SEED]), right=st.sampled_from([BOOK, SEED]),
       people=st.one_of(valid_members(), st.lists(valid_members(), max_size=2)),
       start=days, length=st.integers(-5, 400), bad=st.sampled_from([None, None, "right", "people"]), value=junk)
def fuzz_compare(left: hr.Rulebook, right: object, people: object, start: date, length: int,
                 bad: str | None, value: object) -> None:
    """compare() with any arguments: clear errors, or differences that really differ."""
    case("compare")
    end = _shift(start, length)
    if bad == "right":
        right = value
    elif bad == "people":
        people = value
    if isinstance(people, list):
        people = [m.model_copy(update={"id": f"M{i}"}) if isinstance(m, hr.Member) else m for i, m in enumerate(people)]
    # One Member, or any iterable of Members: an empty one (even {}) compares nobody.
    ok_people = isinstance(people, hr.Member) or (
        isinstance(people, Iterable) and not isinstance(people, (str, bytes)) and all(isinstance(p, hr.Member) for p in people))
    # Checked in this order: the rulebooks, the period (even with no member), the members.
    if not isinstance(right, hr.Rulebook):
        ended("compare", _expect((TypeError,), lambda: hr.compare(left, right, people, start, end), "right"))  # type: ignore[arg-type]
    elif start > end:
        ended("compare", _expect((ValueError,), lambda: hr.compare(left, right, people, start, end), "start"))  # type: ignore[arg-type]
    elif not ok_people:
        ended("compare", _expect((TypeError,), lambda: hr.compare(left, right, people, start, end), "member"))  # type: ignore[arg-type]
    else:
        how, comparison = _end(lambda: hr.compare(left, right, people, start, end), engine_errors=False)  # type: ignore[arg-type]
        ended("compare", how)
        if how == "ok":
            for row in comparison:
                assert (row.left.outcome, row.left.rule_id) != (row.right.outcome, row.right.rule_id)
                assert start <= row.start <= row.end <= end
            comparison.render("ja")
            comparison.render("en")
            json.dumps(comparison.to_rows(), ensure_ascii=False)
    unchanged()


# --- hostile rule files -----------------------------------------------------------------------


def _text(ja: str, en: str) -> dict[str, str]:
    return {"ja": ja, "en": en}


def _rule(rid: str, question: str, when: list[Any], outcome: str, **more: Any) -> dict[str, Any]:
    return {"id": rid, "implements": ["F"], "title": _text("規則" + rid, "rule " + rid),
            "citation": {"source": "fuzz", "sections": ["§1"]}, "question": question,
            "when": when, "outcome": outcome, **more}


def base_rule_file() -> dict[str, Any]:
    """A small valid rule file using every construct: parameters with dated values,
    periods in force, `any`, presence, comparisons of facts, dates, texts and outcomes
    of an earlier stratum, outcome data of every kind, a fallback, an exception, an action."""
    yes_no = {"yes": _text("はい", "yes"), "no": _text("いいえ", "no")}
    return {
        "title": _text("試験用の規則", "Rules for fuzzing"),
        # The file's own source is its rule index too: every id and section it cites.
        "sources": {"fuzz": {"title": _text("出典", "Source"), "publisher": _text("試験", "tests"),
                             "published": date(2024, 1, 1), "index": True,
                             "sections": {key: _text(key, key) for key in ("F", "§1", "§2")}}},
        "parameters": {
            "notify_days": {"title": _text("日数", "days"), "citation": {"source": "fuzz", "sections": ["§2"]},
                            "values": [{"value": 5}, {"since": date(2026, 1, 1), "value": 10}]},
            "valid_years": {"title": _text("年数", "years"), "citation": {"source": "fuzz", "sections": ["§2"]},
                            "values": [{"value": 5}]},
            "from_day": {"title": _text("施行日", "in force from"), "citation": {"source": "fuzz", "sections": ["§2"]},
                         "values": [{"value": date(2024, 12, 2)}]},
            "head_office": {"title": _text("本社", "head office"), "citation": {"source": "fuzz", "sections": ["§2"]},
                            "values": [{"value": "東京本社"}]},
        },
        "questions": [
            {"id": "member.eligible", "title": _text("資格", "eligible"), "outcomes": yes_no},
            {"id": "fuzz.office", "title": _text("事業所", "office"),
             "outcomes": {"head": _text("本社", "head office"), "branch": _text("支社", "branch"), "none": _text("なし", "none")},
             "data": {"valid_until": _text("有効期限", "valid until")}},
            {"id": "fuzz.notice", "title": _text("通知", "notice"),
             "outcomes": {"due": {**_text("要", "due"), "action": {"title": _text("通知する", "notify"), "due": "due_on"}},
                          "none": _text("不要", "none")},
             "data": {"due_on": _text("期限", "due on")}},
        ],
        "facts": {
            **{name: _text(name, name) for name in (
                "date", "member.enrolled_on", "member.loss_on", "member.employer", "member.my_number_held",
                "paper_card", "paper_card.issued_on")},
            "member.kind": {**_text("種別", "kind"), "values": {k: _text(k, k) for k in ("insured", "dependant")}},
        },
        "rules": [
            _rule("F-1", "member.eligible", [{"fact": "member.loss_on", "lte": {"fact": "date"}}], "no"),
            _rule("F-2", "member.eligible", [{"fact": "member.enrolled_on", "gt": {"fact": "date"}}], "no"),
            _rule("F-3", "member.eligible", [{"fact": "member.enrolled_on", "lte": {"fact": "date"}},
                                             {"any": [{"fact": "member.loss_on", "present": False},
                                                      {"fact": "member.loss_on", "gt": {"fact": "date"}}]}], "yes"),
            _rule("F-10", "fuzz.office", [{"fact": "member.employer", "eq": {"param": "head_office"}}], "head",
                  data={"valid_until": {"min": [{"period_end": {"start": {"fact": "member.enrolled_on"},
                                                                "years": {"param": "valid_years"}}},
                                                {"day_before": {"fact": "member.loss_on"}}]}}),
            _rule("F-11", "fuzz.office", [{"fact": "member.employer", "ne": "東京本社"}], "branch",
                  data={"valid_until": {"month_end": {"start": {"fact": "member.enrolled_on"}, "months": 3}}}),
            _rule("F-12", "fuzz.office", [], "none", fallback=True),
            _rule("F-20", "fuzz.notice", [{"outcome": "member.eligible", "is": "yes"},
                                          {"outcome": "fuzz.office", "is": ["head", "branch"]},
                                          {"fact": "date", "lte": {"outcome": "fuzz.office", "data": "valid_until"}}],
                  "due", in_force={"from": {"param": "from_day"}},
                  data={"due_on": {"within_days": {"start": {"fact": "member.enrolled_on"}, "days": {"param": "notify_days"}}}}),
            _rule("F-21", "fuzz.notice", [{"fact": "member.kind", "eq": "dependant"}], "none", overrides=["F-20"]),
            _rule("F-22", "fuzz.notice", [], "none", fallback=True),
        ],
    }


yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.integers(-(2**70), 2**70), st.floats(), texts,
              huge_texts, st.dates(), st.sampled_from(EXTREMES), st.sampled_from(["F-1", "member.eligible", "yes", "date"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterable[tuple[Any, ...]]:
    yield prefix
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        yield from _paths(child, (*prefix, key))


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


RAW_TEXTS = [
    "",  # an empty file
    "title: [unclosed",  # broken YAML
    "\t- tab indented",
    "[" * 5000 + "]" * 5000,  # deeper than any parser's recursion
    "a: &a [*a]\ntitle: *a",  # an alias inside itself
    "!!python/object/apply:os.system ['echo owned']",  # a tag the safe loader refuses
    "lol0: &l0 [x, x, x, x, x, x, x, x, x, x]\n" + "\n".join(  # a billion laughs
        f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 10)) + "\ntitle: *l9\nanchors: *l9",
]


@st.composite
def rule_file_texts(draw: st.DrawFn, heavy: bool = True) -> bytes:
    """A rule file as bytes: the valid base bent by mutations, or text no parser should
    choke on. ``heavy`` adds the cases that cost a second or more each (hundreds of
    rules, a parser's worst nesting)."""
    kinds = ["mutated", "mutated", "mutated", "nested", "many rules", "constants", "raw", "bytes"]
    kind = draw(st.sampled_from(kinds))
    document = base_rule_file()
    if kind == "raw":
        return draw(st.sampled_from(RAW_TEXTS if heavy else [t for t in RAW_TEXTS if len(t) < 1000])).encode()
    if kind == "bytes":
        text = yaml.safe_dump(document, allow_unicode=True).encode()
        cut = draw(st.integers(0, len(text)))
        return text[:cut] + draw(st.binary(max_size=6)) + text[cut + draw(st.integers(0, 20)):]
    if kind == "nested":  # an `any` (or an expression) nested to a random depth
        depth = draw(st.integers(2, 80))
        condition: Any = {"fact": "member.enrolled_on", "lte": {"fact": "date"}}
        expression: Any = {"fact": "member.enrolled_on"}
        for _ in range(depth):
            condition = {"any": [condition, {"fact": "member.loss_on", "present": False}]}
            expression = {"day_after": expression}
        document["rules"][2]["when"] = [condition]
        document["rules"][3]["data"]["valid_until"] = expression
    elif kind == "many rules":  # enough rules to fill an engine node, or not
        count = draw(st.one_of(st.integers(1, 80), st.sampled_from([200, MAX_BRANCHES + 1]))) if heavy else draw(st.integers(1, 12))
        document["rules"] += [_rule(f"F-{100 + i}", "fuzz.office",
                                    [{"fact": "member.enrolled_on", "gte": date(1990, 1, 1) + timedelta(days=i)}], "branch")
                              for i in range(count)]
        document["rules"][4]["overrides"] = [f"F-{100 + i}" for i in range(count)]
    elif kind == "constants":  # texts the engine compares as raw JSON
        document["parameters"]["head_office"]["values"][0]["value"] = draw(texts)
    for _ in range(draw(st.integers(1 if kind == "mutated" else 0, 3))):
        paths = list(_paths(document))
        path = draw(st.sampled_from(paths))
        parent, key = (_at(document, path[:-1]), path[-1]) if path else (None, None)
        action = draw(st.sampled_from(["set", "delete", "extra", "duplicate"]))
        if parent is None:
            document = draw(yaml_values)
            break
        if action == "set":
            parent[key] = draw(yaml_values)
        elif action == "delete":
            del parent[key]
        elif action == "extra" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(yaml_values)
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(json.loads(json.dumps(parent[key], default=str)))
    try:
        return yaml.safe_dump(document, allow_unicode=True).encode()
    except (yaml.YAMLError, RecursionError, ValueError):
        return b"title: {ja: x, en: x}"


_ROOTS: dict[int, Path] = {}  # a rules/ folder per process (the benchmark forks workers)


def _root() -> Path:
    root = _ROOTS.get(os.getpid())
    if root is None:
        root = _ROOTS[os.getpid()] = Path(tempfile.mkdtemp(prefix="hokensho-fuzz-"))
        (root / "seed").mkdir()
    return root


def remove_root() -> None:
    """Remove this process's rules/ folder."""
    root = _ROOTS.pop(os.getpid(), None)
    if root is not None:
        shutil.rmtree(root, ignore_errors=True)


(_root() / "seed" / "fuzz.yaml").write_text(yaml.safe_dump(base_rule_file(), allow_unicode=True), encoding="utf-8")
BASE_BOOK = hr.Rulebook.load(root=_root())  # the base file is valid: its own test checks it


def rule_file_target(*, heavy: bool) -> Callable[..., None]:
    """The target for hostile rule files (see :func:`rule_file_texts` for ``heavy``)."""

    @given(text=rule_file_texts(heavy), member=valid_members(), on=days, employer=st.one_of(st.none(), texts))
    def fuzz_rule_files(text: bytes, member: hr.Member, on: date, employer: str | None) -> None:
        """Rulebook.load(root=) on a hostile rule file: a RuleFileError, or a rulebook whose
        decisions agree with the Python evaluation of its rules (or an EngineError)."""
        case("rule files")
        path = _root() / "seed" / "fuzz.yaml"
        path.write_bytes(text)
        try:
            book = hr.Rulebook.load(root=_root())
        except hr.RuleFileError as error:
            assert str(error).startswith(str(path))
            assert len(str(error)) < 3000
            ended("rule files", "RuleFileError")
        else:
            if employer is not None:  # a text the rules compare with, as raw JSON in the engine
                try:
                    member = hr.Member.model_validate({**member.model_dump(), "employer": employer, "voluntary_continuation": False})
                except ValidationError:
                    pass
            ended("rule files", "loaded: " + check_evaluation(book, member, on, None, engine_errors=True))
        unchanged()

    return fuzz_rule_files


ALL = {
    "member input": fuzz_member_input,
    "evaluate": fuzz_evaluate,
    "timeline": fuzz_timeline,
    "decision methods": fuzz_decision_methods,
    "actions and mailing": fuzz_actions_and_mailing,
    "compare": fuzz_compare,
    "rule files": rule_file_target(heavy=True),
}

