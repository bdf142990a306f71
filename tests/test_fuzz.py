"""Bad input never harms (issue 11, part 3): a fast subset of the fuzz targets.

``benchmarks/fuzz.py`` runs the same targets for 100,000 cases and more.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from fuzz_targets import (
    ALL,
    BASE_BOOK,
    BOOK,
    RAW_TEXTS,
    REFERENCE,
    SEED,
    check_evaluation,
    rule_file_target,
)
from hypothesis import settings

import hokensho_rules as hr

# About a second each on a 2-core machine; the rule files cost a load per case.
_EXAMPLES = {"timeline": 25, "compare": 15, "rule files": 30}

test_member_input = settings(max_examples=100)(ALL["member input"])
test_evaluate = settings(max_examples=80)(ALL["evaluate"])
test_timeline = settings(max_examples=_EXAMPLES["timeline"])(ALL["timeline"])
test_decision_methods = settings(max_examples=60)(ALL["decision methods"])
test_actions_and_mailing = settings(max_examples=40)(ALL["actions and mailing"])
test_compare = settings(max_examples=_EXAMPLES["compare"])(ALL["compare"])
# Without the cases that cost seconds each (the benchmark and test_engine_guard.py have them).
test_rule_files = settings(max_examples=_EXAMPLES["rule files"])(rule_file_target(heavy=False))


def test_the_base_rule_file_of_the_fuzzer_is_valid_and_decides_like_python() -> None:
    # Its mutations are only hostile if the file itself is right.
    for employer in ("東京本社", "大阪支社", None):
        member = hr.Member(id="M1", kind="insured", enrolled_on=date(2025, 1, 6), employer=employer)
        assert check_evaluation(BASE_BOOK, member, date(2025, 1, 8), None) == "answered"
    decision = BASE_BOOK.evaluate(hr.Member(id="M1", kind="insured", enrolled_on=date(2025, 1, 6), employer="東京本社"),
                                  date(2025, 1, 8))
    assert decision["fuzz.office"].outcome == "head" and decision["fuzz.notice"].outcome == "due"
    assert decision["fuzz.notice"].data["due_on"] == date(2025, 1, 11)
    assert REFERENCE.id == "REF-1"


# --- what the fuzzer found, and the hostile files it draws from, one by one ---------------


@pytest.mark.parametrize("text", RAW_TEXTS + ["x: \udcff".encode("utf-8", "surrogateescape").decode("utf-8", "replace")],
                         ids=["empty", "broken", "tab", "deep", "self-alias", "python-tag", "billion-laughs", "unknown-key"])
def test_a_hostile_rule_file_is_a_rule_file_error_within_a_second(text: str, tmp_path: Path) -> None:
    (tmp_path / "seed").mkdir()
    (tmp_path / "seed" / "x.yaml").write_text(text, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(hr.RuleFileError, match="x.yaml"):
        hr.Rulebook.load(root=tmp_path)
    assert time.perf_counter() - started < 5  # a parser's worst nesting is cut short, not read through


def test_a_rule_file_that_is_not_utf8_is_a_rule_file_error(tmp_path: Path) -> None:
    (tmp_path / "seed").mkdir()
    (tmp_path / "seed" / "x.yaml").write_bytes(b"title: {ja: \xff\xfe, en: x}")
    with pytest.raises(hr.RuleFileError, match="not UTF-8"):
        hr.Rulebook.load(root=tmp_path)


def test_a_pack_is_named_not_pathed() -> None:
    with pytest.raises(ValueError, match="unknown pack"):
        hr.Rulebook.load(["seed", "../seed/certificate"])
    with pytest.raises(TypeError, match="packs"):
        hr.Rulebook.load(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="root"):
        hr.Rulebook.load(root=5)  # type: ignore[arg-type]


def test_a_date_before_the_first_era_is_explained_in_iso_form() -> None:
    # explain("ja") failed with WarekiError for a member enrolled before 昭和 (1926-12-25).
    member = hr.Member(id="M1", kind="insured", enrolled_on=date(1, 1, 1))
    decision = BASE_BOOK.evaluate(member, date(1900, 1, 1))
    assert "1900-01-01" in decision.explain("ja")


def test_bad_arguments_with_nobody_to_evaluate_are_still_errors() -> None:
    # actions([], on=None) returned a list dated None, which failed only when rendered.
    with pytest.raises(TypeError, match="on must be a datetime.date"):
        BOOK.actions([], None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="start must be on or before end"):
        hr.compare(BOOK, SEED, [], date(2026, 1, 1), date(2025, 1, 1))
    with pytest.raises(TypeError, match="members must be an iterable"):
        hr.compare(BOOK, SEED, 5, date(2025, 1, 1), date(2026, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="rulebook must be"):
        hr.plan_mailing([], "seed", on=date(2025, 1, 1))  # type: ignore[arg-type]
    actions = BOOK.actions([REFERENCE], date(2025, 12, 2))
    with pytest.raises(TypeError, match="limit"):
        actions.render("ja", limit="3")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="limit"):
        actions.render("ja", limit=-1)
    timeline = BOOK.timeline(REFERENCE, date(2025, 1, 1), date(2025, 12, 31))
    with pytest.raises(TypeError, match="day must be a datetime.date"):
        timeline.at("2025-06-01")  # type: ignore[arg-type]


def test_the_parameters_cache_holds_one_entry_per_epoch_not_per_day() -> None:
    # Fuzzing over 0001..9999 grew a cache per day to hundreds of MB.
    book = hr.Rulebook.load()
    for offset in range(0, 3_000_000, 997):
        day = date(1, 1, 1) + timedelta(days=offset)
        assert book.params_on(day) == {name: p.value_on(day) for name, p in book.parameters.items()}
    assert len(book.law._params) <= len({v.since for p in book.parameters.values() for v in p.values}) + 1


def test_a_rule_file_error_quoting_a_huge_value_stays_readable(tmp_path: Path) -> None:
    # The fuzzer gave a citation a 65,537-character source: the message quoted it whole.
    from fuzz_targets import base_rule_file

    document = base_rule_file()
    document["rules"][0]["citation"]["source"] = "x" * 65_537
    (tmp_path / "seed").mkdir()
    (tmp_path / "seed" / "x.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    with pytest.raises(hr.RuleFileError, match="rule F-1, field citation.source: unknown source") as caught:
        hr.Rulebook.load(root=tmp_path)
    assert len(str(caught.value)) < 1200 and "65,5" in str(caught.value)
