"""The library never takes a My Number, and never shows one (issue 11, part 5).

A My Number is 12 digits whose last is a check digit (行政手続における特定の個人を識別する
ための番号の利用等に関する法律施行令 第8条; the formula: 総務省令第85号 第5条).
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
import unicodedata
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import hokensho_rules as hr
from hokensho_rules.cli import main
from hokensho_rules.law.calendar import parse_wareki
from hokensho_rules.membership.files import evaluate_file
from hokensho_rules.facts.privacy import (
    WITHHELD,
    check_digit,
    contains_my_number,
    is_my_number,
    redact,
    shown,
)

BOOK = hr.Rulebook.load()
DAY = date(2025, 12, 2)
SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "members_sample.csv"
UNWRITTEN = Path("never-written.csv")  # a bad input format is refused before any output is opened
BASE: dict[str, Any] = {"id": "M1", "kind": "insured", "enrolled_on": date(2020, 4, 1)}
MEMBER = hr.Member(
    id="M1", kind="insured", enrolled_on=date(2020, 4, 1), employer="E1", household="H1",
    paper_card=hr.PaperCard(issued_on=date(2020, 4, 1)),
)
# The example published with the formula, and the same number as it is printed on the card.
KNOWN = "123456789018"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _by_the_other_reading(first_eleven: str) -> int:
    # The same formula read left to right: weights 6 5 4 3 2 7 6 5 4 3 2.
    total = sum(int(d) * w for d, w in zip(first_eleven, (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2), strict=True))
    return 0 if total % 11 <= 1 else 11 - total % 11


@st.composite
def my_numbers(draw: st.DrawFn) -> str:
    """Any My Number, written as a person might type or paste it."""
    first = "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=11, max_size=11)))
    digits = first + str(check_digit(first))
    form = draw(st.sampled_from(["plain", "spaces", "hyphens", "full-width", "embedded"]))
    if form == "spaces":
        return f"{digits[:4]} {digits[4:8]} {digits[8:]}"
    if form == "hyphens":
        return f"{digits[:4]}-{digits[4:8]}-{digits[8:]}"
    if form == "full-width":
        return digits.translate(FULL_WIDTH)
    if form == "embedded":
        return draw(st.sampled_from(["M", "MN-", "id:", "個人番号"])) + digits
    return digits


def digits_of(text: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text))


def assert_not_shown(number: str, *texts: str) -> None:
    """None of ``texts`` holds ``number`` in any form (full-width, grouped, embedded)."""
    twelve = digits_of(number)[-12:]
    for text in texts:
        flat = re.sub(r"[\s\-‐－]", "", unicodedata.normalize("NFKC", text))
        assert twelve not in flat, text[:300]
        assert not contains_my_number(unicodedata.normalize("NFKC", text)), text[:300]


# --- the check digit ----------------------------------------------------------------------


def test_the_published_example_has_a_valid_check_digit() -> None:
    assert check_digit("12345678901") == 8
    assert is_my_number(KNOWN) and is_my_number("1234 5678 9018") and is_my_number(KNOWN.translate(FULL_WIDTH))
    assert not is_my_number("123456789017") and not is_my_number("1234567890180")


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_the_check_digit_agrees_with_the_formula_read_the_other_way(first: str) -> None:
    assert check_digit(first) == _by_the_other_reading(first)
    valid = [d for d in "0123456789" if is_my_number(first + d)]
    assert valid == [str(check_digit(first))]


def test_redaction_withholds_only_valid_numbers_and_cuts_long_text() -> None:
    assert redact(f"a {KNOWN} b 123456789017 c") == f"a {WITHHELD} b 123456789017 c"
    assert KNOWN not in shown("x" * 75 + KNOWN + "y" * 1000)
    assert "characters" in shown("x" * 10_000) and len(shown("x" * 10_000)) < 120


# --- refusal ----------------------------------------------------------------------------------


def _validation_texts(error: ValidationError) -> list[str]:
    return [str(error), repr(error), str(error.errors()), error.json()]


ENTRY_POINTS: list[Callable[[dict[str, Any]], object]] = [
    lambda data: hr.Member(**data),
    hr.Member.model_validate,
    lambda data: hr.Member.model_validate_json(json.dumps(data, default=str, ensure_ascii=False)),
    lambda data: hr.Member.model_validate_strings({k: str(v) for k, v in data.items()}),
]


@pytest.mark.parametrize("field", ["id", "employer", "household"])
@pytest.mark.parametrize("number", [KNOWN, "1234 5678 9018", "1234-5678-9018", KNOWN.translate(FULL_WIDTH), f"MN{KNOWN}"])
@pytest.mark.parametrize("entry", range(len(ENTRY_POINTS)))
def test_an_id_holding_a_my_number_is_refused_without_showing_it(field: str, number: str, entry: int) -> None:
    with pytest.raises(ValidationError) as caught:
        ENTRY_POINTS[entry]({**BASE, field: number})
    texts = _validation_texts(caught.value)
    assert_not_shown(number, *texts)
    assert caught.value.errors()[0]["loc"] == (field,)
    assert f"{field} holds 12 digits with a valid My Number check digit" in str(caught.value)


def test_a_my_number_anywhere_in_the_input_is_withheld_from_the_error() -> None:
    for data in (
        {**BASE, "note": KNOWN}, {**BASE, KNOWN: True}, {**BASE, "enrolled_on": KNOWN},
        {**BASE, "id": int(KNOWN)}, {**BASE, "paper_card": {"issued_on": date(2020, 4, 1), "lost_on": KNOWN}},
        {**BASE, "loss_on": date(2019, 1, 1), "employer": KNOWN},
    ):
        with pytest.raises(ValidationError) as caught:
            hr.Member.model_validate(data)
        assert_not_shown(KNOWN, *_validation_texts(caught.value))
    with pytest.raises(ValidationError) as caught:
        hr.PaperCard(issued_on=KNOWN)  # type: ignore[arg-type]
    assert_not_shown(KNOWN, *_validation_texts(caught.value))


def test_twelve_digits_without_a_valid_check_digit_are_an_ordinary_id() -> None:
    for member_id in ("123456789017", "12345678901", "1234567890180"):
        assert hr.Member(**{**BASE, "id": member_id}).id == member_id
    assert hr.Member(**{**BASE, "employer": "123456789017"}).employer == "123456789017"


def test_the_member_id_says_it_is_never_a_my_number() -> None:
    description = hr.Member.model_fields["id"].description or ""
    assert "Never a My Number" in description and "refused" in description
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "never takes a My Number" in readme


# --- no output shows one ---------------------------------------------------------------------

# Every way a caller hands the library a text, and what the library makes of it. A sink
# returns the texts it produced; an exception's texts are collected by the property.
_TIMELINE = BOOK.timeline(MEMBER, date(2024, 10, 1), date(2026, 1, 1))
_DECISION = BOOK.evaluate(MEMBER, DAY)
_ACTIONS = BOOK.actions([MEMBER], DAY)
_PLAN = hr.plan_mailing([MEMBER], BOOK, on=DAY)


def _outputs_of_a_header(name: str) -> list[str]:
    path = Path(tempfile.mkdtemp()) / "members.csv"
    path.write_text(f"id,kind,enrolled_on,{name}\nM1,insured,2020-04-01,x\n", encoding="utf-8")
    return [repr(evaluate_file(path, UNWRITTEN, DAY))]


def _outputs_of_member(data: dict[str, Any]) -> list[str]:
    member = hr.Member.model_validate(data)  # refused before anything else
    decision = BOOK.evaluate(member, DAY)
    return [repr(member), repr(decision), decision.explain("ja"), decision.explain("en"), json.dumps(decision.to_dict())]


SINKS: dict[str, Callable[[str], list[str]]] = {
    "member.id": lambda n: _outputs_of_member({**BASE, "id": n}),
    "member.employer": lambda n: _outputs_of_member({**BASE, "employer": n}),
    "member.household": lambda n: _outputs_of_member({**BASE, "household": n}),
    "member, extra field": lambda n: _outputs_of_member({**BASE, "my_number": n}),
    "member, a date": lambda n: _outputs_of_member({**BASE, "loss_on": n}),
    "paper card, a date": lambda n: _outputs_of_member({**BASE, "paper_card": {"issued_on": n}}),
    "situation, extra field": lambda n: [repr(hr.Situation.model_validate({"online_verification": True, "smartphone": True, "x": n}))],
    "evaluate(member=)": lambda n: [repr(BOOK.evaluate(n, DAY))],  # type: ignore[arg-type]
    "evaluate(on=)": lambda n: [repr(BOOK.evaluate(MEMBER, n))],  # type: ignore[arg-type]
    "evaluate(situation=)": lambda n: [repr(BOOK.evaluate(MEMBER, DAY, situation=n))],  # type: ignore[arg-type]
    "decision[question]": lambda n: [repr(_DECISION[n])],
    "decision.explain(lang)": lambda n: [_DECISION.explain(n)],  # type: ignore[arg-type]
    "decision.explanation(question)": lambda n: [repr(_DECISION.explanation(n))],
    "timeline(start=)": lambda n: [repr(BOOK.timeline(MEMBER, n, DAY))],  # type: ignore[arg-type]
    "timeline[question]": lambda n: [repr(_TIMELINE[n])],
    "timeline.at(day)": lambda n: [repr(_TIMELINE.at(n))],  # type: ignore[arg-type]
    "timeline.render(lang)": lambda n: [_TIMELINE.render(n)],  # type: ignore[arg-type]
    "actions(members)": lambda n: [repr(BOOK.actions([n], DAY))],  # type: ignore[list-item]
    "actions(on=)": lambda n: [repr(BOOK.actions([MEMBER], n))],  # type: ignore[arg-type]
    "action list render(lang)": lambda n: [_ACTIONS.render(n)],  # type: ignore[arg-type]
    "action list render(limit)": lambda n: [_ACTIONS.render("ja", limit=n)],  # type: ignore[arg-type]
    "plan_mailing(on=)": lambda n: [repr(hr.plan_mailing([MEMBER], BOOK, on=n))],  # type: ignore[arg-type]
    "plan_mailing(rulebook)": lambda n: [repr(hr.plan_mailing([MEMBER], n, on=DAY))],  # type: ignore[arg-type]
    "mailing envelope_of": lambda n: [repr(_PLAN.envelope_of(n))],
    "mailing render(lang)": lambda n: [_PLAN.render(n)],  # type: ignore[arg-type]
    "compare(start=)": lambda n: [repr(hr.compare(BOOK, BOOK, MEMBER, n, DAY))],  # type: ignore[arg-type]
    "Rulebook.load(packs)": lambda n: [repr(hr.Rulebook.load([n]))],
    "Rulebook.load(root=)": lambda n: [repr(hr.Rulebook.load(root=n))],
    "parse_wareki": lambda n: [repr(parse_wareki(n))],
    "evaluate(questions=)": lambda n: [repr(BOOK.evaluate(MEMBER, DAY, questions=n))],
    "decision.explain(detail=)": lambda n: [_DECISION.explain("ja", detail=n)],  # type: ignore[arg-type]
    "evaluate_many(on=)": lambda n: [repr(list(hr.evaluate_many([MEMBER], n, processes=1)))],  # type: ignore[arg-type]
    "timelines(start=)": lambda n: [repr(BOOK.timelines([MEMBER], n, DAY))],  # type: ignore[arg-type]
    "impact(on=)": lambda n: [repr(hr.impact(BOOK, BOOK, [MEMBER], n))],  # type: ignore[arg-type]
    "evaluate_file(input_format=)": lambda n: [repr(evaluate_file(SAMPLE, UNWRITTEN, DAY, input_format=n))],
    "Rulebook.load(parameters value)": lambda n: [repr(hr.Rulebook.load(parameters={"temporary_acceptance_until": n}))],
    "a file's header": _outputs_of_a_header,
    "Rulebook.load(parameters name)": lambda n: [repr(hr.Rulebook.load(parameters={n: "yes"}))],
}


def _texts_of(error: BaseException) -> list[str]:
    texts = [str(error), repr(error), *map(repr, error.args)]
    if isinstance(error, ValidationError):
        texts += [str(error.errors()), error.json()]
    return texts


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=my_numbers(), sink=st.sampled_from(sorted(SINKS)))
def test_no_my_number_given_anywhere_appears_in_any_output(
    number: str, sink: str, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        try:
            texts = SINKS[sink](number)
        except (ValidationError, TypeError, ValueError, KeyError, FileNotFoundError, hr.HokenshoError) as error:
            texts = _texts_of(error)
    texts += [record.getMessage() for record in caplog.records] + [repr(record.args) for record in caplog.records]
    written = tmp_path / "outputs.json"
    written.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    assert_not_shown(number, *texts, written.read_text(encoding="utf-8"))


def test_what_a_clerk_sees_of_a_valid_membership_holds_no_my_number(tmp_path: Path) -> None:
    # The outputs of the real thing, for ids next to a My Number in shape: 12 digits
    # with a wrong check digit are an ordinary id, shown as given.
    members = [hr.Member(id="123456789017", kind="insured", enrolled_on=date(2020, 4, 1), employer="123456789010",
                         household="H-123456789011", paper_card=hr.PaperCard(issued_on=date(2020, 4, 1))),
               MEMBER]
    actions = BOOK.actions(members, DAY)
    plan = hr.plan_mailing(members, BOOK, on=date(2024, 10, 1))
    timeline = BOOK.timeline(members[0], date(2024, 10, 1), date(2026, 1, 1))
    decision = BOOK.evaluate(members[0], DAY)
    texts = [
        repr(decision), decision.explain("ja"), decision.explain("en"), json.dumps(decision.to_dict()), decision._repr_html_(),
        actions.render("ja"), actions.render("en"), json.dumps(actions.to_rows()), actions._repr_html_(),
        plan.render("ja"), json.dumps(plan.to_rows()), plan._repr_html_(),
        timeline.render("ja"), json.dumps(timeline.to_dict()), json.dumps(timeline.to_rows()), timeline._repr_html_(),
    ]
    assert "123456789017" in actions.render("ja")  # the ordinary id is shown
    written = tmp_path / "list.txt"
    written.write_text("\n".join(texts), encoding="utf-8")
    assert not contains_my_number(written.read_text(encoding="utf-8"))


# Every place a command line takes a text: click and the commands echo a bad value as typed.
_S = str(SAMPLE)
COMMAND_LINES = [
    ["evaluate", _S, "--on", "{n}", "-o", "-"],
    ["evaluate", "{n}", "--on", "2025-12-02", "-o", "-"],
    ["evaluate", _S, "--on", "2025-12-02", "-o", "out.{n}"],
    ["evaluate", _S, "--on", "2025-12-02", "--packs", "{n}", "-o", "-"],
    ["evaluate", _S, "--on", "2025-12-02", "--parameters", "{n}", "-o", "-"],
    ["explain", _S, "--id", "{n}", "--on", "2025-12-02"],
    ["rules", "show", "{n}"],
    ["compare", _S, "--on", "2026-08-01", "--counter", "{n}"],
    ["schema", "{n}"],
    ["{n}"],
]


@settings(max_examples=60)
@given(number=my_numbers(), line=st.sampled_from(COMMAND_LINES))
def test_no_my_number_typed_on_a_command_line_is_echoed(number: str, line: list[str]) -> None:
    result = CliRunner().invoke(main, [part.replace("{n}", number) for part in line])
    assert result.exit_code != 0
    assert_not_shown(number, result.output, result.stderr)
