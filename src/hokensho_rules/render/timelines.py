"""A membership's timelines in words and as a table: how many answers change, per question."""

from __future__ import annotations

from collections import Counter
from datetime import date

from ..results import timelines
from . import html as html_
from .words import Lang, check_lang, outcome_label, question_title, show_date

__all__ = ["Timelines"]

_TEXT: dict[str, dict[str, str]] = {
    "ja": {
        "header": "加入者 {members:,} 人：{start}から{end}までの答えの変化（区間 {intervals:,} 件）",
        "question": "  ■ {title}：変化 {changes:,} 件（加入者 {members:,} 人）",
        "errors": "計算できなかった加入者 {n:,} 人（規定の競合・欠落など。直してから再実行してください）：",
        "more": "  … ほか {n:,} 人",
        "table": "表として保存するには to_arrow() / to_pandas()、CLI では --output を使ってください。",
    },
    "en": {
        "header": "Members {members:,}: how the answers change from {start} to {end} ({intervals:,} intervals)",
        "question": "  ■ {title}: changes {changes:,} (members {members:,})",
        "errors": "Members that could not be computed: {n:,} (conflicting or missing rules; fix them and run again):",
        "more": "  … {n:,} more",
        "table": "For the table use to_arrow() / to_pandas(), or --output on the command line.",
    },
}
_COLUMNS = {
    "ja": ("加入者", "質問", "開始", "終了", "日数", "答え", "根拠"),
    "en": ("member", "question", "from", "until", "days", "answer", "rule"),
}
_SHOWN_ERRORS = 5


class Timelines(timelines.Timelines):
    """Every member's timelines over a period as one table, readable in ja and en."""

    def render(self, lang: Lang = "ja") -> str:
        """How many answers change per question, and the members that could not be computed."""
        lang = check_lang(lang)
        words = _TEXT[lang]
        changes: Counter[str] = Counter()
        changed: dict[str, set[str]] = {}
        for member_id, runs in self.runs:
            for run in runs:
                if run.start > self.start.toordinal():
                    changes[run.question] += 1
                    changed.setdefault(run.question, set()).add(member_id)
        lines = [words["header"].format(
            members=len(self.members), start=show_date(self.start, lang), end=show_date(self.end, lang),
            intervals=len(self),
        )]
        lines += [
            words["question"].format(title=question_title(self.law, q, lang), changes=changes[q], members=len(changed[q]))
            for q in self.law.questions if q in changes
        ]
        if self.errors:
            lines.append(words["errors"].format(n=len(self.errors)))
            lines += [f"  {error.message(lang)}" for error in self.errors[:_SHOWN_ERRORS]]
            if len(self.errors) > _SHOWN_ERRORS:
                lines.append(words["more"].format(n=len(self.errors) - _SHOWN_ERRORS))
        lines.append(words["table"])
        return "\n".join(lines)

    def html(self, lang: Lang = "ja") -> str:
        """The intervals as an HTML table (the first rows), in ``"ja"`` or ``"en"``."""
        lang = check_lang(lang)
        law = self.law
        rows = (
            (member_id, question_title(law, run.question, lang), show_date(date.fromordinal(run.start), lang),
             show_date(date.fromordinal(run.end), lang), run.end - run.start + 1,
             outcome_label(law, run.question, run.outcome, lang), run.rule_id)
            for member_id, runs in self.runs for run in runs
        )
        caption = self.render(lang).split("\n", 1)[0]
        return html_.table(caption, _COLUMNS[lang], rows, lang)

    def _repr_html_(self) -> str:
        return self.html("ja")
