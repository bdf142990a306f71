"""Charts: drawn from the law and the results, saved as PNG and SVG, exact counts, a clear error without the extra."""

from __future__ import annotations

import builtins
import importlib.util
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

import hokensho_rules as hr
from hokensho_rules.render import charts

START, END = date(2024, 10, 1), date(2027, 12, 31)


@pytest.fixture(scope="module")
def book() -> hr.Rulebook:
    return hr.Rulebook.load()


def people() -> list[hr.Member]:
    return [
        hr.Member(id="M1", kind="insured", enrolled_on=date(2020, 4, 1), paper_card=hr.PaperCard(issued_on=date(2020, 4, 1))),
        hr.Member(id="M2", kind="dependant", enrolled_on=date(2025, 1, 10), my_number_held=True),
        hr.Member(id="M3", kind="insured", enrolled_on=date(2020, 4, 1), loss_on=date(2026, 4, 1),
                  paper_card=hr.PaperCard(issued_on=date(2020, 4, 1))),
    ]


def test_a_timeline_chart_saves_as_png_and_svg_with_japanese_text_as_outlines(book: hr.Rulebook, tmp_path: Path) -> None:
    chart = book.timeline(people()[0], START, END).chart("ja", questions=["paper_card.usable", "certificate.issuance"])
    png = chart.save(tmp_path / "t.png").read_bytes()
    assert png.startswith(b"\x89PNG") and chart._repr_png_().startswith(b"\x89PNG")
    svg = chart.save(tmp_path / "t.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "<text" not in svg  # glyphs drawn as paths: no font needed to view it
    assert "令和6年10月1日" in chart.title
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        chart.save(tmp_path / "t.pdf")


def test_the_japanese_font_is_the_one_shipped_and_every_label_uses_it(book: hr.Rulebook) -> None:
    chart = book.timeline(people()[0], START, END).chart("ja")
    from matplotlib import font_manager

    labels = [t for t in chart.figure.axes[0].get_yticklabels() if t.get_text()]
    assert labels and all(Path(font_manager.findfont(t.get_fontproperties())).name == "ipaexg.ttf" for t in labels)


def test_a_timeline_chart_marks_the_date_parameters_of_its_rulebook(book: hr.Rulebook) -> None:
    marked = charts.legal_dates(book.law, START, END)
    days = {day for day, _ in marked}
    params = book.params_on(date(2025, 1, 1))
    assert params["paper_card_abolished_on"] in days and params["paper_card_transition_ends_on"] in days
    chart = book.timeline(people()[0], START, END).chart("en", axis="iso")
    lines = [line for line in chart.figure.axes[0].get_lines() if line.get_linestyle() == "--"]
    assert {round(line.get_xdata()[0]) for line in lines} == {d.toordinal() for d in days}
    with pytest.raises(KeyError, match="no question"):
        book.timeline(people()[0], START, END).chart(questions=["no.such"])


def test_outcome_counts_are_exact_on_every_day(book: hr.Rulebook) -> None:
    timelines = [book.timeline(m, START, END) for m in people()]
    counts = charts.outcome_counts(timelines, "paper_card.usable")
    for day in [START, date(2025, 12, 1), date(2025, 12, 2), date(2026, 4, 1), END]:
        on_or_before = max(d for d in counts if d <= day)
        expected = Counter(t.at(day)["paper_card.usable"].outcome for t in timelines)
        assert counts[on_or_before] == expected, day
    chart = charts.outcome_counts_chart(timelines, "paper_card.usable", "ja")
    assert "3 人" in chart.title


def test_an_action_list_chart_counts_rows_by_due_month(book: hr.Rulebook) -> None:
    actions = book.actions(people(), date(2025, 11, 1))
    chart = actions.chart("en")
    bars = [patch for patch in chart.figure.axes[0].patches if patch.get_fill()]
    assert sum(round(bar.get_height()) for bar in bars) == len(actions)
    with_due = {date(a.due.year, a.due.month, 1) for a in actions if a.due is not None}
    assert len(chart.figure.axes[0].get_xticklabels()) == len(with_due) + any(a.due is None for a in actions)


def test_without_the_charts_extra_drawing_says_what_to_install(book: hr.Rulebook, monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_matplotlib(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("matplotlib"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    line = book.timeline(people()[0], START, START + timedelta(days=30))
    with pytest.raises(charts.ChartsUnavailable, match=r"pip install 'hokensho-rules\[charts\]'"):
        line.chart()
    monkeypatch.setattr(builtins, "__import__", real_import)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(charts.ChartsUnavailable, match="Japanese font"):
        line.chart()
