"""What a clerk reads: golden explanations, one language each, every kind of condition in words.

The golden files in ``tests/golden/`` are reviewed like code. After a deliberate change
of wording, regenerate them with ``UPDATE_GOLDEN=1 python -m pytest tests/test_explanations.py``
and read the diff.
"""

from __future__ import annotations

import os
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

import hokensho_rules as hr
from hokensho_rules.render.decision import describe
from hokensho_rules.law.schema import AnyOf, Compare, Condition, OutcomeIs, Presence

BOOK = hr.Rulebook.load()
GOLDEN = Path(__file__).parent / "golden"
RULE_IDS = re.compile(r"\b[A-Z]{1,3}-\d+(?:\.[a-z_0-9]+)?\b")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

MEMBERS = {
    # The README's member on the first day without paper cards.
    "readme": (hr.Member(id="M0001", kind="insured", enrolled_on=date(2020, 4, 1),
                         paper_card=hr.PaperCard(issued_on=date(2020, 4, 1))), date(2025, 12, 2)),
    # A member covered by the My Number insurance card, the notice sent.
    "covered": (hr.Member(
        id="M0002", kind="insured", enrolled_on=date(2019, 4, 1), employer="E1", my_number_held=True,
        insurer_registered_on=date(2021, 10, 20), notice_sent_on=date(2024, 10, 23),
        my_number_card=hr.MyNumberCard(registered_for_insurance_on=date(2022, 3, 1), certificate_expires_on=date(2029, 6, 30)),
    ), date(2026, 1, 10)),
    # Re-enrolled with the card of an earlier membership; the notification not filed.
    "re_enrolled": (hr.Member(
        id="M0003", kind="insured", enrolled_on=date(2025, 4, 1), employer="E1", my_number_held=True,
        paper_card=hr.PaperCard(issued_on=date(2019, 4, 1), enrolled_on=date(2019, 4, 1)),
    ), date(2025, 5, 1)),
    # A suspended card and a request for a certificate.
    "suspended": (hr.Member(
        id="M0004", kind="dependant", enrolled_on=date(2020, 4, 1), employer="E1", my_number_held=True,
        insurer_registered_on=date(2021, 10, 20), notice_sent_on=date(2024, 10, 23),
        my_number_card=hr.MyNumberCard(registered_for_insurance_on=date(2022, 1, 1), suspended_on=date(2026, 1, 10)),
        requests=hr.Requests(certificate_for_circumstances_on=date(2026, 1, 11)),
    ), date(2026, 1, 12)),
}


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text + "\n", f"{name}: differs from {path} (UPDATE_GOLDEN=1 to accept)"


def only_japanese(text: str) -> None:
    """No word in Latin letters but the rules' ids (PC-3, EC-1.no_paper_card) and section keys."""
    words = LATIN_WORD.findall(RULE_IDS.sub("", text))
    assert words == [], words


def only_english(text: str) -> None:
    assert not JAPANESE.search(text), JAPANESE.findall(text)[:10]


@pytest.mark.parametrize("name", MEMBERS)
def test_a_clerks_summary_matches_its_golden_text_in_each_language(name: str) -> None:
    member, on = MEMBERS[name]
    decision = BOOK.evaluate(member, on)
    ja, en = decision.explain("ja"), decision.explain("en")
    only_japanese(ja)
    only_english(en)
    check_golden(f"{name}.ja", ja)
    check_golden(f"{name}.en", en)


def test_the_readme_members_summary_fits_one_screen() -> None:
    member, on = MEMBERS["readme"]
    assert len(BOOK.evaluate(member, on).explain("ja").splitlines()) <= 25


