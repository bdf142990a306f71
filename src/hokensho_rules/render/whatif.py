"""A comparison of two rulebooks in words and as a table: when, for whom, what differs and why."""

from __future__ import annotations

from ..results import whatif
from ..law.packs import Law
from . import html as html_
from .words import Lang, check_lang, datum_label, outcome_label, question_title, show_date, value_label

__all__ = ["Comparison"]


def _side(law: Law, row: whatif.Difference, left: bool, lang: Lang) -> str:
    verdict = row.left if left else row.right
    data = "".join(
        f"；{datum_label(law, row.question, k, lang)} {value_label(law, row.question, k, v[0 if left else 1], lang)}"
        if lang == "ja" else
        f"; {datum_label(law, row.question, k, lang)} {value_label(law, row.question, k, v[0 if left else 1], lang)}"
        for k, v in row.data.items() if v[0 if left else 1] is not None
    )
    return f"{outcome_label(law, row.question, verdict.outcome, lang)}{data} [{verdict.rule_id}]"


def _span(row: whatif.Difference, lang: Lang) -> str:
    sep = "〜" if lang == "ja" else " to "
    return f"{show_date(row.start, lang)}{sep}{show_date(row.end, lang)}"


def render_comparison(comparison: whatif.Comparison, lang: Lang) -> str:
    """The differences as text: when, which question, each side's answer, data and rule."""
    lang = check_lang(lang)
    names = ("+".join(comparison.left.packs), "+".join(comparison.right.packs))
    span = f"{show_date(comparison.start, lang)}{'〜' if lang == 'ja' else ' to '}{show_date(comparison.end, lang)}"
    head = (f"{names[0]} と {names[1]} の違い（{span}、{len(comparison)} 件）" if lang == "ja"
            else f"{names[0]} vs {names[1]}, {span}: {len(comparison)} differences")
    lines = [head]
    for row in comparison.rows:
        title = question_title(comparison.right, row.question, lang)
        left, right = _side(comparison.left, row, True, lang), _side(comparison.right, row, False, lang)
        lines.append(f"{_span(row, lang)} {row.member_id} {title}: {left} → {right}")
    return "\n".join(lines)


class Comparison(whatif.Comparison):
    """Every difference between two rulebooks for a membership over a period, readable in ja and en."""

    def render(self, lang: Lang = "ja") -> str:
        """The differences as text: when, which question, each side's answer, data and rule."""
        return render_comparison(self, lang)

    def html(self, lang: Lang = "ja") -> str:
        """The differences as an HTML table in ``"ja"`` or ``"en"``."""
        lang = check_lang(lang)
        headers = (*(("期間", "加入者", "質問") if lang == "ja" else ("period", "member", "question")),
                   "+".join(self.left.packs), "+".join(self.right.packs))
        rows = (
            (_span(row, lang), row.member_id, question_title(self.right, row.question, lang),
             _side(self.left, row, True, lang), _side(self.right, row, False, lang))
            for row in self.rows
        )
        return html_.table(render_comparison(self, lang).splitlines()[0], headers, rows, lang)

    def _repr_html_(self) -> str:
        return self.html("ja")
