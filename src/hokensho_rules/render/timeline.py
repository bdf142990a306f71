"""A timeline in words and as a table: what changes for a member, when (令和) and why."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ..results import timeline
from ..evaluation.trace import Verdict
from ..law.packs import Law
from . import html as html_
from .charts import Axis, Chart, timeline_chart  # matplotlib is imported only when a chart is drawn
from .words import Lang, check_lang, outcome_label, question_title, rule_title, show_date


__all__ = ["Timeline", "render_timeline"]

_TEMPLATES = {
    "ja": {
        "header": "加入者 {member}：{start}から{end}までの変化",
        "initially": "{start}時点：",
        "state": "  ■ {title}：{outcome}（{why}）",
        "changes": "変化：",
        "no_changes": "変化：なし",
        "change": "  {on}　{title}：{shift}（{why}、前: {prior}）",
        "shift": "{before} → {after}",
        "unchanged": "{after}（変わらず）",
        "why": "{rule}「{title}」",
        "columns": ("質問", "開始", "終了", "答え", "根拠"),
    },
    "en": {
        "header": "Member {member}: changes from {start} to {end}",
        "initially": "On {start}:",
        "state": "  ■ {title}: {outcome} ({why})",
        "changes": "Changes:",
        "no_changes": "Changes: none",
        "change": "  {on}  {title}: {shift} ({why}; before: {prior})",
        "shift": "{before} → {after}",
        "unchanged": "{after} (unchanged)",
        "why": '{rule} "{title}"',
        "columns": ("question", "from", "to", "answer", "rule"),
    },
}


def _why(verdict: Verdict, law: Law, on: date, lang: Lang) -> str:
    return str(_TEMPLATES[lang]["why"]).format(rule=verdict.rule_id, title=rule_title(verdict.rule, law, on, lang))


def _change_line(law: Law, change: timeline.Change, lang: Lang) -> str:
    words, q = _TEMPLATES[lang], change.question
    before = outcome_label(law, q, change.before.outcome, lang)
    after = outcome_label(law, q, change.after.outcome, lang)
    # A change of rule alone still matters: the reason, and so the next change, differ.
    shift = str(words["unchanged" if before == after else "shift"]).format(before=before, after=after)
    return str(words["change"]).format(
        on=show_date(change.on, lang), title=question_title(law, q, lang), shift=shift,
        why=_why(change.after, law, change.on, lang), prior=change.before.rule_id,
    )


def render_timeline(line: timeline.Timeline, lang: Lang) -> str:
    """What changes for the member, when and why, as text."""
    lang = check_lang(lang)
    law, words = line.law, _TEMPLATES[lang]
    start = show_date(line.start, lang)
    lines = [
        str(words["header"]).format(member=line.member_id, start=start, end=show_date(line.end, lang)),
        str(words["initially"]).format(start=start),
    ]
    for question, runs in line.items():
        first = runs[0].verdict
        lines.append(str(words["state"]).format(
            title=question_title(law, question, lang),
            outcome=outcome_label(law, question, first.outcome, lang), why=_why(first, law, line.start, lang),
        ))
    changes = line.changes()
    lines.append(str(words["changes" if changes else "no_changes"]))
    lines.extend(_change_line(law, change, lang) for change in changes)
    return "\n".join(lines)


def timeline_html(line: timeline.Timeline, lang: Lang) -> str:
    """Every interval of every question as a table."""
    law = line.law
    rows = [
        (question_title(law, q, lang), show_date(run.start, lang), show_date(run.end, lang),
         outcome_label(law, q, run.outcome, lang), run.rule_id)
        for q, runs in line.items() for run in runs
    ]
    caption = str(_TEMPLATES[lang]["header"]).format(
        member=line.member_id, start=show_date(line.start, lang), end=show_date(line.end, lang)
    )
    return html_.table(caption, _TEMPLATES[lang]["columns"], rows, lang)


class Timeline(timeline.Timeline):
    """Every question's answers for one member over a period, readable in ja and en."""

    def render(self, lang: Lang = "ja") -> str:
        """What changes for the member, when and why, as text in ``"ja"`` or ``"en"``."""
        return render_timeline(self, lang)

    def html(self, lang: Lang = "ja") -> str:
        """Every interval of every question as an HTML table, in ``"ja"`` or ``"en"``."""
        return timeline_html(self, check_lang(lang))

    def chart(self, lang: Lang = "ja", *, axis: Axis | None = None, questions: Sequence[str] | None = None) -> Chart:
        """The timeline as a picture: one lane per question, coloured by outcome, legal dates
        marked (needs the ``charts`` extra; see :func:`hokensho_rules.render.charts.timeline_chart`)."""
        return timeline_chart(self, lang, axis=axis, questions=questions)

    def _repr_html_(self) -> str:
        return timeline_html(self, "ja")
