"""The impact of a rule change on a membership, readable: a table per question, the
action rows added and removed, a chart (with the ``charts`` extra), the members as rows."""

from __future__ import annotations

from typing import Any

from ..law.packs import Law
from ..results import impact as impact_
from ..results.actions import Action
from . import html as html_
from .charts import Chart, _figure, _matplotlib, _style
from .words import Lang, check_lang, outcome_label, question_title, show_date, text

__all__ = ["Impact", "side_label"]

_WORDS = {
    "ja": {"head": "規則の変更の影響（{on}、加入者 {n:,} 人）", "before": "変更前", "after": "変更後",
           "changed": "答えまたは対応が変わる加入者：{n:,} 人", "none": "答えの変わる加入者はいない",
           "question": "■ {title}：{n:,} 人", "move": "    {a} → {b}：{n:,} 人",
           "actions": "対応一覧：追加 {a:,} 行、削除 {r:,} 行", "added": "  ＋ {m} {title}（期限 {due}）",
           "removed": "  － {m} {title}（期限 {due}）", "no_due": "なし", "not_asked": "（問われない）",
           "counter": "窓口：{flags}", "same": "（同じ）", "packs": "パック", "parameters": "パラメータ",
           "default": "既定値"},
    "en": {"head": "Impact of a rule change ({on}, {n:,} members)", "before": "before", "after": "after",
           "changed": "Members whose answers or actions change: {n:,}", "none": "No member's answer changes",
           "question": "■ {title}: {n:,} members", "move": "    {a} → {b}: {n:,}",
           "actions": "Action list: {a:,} rows added, {r:,} removed", "added": "  + {m} {title} (due {due})",
           "removed": "  - {m} {title} (due {due})", "no_due": "none", "not_asked": "(not asked)",
           "counter": "counter: {flags}", "same": "(same)", "packs": "packs", "parameters": "parameters",
           "default": "defaults"},
}
_COLUMNS = {"ja": ("質問", "加入者数", "変更前の答え", "変更後の答え", "人数"),
            "en": ("question", "members", "before", "after", "count")}


def side_label(law: Law, other: Law, lang: Lang) -> str:
    """What sets ``law`` apart from ``other``: packs only it loads (or lacks), parameters it sets."""
    lang = check_lang(lang)
    words = _WORDS[lang]
    parts = []
    extra = [p for p in law.packs if p not in other.packs]
    missing = [p for p in other.packs if p not in law.packs]
    if extra or missing:
        parts.append(f"{words['packs']} " + " ".join([*(f"+{p}" for p in extra), *(f"-{p}" for p in missing)]))
    if law.overrides:
        values = ", ".join(
            f"{name}=" + "/".join(str(v) if s is None else f"{v} ({s.isoformat()}~)" for s, v in values)
            for name, values in law.overrides
        )
        parts.append(f"{words['parameters']} {values}")
    elif other.overrides:
        parts.append(f"{words['parameters']} {words['default']}")
    return "; ".join(parts) or words["same"]


def _outcome(law: Law, question: str, outcome: str, lang: Lang) -> str:
    if outcome == impact_.NOT_ASKED or question not in law.questions:
        return _WORDS[lang]["not_asked"]
    return outcome_label(law, question, outcome, lang)


def _law_of(result: impact_.Impact, question: str) -> Law:
    return result.after if question in result.after.questions else result.before


def _title(result: impact_.Impact, question: str, lang: Lang) -> str:
    return question_title(_law_of(result, question), question, lang)


def _rows(result: impact_.Impact, lang: Lang) -> list[tuple[str, int, str, str, int]]:
    rows = []
    for item in result.by_question():
        for before, after, n in item.transitions:
            rows.append((_title(result, item.question, lang), item.members,
                         _outcome(result.before, item.question, before, lang),
                         _outcome(result.after, item.question, after, lang), n))
    return rows


def _action_line(key: str, row: Action, lang: Lang) -> str:
    words = _WORDS[lang]
    due = show_date(row.due, lang) if row.due is not None else words["no_due"]
    return words[key].format(m=row.member_id, title=text(row.title, lang), due=due)


