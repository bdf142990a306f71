"""A verdict and a counter's presentations as HTML, and the Decision that hands them out.

A :class:`~hokensho_rules.evaluation.trace.Verdict` is plain data without its law, so
it cannot say its question's title or its rule's citation by itself. The Decision of
this module (the one ``Rulebook.evaluate`` returns) gives, for ``decision[question]``,
a :class:`Verdict` that carries the law and the date it was decided on, and for
``presentations()`` a :class:`Presentations` that does too: both show themselves as a
table in Jupyter, in Japanese (default) or English with ``.html("en")``.

A Verdict here equals the plain verdict with the same answer: the law and the date it
carries are for showing it only.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from ..results import decisions
from ..evaluation import trace
from ..law.packs import Law
from . import html as html_
from .decision import Decision as _Decision
from .decision import decision_html
from .words import (
    Lang,
    check_lang,
    citation,
    datum_label,
    days_left,
    outcome_label,
    question_title,
    rule_title,
    show_date,
    value_label,
    word,
)

__all__ = ["Decision", "Presentations", "Verdict", "presentations_html", "verdict_html"]

_HEADERS = {
    "ja": {"answer": "答え", "data": "データ", "rule": "根拠", "source": "出典", "aside": "退けたルール",
           "agree": "同じ答えのルール", "item": "項目", "value": "内容", "shown": "提示するもの", "why": "根拠",
           "accepted": "受付可", "refused": "受付不可", "counter": "窓口での受付"},
    "en": {"answer": "answer", "data": "data", "rule": "rule", "source": "source", "aside": "set aside",
           "agree": "agreeing rules", "item": "", "value": "", "shown": "shown", "why": "rule",
           "accepted": "accepted", "refused": "refused", "counter": "At the counter"},
}
_BASE_FIELDS = tuple(f.name for f in fields(trace.Verdict))


def _rule(rule: Any, law: Law, on: date, lang: Lang) -> str:
    return f"{rule.id}「{rule_title(rule, law, on, lang)}」" if lang == "ja" else f'{rule.id} "{rule_title(rule, law, on, lang)}"'


def verdict_html(verdict: trace.Verdict, law: Law, on: date, lang: Lang) -> str:
    """One verdict as a table: the answer, its data (deadlines with days left), the deciding
    rule with its citation, the rules that agreed and those it set aside."""
    lang = check_lang(lang)
    words, q = _HEADERS[lang], verdict.question
    action = law.questions[q].outcomes[verdict.outcome].action
    rows: list[tuple[str, str]] = [(words["answer"], outcome_label(law, q, verdict.outcome, lang))]
    for datum, value in verdict.data.items():
        shown = value_label(law, q, datum, value, lang)
        if action is not None and action.due == datum and isinstance(value, date):
            shown += f"（{days_left(value, on, lang)}）" if lang == "ja" else f" ({days_left(value, on, lang)})"
        rows.append((datum_label(law, q, datum, lang), shown))
    rows.append((words["rule"], _rule(verdict.rule, law, on, lang)))
    rows.append((words["source"], citation(verdict.rule, law, lang)))
    if verdict.concurring:
        rows.append((words["agree"], word("and", lang).join(_rule(r, law, on, lang) for r in verdict.concurring)))
    if verdict.overridden:
        rows.append((words["aside"], word("and", lang).join(_rule(r, law, on, lang) for r in verdict.overridden)))
    return html_.table(question_title(law, q, lang), (words["item"], words["value"]), rows, lang, limit=len(rows))


@dataclass(frozen=True, slots=True, eq=False)
class Verdict(trace.Verdict):
    """A verdict that knows its law and date: shown as a table in Jupyter (``.html(lang)``)."""

    law: Law | None = field(default=None, repr=False)
    on: date | None = field(default=None, repr=False)

    @classmethod
    def of(cls, verdict: trace.Verdict, law: Law, on: date) -> Verdict:
        """``verdict`` with the law and date to show it with."""
        return cls(verdict.question, verdict.outcome, verdict.data, verdict.rule, verdict.concurring, verdict.overridden,
                   law=law, on=on)

    def __eq__(self, other: object) -> bool:
        # Equal to a plain verdict with the same answer: law and date are for showing only.
        if not isinstance(other, trace.Verdict):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in _BASE_FIELDS)

    __hash__ = None  # type: ignore[assignment]  # as the plain verdict: its data is a dict

    def html(self, lang: Lang = "ja") -> str:
        """The verdict as an HTML table in ``"ja"`` or ``"en"``."""
        if self.law is None or self.on is None:
            raise ValueError("this verdict was made without its law; show the decision it came from instead")
        return verdict_html(self, self.law, self.on, lang)

    def _repr_html_(self) -> str:
        return self.html("ja") if self.law is not None else f"<pre>{html.escape(repr(self))}</pre>"


def presentations_html(shown: decisions.Presentations, law: Law, on: date, lang: Lang) -> str:
    """What a counter accepts (in order of preference) and refuses, each with its rule."""
    lang = check_lang(lang)
    words = _HEADERS[lang]
    rows = [
        (question_title(law, v.question, lang),
         words["accepted"] if v.outcome == "accepted" else ("warn", outcome_label(law, v.question, v.outcome, lang)),
         _rule(v.rule, law, on, lang))
        for v in (*shown.accepted, *shown.refused)
    ]
    caption = f"{words['counter']}（{show_date(on, lang)}）" if lang == "ja" else f"{words['counter']} ({show_date(on, lang)})"
    return html_.table(caption, (words["shown"], words["answer"], words["why"]), rows, lang, limit=len(rows))


@dataclass(frozen=True, slots=True)
class Presentations(decisions.Presentations):
    """What a patient may show at one institution, and what not: shown as a table in Jupyter."""

    law: Law | None = field(default=None, repr=False, compare=False)
    on: date | None = field(default=None, repr=False, compare=False)

    def html(self, lang: Lang = "ja") -> str:
        """The presentations as an HTML table in ``"ja"`` or ``"en"``."""
        if self.law is None or self.on is None:
            raise ValueError("these presentations were made without their law")
        return presentations_html(self, self.law, self.on, lang)

    def _repr_html_(self) -> str:
        return self.html("ja") if self.law is not None else f"<pre>{html.escape(repr(self))}</pre>"


class Decision(_Decision):
    """Every question's verdict for one member on one date, readable in ja and en.

    Index it by question id (``decision["paper_card.usable"].outcome``): the verdict shows
    itself as a table in Jupyter. :meth:`explain` gives a clerk's summary,
    :meth:`explanation` the same as data, :meth:`html` the whole decision as a table.
    """

    def __getitem__(self, question: str) -> Verdict:
        return Verdict.of(super().__getitem__(question), self.law, self.on)

    def presentations(self) -> Presentations:
        """What the institution accepts, in the rulebook's order of preference, and what it
        refuses with the deciding rule as the reason (needs ``situation=``; else ``ValueError``)."""
        shown = super().presentations()
        return Presentations(shown.accepted, shown.refused, law=self.law, on=self.on)

    def html(self, lang: Lang = "ja") -> str:
        """The decision as an HTML table in ``"ja"`` or ``"en"``."""
        return decision_html(self, check_lang(lang))