def test_one_question_in_full_names_every_rule_that_did_not_apply_and_why() -> None:
    member, on = MEMBERS["re_enrolled"]
    decision = BOOK.evaluate(member, on)
    for lang in ("ja", "en"):
        text = decision.explain(lang, question="paper_card.usable")  # type: ignore[arg-type]
        (only_japanese if lang == "ja" else only_english)(text)
        check_golden(f"re_enrolled.paper_card.{lang}", text)
        others = {r.id for r in BOOK.rules.values() if r.question == "paper_card.usable"} - {decision["paper_card.usable"].rule_id}
        listed = set(re.findall(r"· ([A-Z]{1,3}-\d+(?:\.[a-z_0-9]+)?)", text))
        assert listed == others - {r.id for r in decision["paper_card.usable"].overridden}


def test_full_detail_explains_every_question() -> None:
    member, on = MEMBERS["covered"]
    decision = BOOK.evaluate(member, on)
    full = decision.explain("en", detail="full")
    assert all(f"■ {BOOK.questions[q].title.en}:" in full for q in decision)
    only_english(full)
    with pytest.raises(ValueError, match="detail"):
        decision.explain("ja", detail="everything")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="lang"):
        decision.explain("fr")  # type: ignore[arg-type]
    with pytest.raises(KeyError, match="paper_card.colour"):
        decision.explain("ja", questions=["paper_card.colour"])


def _conditions(condition: Condition) -> list[Condition]:
    found = [condition]
    if isinstance(condition, AnyOf):
        for inner in condition.any:
            found += _conditions(inner)
    return found


def _kind(condition: Condition) -> str:
    if isinstance(condition, Compare):
        return f"compare {condition.operator} {type(condition.operand).__name__}"
    if isinstance(condition, Presence):
        return f"presence {condition.present}"
    if isinstance(condition, OutcomeIs):
        return f"outcome {'one' if len(condition.is_) == 1 else 'several'}"
    return "any"


def test_every_kind_of_condition_is_phrased_in_each_language_whether_it_held_or_not() -> None:
    # Every condition of every rule, on members where it holds and where it does not.
    decisions = [BOOK.evaluate(m, on) for m, on in MEMBERS.values()]
    kinds: set[str] = set()
    for rule in BOOK.rules.values():
        for condition in (c for top in rule.when for c in _conditions(top)):
            kinds.add(_kind(condition))
            for decision in decisions:
                if rule.question not in decision:
                    continue
                for held in (False, True):
                    only_japanese(describe(condition, decision, "ja", held=held))
                    only_english(describe(condition, decision, "en", held=held))
    assert {"any", "presence True", "presence False", "outcome one", "outcome several"} <= kinds
    assert {k for k in kinds if k.startswith("compare")} >= {
        "compare lte FactRef", "compare gt FactRef", "compare lt ParamRef", "compare eq bool", "compare ne FactRef",
    }


class _Table(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def test_a_decisions_html_is_a_table_of_every_answer_in_japanese() -> None:
    member, on = MEMBERS["readme"]
    parser = _Table()
    parser.feed(BOOK.evaluate(member, on)._repr_html_())
    assert parser.rows[0] == ["質問", "答え", "根拠"]
    assert len(parser.rows) == 1 + len(BOOK.evaluate(member, on))
    assert any(row[1].startswith("使用できない") for row in parser.rows[1:])


def test_a_long_action_list_shows_a_page_of_rows_and_says_how_many_more_in_under_20_kb() -> None:
    members = [
        hr.Member(id=f"M{i:05d}", kind="insured", enrolled_on=date(2020, 4, 1), employer="E1", my_number_held=True,
                  paper_card=hr.PaperCard(issued_on=date(2020, 4, 1)))
        for i in range(300)
    ]
    actions = BOOK.actions(members, date(2025, 12, 2))
    page = actions._repr_html_()
    parser = _Table()
    parser.feed(page)
    assert len(page.encode()) < 20_000
    assert len(parser.rows) == 1 + 40
    assert f"… 他 {len(actions) - 40:,} 件" in "".join(parser.text)
    assert "<script" not in page and "&lt;" not in page
