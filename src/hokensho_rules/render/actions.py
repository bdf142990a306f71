"""The action list in words and as a table: a clerk's list, most urgent first."""

from __future__ import annotations

from collections import Counter

from ..results import actions
from ..facts.privacy import shown
from . import html as html_
from .charts import Axis, Chart, action_months_chart  # matplotlib is imported only when a chart is drawn
from .words import Lang, check_lang, show_date, text, word


__all__ = ["ActionList"]

_HEADERS = {"ja": ("期限", "加入者", "対応", "根拠"), "en": ("due", "member", "action", "rule")}


def _heading(rows: actions.ActionList, lang: Lang) -> str:
    if lang == "ja":
        return f"{show_date(rows.on, lang)} 時点の対応一覧（{len(rows)} 件）"
    return f"Actions as of {show_date(rows.on, lang)} ({len(rows)} rows)"


def _due(row: actions.Action, lang: Lang) -> str:
    if row.due is None:
        return word("no_deadline", lang)
    late = (f"（{word('overdue', lang, n=(row.on - row.due).days)}）" if lang == "ja"
            else f" ({word('overdue', lang, n=(row.on - row.due).days)})") if row.overdue else ""
    return show_date(row.due, lang) + late


def _action(row: actions.Action, lang: Lang) -> str:
    gap = (f"（{word('gap', lang)}）" if lang == "ja" else f" ({word('gap', lang)})") if row.gap is not None else ""
    return text(row.title, lang) + gap


class ActionList(actions.ActionList):
    """Every action a membership calls for on one date, most urgent first, readable in ja and en."""

    def counts(self, lang: Lang = "en") -> dict[str, int]:
        """How many rows each action has, by the action's title in ``lang``."""
        lang = check_lang(lang)
        return dict(Counter(text(row.title, lang) for row in self.rows))

    def render(self, lang: Lang = "ja", *, limit: int | None = None) -> str:
        """A clerk's list: one line per row, with deadline, member, action and rule."""
        lang = check_lang(lang)
        # bool is an int, and a negative limit would slice from the end.
        if limit is not None and type(limit) is not int:
            raise TypeError(f"limit must be None or a whole number of rows, got {shown(limit)}")
        if limit is not None and limit < 0:
            raise ValueError(f"limit must be None or at least 0, got {limit}")
        listed = self.rows if limit is None else self.rows[:limit]
        lines = [_heading(self, lang)]
        lines += [f"{_due(row, lang)} | {row.member_id} | {_action(row, lang)} | {row.verdict.rule_id}" for row in listed]
        if len(listed) < len(self.rows):
            lines.append(word("more", lang, n=f"{len(self.rows) - len(listed):,}"))
        return "\n".join(lines)

    def chart(self, lang: Lang = "ja", *, axis: Axis | None = None) -> Chart:
        """Rows per due month, stacked by action (needs the ``charts`` extra; see
        :func:`hokensho_rules.render.charts.action_months_chart`)."""
        return action_months_chart(self, lang, axis=axis)

    def html(self, lang: Lang = "ja", *, limit: int = html_.DEFAULT_ROWS) -> str:
        """The list as an HTML table in ``"ja"`` or ``"en"``: at most ``limit`` rows, then how many more."""
        lang = check_lang(lang)
        rows = (
            (("warn", _due(row, lang)) if row.overdue else _due(row, lang), row.member_id, _action(row, lang), row.verdict.rule_id)
            for row in self.rows
        )
        return html_.table(_heading(self, lang), _HEADERS[lang], rows, lang, limit=limit)

    def _repr_html_(self) -> str:
        return self.html("ja")