def render_impact(result: impact_.Impact, lang: Lang, *, limit: int = 20) -> str:
    """The impact as text: per question the members changed and the moves, then the action rows."""
    lang = check_lang(lang)
    words = _WORDS[lang]
    lines = [words["head"].format(on=show_date(result.on, lang), n=result.members),
             f"{words['before']}: {side_label(result.before, result.after, lang)}",
             f"{words['after']}: {side_label(result.after, result.before, lang)}"]
    if result.situation is not None:
        flags = ", ".join(k for k, v in result.situation.model_dump().items() if v is True) or "-"
        lines.append(words["counter"].format(flags=flags))
    changed = result.changed_members
    lines.append(words["changed"].format(n=len(changed)) if changed else words["none"])
    for item in result.by_question():
        lines.append(words["question"].format(title=_title(result, item.question, lang), n=item.members))
        for before, after, n in item.transitions:
            lines.append(words["move"].format(a=_outcome(result.before, item.question, before, lang),
                                              b=_outcome(result.after, item.question, after, lang), n=n))
    lines.append(words["actions"].format(a=len(result.added), r=len(result.removed)))
    lines += [_action_line("added", row, lang) for row in result.added[:limit]]
    lines += [_action_line("removed", row, lang) for row in result.removed[:limit]]
    more = max(0, len(result.added) - limit) + max(0, len(result.removed) - limit)
    if more > 0:
        lines.append(f"  … {more:,}")
    return "\n".join(lines)


class Impact(impact_.Impact):
    """The impact of a rule change on a membership, readable in ja and en (see :func:`hokensho_rules.impact`)."""

    def render(self, lang: Lang = "ja") -> str:
        """Per question the members whose answer changes, from what to what; the action rows added and removed."""
        return render_impact(self, lang)

    def table(self, lang: Lang = "ja") -> list[dict[str, object]]:
        """One row per question and move: question, members changed, before, after, how many."""
        columns = _COLUMNS[check_lang(lang)]
        return [dict(zip(columns, row, strict=True)) for row in _rows(self, lang)]

    def action_rows(self) -> list[dict[str, Any]]:
        """The action-list rows the change adds (``change: added``) and removes (``removed``)."""
        return [{"change": "added", **row.to_dict()} for row in self.added] + \
               [{"change": "removed", **row.to_dict()} for row in self.removed]

    def html(self, lang: Lang = "ja") -> str:
        """The per-question table as HTML."""
        lang = check_lang(lang)
        caption = render_impact(self, lang).splitlines()[0]
        return html_.table(caption, _COLUMNS[lang], _rows(self, lang), lang)

    def _repr_html_(self) -> str:
        return self.html("ja")

    def chart(self, lang: Lang = "ja") -> Chart:
        """Members whose answer changes, per question, as bars split by move (needs the ``charts`` extra)."""
        lang = check_lang(lang)
        items = self.by_question()
        matplotlib = _matplotlib()
        with _style(matplotlib):
            figure = _figure(max(2.8, 0.5 * len(items) + 0.3 * len({(a, b) for i in items for a, b, _ in i.transitions}) + 1.8))
            ax = figure.add_subplot()
            colours = matplotlib.colormaps["tab10"]
            moves: list[tuple[str, str]] = list(dict.fromkeys(
                (_outcome(self.before, i.question, a, lang), _outcome(self.after, i.question, b, lang))
                for i in items for a, b, _ in i.transitions))
            lefts = [0] * len(items)
            for k, move in enumerate(moves):
                widths = [sum(n for a, b, n in i.transitions
                              if (_outcome(self.before, i.question, a, lang), _outcome(self.after, i.question, b, lang)) == move)
                          for i in items]
                ax.barh(range(len(items)), widths, left=lefts, color=colours(k % 10), label=f"{move[0]} → {move[1]}")
                lefts = [x + w for x, w in zip(lefts, widths, strict=True)]
            ax.set_yticks(range(len(items)), [_title(self, i.question, lang) for i in items], fontsize=8)
            ax.invert_yaxis()
            ax.set_xlabel("加入者数" if lang == "ja" else "members")
            if moves:
                ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.35), fontsize=7, frameon=False)
            title = render_impact(self, lang).splitlines()[0]
            ax.set_title(title, fontsize=10)
        return Chart(figure, title)
