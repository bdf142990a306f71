"""Every result shows itself in Jupyter as readable HTML, in Japanese (default) or English.

The HTML is parsed (``html.parser``), not searched as text: each table must have a
caption, a header row and rows of as many cells, no unescaped markup from the data,
and long tables cut with a line counting the rows left out.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field, fields
from datetime import date
from html.parser import HTMLParser

import pytest

import hokensho_rules as hr
from hokensho_rules.evaluation import trace
from hokensho_rules.render import verdicts

ON = date(2025, 12, 2)


@dataclass
class Table:
    caption: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Shown:
    """What a browser would show: the tables, the "more rows" lines, every tag seen."""

    tables: list[Table] = field(default_factory=list)
    more: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.shown = Shown()
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.text = ""
        self.caption = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.shown.tags.append(tag)
        self.stack.append((tag, dict(attrs)))
        if tag == "table":
            self.shown.tables.append(Table(caption=self.caption))
        elif tag == "tr":
            self.row: list[str] = []
        self.text = ""

    def handle_data(self, data: str) -> None:
        self.text += data

    def handle_endtag(self, tag: str) -> None:
        opened, attrs = self.stack.pop()
        assert opened == tag, f"</{tag}> closes <{opened}>"
        if tag == "b":
            self.caption = self.text
        elif tag == "th":
            self.shown.tables[-1].headers.append(self.text)
        elif tag == "td":
            self.row.append(self.text)
            if attrs.get("class") == "warn":
                self.shown.tables[-1].warnings.append(self.text)
        elif tag == "tr" and self.row:
            self.shown.tables[-1].rows.append(self.row)
        elif tag == "p" and attrs.get("class") == "more":
            self.shown.more.append(self.text)
        self.text = ""


def parse(markup: str) -> Shown:
    """The tables of ``markup``; asserts every tag closes and every row is as wide as its header."""
    parser = _Parser()
    parser.feed(markup)
    parser.close()
    assert parser.stack == [], f"unclosed tags {parser.stack}"
    assert parser.shown.tables, "no table"
    for table in parser.shown.tables:
        assert table.caption, "a table without a caption"
        assert all(len(row) == len(table.headers) for row in table.rows), table
    # Only the helper's own markup: a style, a div, captions, tables, the "more" line.
    assert set(parser.shown.tags) <= {"div", "style", "p", "b", "table", "thead", "tbody", "tr", "th", "td"}
    return parser.shown


@pytest.fixture(scope="module")
def book() -> hr.Rulebook:
    return hr.Rulebook.load()


def member(number: int = 1, **facts: object) -> hr.Member:
    given: dict[str, object] = {"id": f"M{number:04d}", "kind": "insured", "enrolled_on": date(2020, 4, 1),
                                "paper_card": hr.PaperCard(issued_on=date(2020, 4, 1)), **facts}
    return hr.Member(**given)  # type: ignore[arg-type]


def test_a_decision_is_a_table_of_every_question_in_japanese_or_english(book: hr.Rulebook) -> None:
    decision = book.evaluate(member(), ON)
    ja, en = parse(decision._repr_html_()), parse(decision.html("en"))
    assert ja.tables[0].headers == ["質問", "答え", "根拠"]
    assert en.tables[0].headers == ["question", "answer", "rule"]
    assert len(ja.tables[0].rows) == len(decision) == len(en.tables[0].rows)
    usable = next(row for row in en.tables[0].rows if row[0] == "Is the paper card usable")
    assert usable[1].startswith("not usable") and usable[2].startswith("PC-3 ")


def test_a_verdict_shows_its_answer_deadline_rule_citation_and_what_it_set_aside(book: hr.Rulebook) -> None:
    lost = member(paper_card=hr.PaperCard(issued_on=date(2020, 4, 1), lost_on=date(2025, 3, 1)))
    verdict = book.evaluate(lost, date(2025, 6, 1))["paper_card.usable"]
    shown = parse(verdict._repr_html_()).tables[0]
    assert shown.caption == "健康保険証を使用できるか"
    cells = dict(shown.rows)  # type: ignore[arg-type]
    assert cells["答え"] == "使用できない" and cells["根拠"].startswith("PC-4.lost「")
    assert cells["退けたルール"].startswith("PC-2「")
    english = dict(parse(verdict.html("en")).tables[0].rows)  # type: ignore[arg-type]
    assert english["set aside"].startswith('PC-2 "') and "Q1" in english["source"]
    deadline = book.evaluate(member(), ON)["certificate.issuance"]
    assert "期限超過・1日経過" in dict(parse(deadline.html()).tables[0].rows)["交付の期限"]  # type: ignore[arg-type]


def test_a_shown_verdict_is_the_plain_verdict_for_every_comparison_and_pickles(book: hr.Rulebook) -> None:
    decision = book.evaluate(member(), ON)
    for question, plain in decision.verdicts.items():
        shown = decision[question]
        assert isinstance(shown, verdicts.Verdict) and shown == plain and plain == shown
    assert pickle.loads(pickle.dumps(decision["paper_card.usable"])) == decision.verdicts["paper_card.usable"]
    # Verdict.of copies every field of the plain verdict: a new field must be copied too.
    assert tuple(f.name for f in fields(trace.Verdict)) == ("question", "outcome", "data", "rule", "concurring", "overridden")


def test_a_counter_shows_what_it_accepts_then_what_it_refuses_with_warnings(book: hr.Rulebook) -> None:
    counter = hr.Situation(online_verification=True, smartphone=False, power_cut=True)
    shown = book.evaluate(member(my_number_card=hr.MyNumberCard(registered_for_insurance_on=date(2023, 1, 1))), ON,
                          situation=counter).presentations()
    table = parse(shown.html("en")).tables[0]
    assert [row[1] == "accepted" for row in table.rows] == [True] * len(shown.accepted) + [False] * len(shown.refused)
    assert len(table.warnings) == len(shown.refused) > 0
    assert all('"' in row[2] for row in table.rows)  # titles quoted: &quot; in the markup, read back as text
    assert parse(shown._repr_html_()).tables[0].headers == ["提示するもの", "答え", "根拠"]


def test_a_long_action_list_is_cut_with_a_count_of_the_rest_and_overdue_rows_warn(book: hr.Rulebook) -> None:
    actions = book.actions([member(i) for i in range(1, 46)], ON)
    assert len(actions) > 45
    ja = parse(actions._repr_html_())
    assert len(ja.tables[0].rows) == 40
    assert ja.more == [f"… 他 {len(actions) - 40:,} 件"]
    assert ja.tables[0].warnings and all("期限超過" in w for w in ja.tables[0].warnings)
    en = parse(actions.html("en", limit=5))
    assert len(en.tables[0].rows) == 5 and en.more == [f"… {len(actions) - 5:,} more rows"]


def test_a_timeline_a_mailing_plan_and_a_comparison_show_in_both_languages(book: hr.Rulebook) -> None:
    line = book.timeline(member(), date(2024, 10, 1), date(2026, 1, 1))
    assert parse(line._repr_html_()).tables[0].headers == ["質問", "開始", "終了", "答え", "根拠"]
    assert parse(line.html("en")).tables[0].headers == ["question", "from", "to", "answer", "rule"]
    people = [member(i, my_number_held=True, employer="E1") for i in range(1, 4)]
    plan = hr.plan_mailing(people, book, on=date(2024, 10, 23))
    assert parse(plan._repr_html_()).tables[0].rows[0][:2] == ["E1", "3"]
    assert parse(plan.html("en")).tables[0].headers[0] == "route"
    seed = hr.Rulebook.load(["seed"])
    expiring = member(paper_card=hr.PaperCard(issued_on=date(2020, 4, 1), expires_on=date(2025, 7, 31)))
    differences = hr.compare(seed, book, expiring, date(2025, 6, 1), date(2025, 12, 31))
    en = parse(differences.html("en")).tables[0]
    assert en.headers[:3] == ["period", "member", "question"] and en.rows
    assert parse(differences._repr_html_()).tables[0].headers[:3] == ["期間", "加入者", "質問"]


def test_batch_results_count_the_headline_answers_and_escape_an_error_rows_cell(book: hr.Rulebook) -> None:
    rows: list[object] = [member(i) for i in range(1, 4)]
    rows.append({"id": "M9", "kind": "<b>x</b>", "enrolled_on": "2020-04-01"})
    results = hr.evaluate_all(rows, ON, rulebook=book, processes=1)
    assert len(results) == 4 and len(results.errors) == 1 and results.counts("paper_card.usable") == {"no": 3}
    markup = results._repr_html_()
    assert "<b>x</b>" not in markup and "&lt;b&gt;x&lt;/b&gt;" in markup
    counted, listed = parse(markup).tables
    assert ["健康保険証を使用できるか", "使用できない", "3"] in counted.rows
    assert listed.headers == ["行", "加入者", "対応", "エラー"] and len(listed.rows) == 4
    assert listed.warnings == [str(results[3])] and "<b>x</b>" in listed.warnings[0]  # shown as text
    assert "資格確認書を職権で交付する" in listed.rows[0][2]
    english = parse(results.html("en", limit=2))
    assert english.tables[1].headers[0] == "row" and english.more == ["… 2 more rows"]
