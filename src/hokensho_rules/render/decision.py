"""A decision in words: what a clerk reads, in Japanese (default) or English.

The summary (``detail="summary"``) gives, for the questions a clerk looks at first
(those marked ``headline`` in ``rules/``) and every question that calls for an action:
the answer and its data (deadlines with the days left or overdue), the deciding rule
with its title and citation, the rules it set aside, and, where an action is called
for, the conditions that made it apply: one screen per member. With a counter
situation the first line says what the patient may show there.

Ruling X-23: a failed condition is stated as what is true instead, an absent document
or date reads "none" (がない), and "set aside" names only rules that would have
answered otherwise. ``detail="full"`` adds, for every question, each rule that did not apply with
its first failing condition, as a sentence.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Literal

from ..results import decisions
from ..results.decisions import Explanation, decoded
from ..evaluation.trace import Verdict
from ..facts.record import fact_key
from ..facts.privacy import shown
from ..law.conditions import all_conditions, holds, operand_value
from ..law.packs import Law
from ..law.expressions import days_off_of, evaluate_expr
from ..law.schema import (
    AnyOf, Compare, Condition, Confidence, FactRef, OutcomeDataRef, OutcomeIs, ParamRef, Setting, WorkingDay,
)
from .rules import describe_setting
from . import html as html_
from .words import (
    Lang,
    check_lang,
    citation,
    datum_label,
    days_left,
    fact_label,
    fact_value,
    outcome_label,
    question_title,
    rule_title,
    show_date,
    text,
    value_label,
    word,
)

__all__ = ["Decision", "Detail", "describe", "explain"]

Detail = Literal["summary", "full"]

_RELATION = {
    "ja": {"eq": "{a}が{b}", "ne": "{a}が{b}でない", "lt": "{a}が{b}より前", "lte": "{a}が{b}以前",
           "gt": "{a}が{b}より後", "gte": "{a}が{b}以降", "present": "{a}がある", "absent": "{a}がない",
           "is": "「{a}」が「{b}」", "unset": "{a}がない"},
    "en": {"eq": "{a} is {b}", "ne": "{a} is not {b}", "lt": "{a} is before {b}", "lte": "{a} is on or before {b}",
           "gt": "{a} is after {b}", "gte": "{a} is on or after {b}", "present": "{a} is recorded",
           "absent": "{a}: none", "is": "“{a}” is “{b}”", "unset": "{a}: none"},
}
# What is true when a comparison of two known values fails (X-23: say what is so).
_NEGATED = {"eq": "ne", "ne": "eq", "lt": "gte", "lte": "gt", "gt": "lte", "gte": "lt"}
_LINES = {
    "ja": {"head": "{member} {id}（{on_word} {on}）", "answer": "■ {question}：{outcome}", "rule": "  {decided}：{rule}",
           "because": "  {because}：{why}", "aside": "  {set_aside}：{rules}", "failed": "  · {rule}：{why}"},
    "en": {"head": "{member} {id} ({on_word} {on})", "answer": "■ {question}: {outcome}", "rule": "  {decided}: {rule}",
           "because": "  {because}: {why}", "aside": "  {set_aside}: {rules}", "failed": "  · {rule}: {why}"},
}


def _operand(condition: Compare, decision: decisions.Decision, lang: Lang) -> str:
    """The right-hand side of a comparison: a named value (a parameter, a fact, a datum) or a literal."""
    law, operand = decision.law, condition.operand
    if isinstance(operand, ParamRef):
        value = decision.law.params_on(decision.on)[operand.param]
        shown = show_date(value, lang) if isinstance(value, date) else str(value)
        return f"{_param_title(law, operand.param, lang)}（{shown}）" if lang == "ja" else f"{_param_title(law, operand.param, lang)} ({shown})"
    if isinstance(operand, (FactRef, OutcomeDataRef)):
        name = operand.fact if isinstance(operand, FactRef) else f"{operand.outcome}.{operand.data}"
        return _named(name, decoded(name, operand_value(operand, decision.record, {})), law, lang)
    return fact_value(law, condition.fact, operand, lang)


def _param_title(law: Law, name: str, lang: Lang) -> str:
    title = law.parameters[name].title
    if lang == "ja":
        return title.ja
    # Inside a sentence: "the day …", but "MHLW …" keeps its capitals.
    return title.en[0].lower() + title.en[1:] if title.en[1:2].islower() else title.en


def _named(name: str, value: object, law: Law, lang: Lang) -> str:
    """A fact by its label with its value on this date: 資格喪失日（なし）."""
    label, shown = fact_label(law, name, lang), fact_value(law, name, value, lang)
    if name == "date":  # the evaluation date is named, its value is in the heading
        return label
    return f"{label}（{shown}）" if lang == "ja" else f"{label} ({shown})"


def describe(condition: Condition, decision: decisions.Decision, lang: Lang, *, held: bool = False) -> str:
    """One condition as a sentence, with the values it compared for this member and date.

    ``held``: the condition holds, so say only what made it hold (the alternative of an
    ``any`` that held, the outcome a question had).
    """
    law, relation = decision.law, _RELATION[lang]
    if isinstance(condition, AnyOf):
        params = law.params_on(decision.on)
        holding = [c for c in condition.any if holds(c, decision.record, params)]
        if held and holding:
            return describe(holding[0], decision, lang, held=True)
        return word("or", lang).join(describe(c, decision, lang) for c in condition.any)
    if isinstance(condition, OutcomeIs):
        answer = decision.verdicts.get(condition.outcome)
        outcomes = [answer.outcome] if held and answer is not None else condition.is_
        wanted = "／".join(outcome_label(law, condition.outcome, o, lang) for o in outcomes)
        return relation["is"].format(a=question_title(law, condition.outcome, lang), b=wanted)
    if isinstance(condition, Setting):
        # What the setting is, held or not: a true sentence either way.
        return describe_setting(condition, law, lang, [str(law.params_on(decision.on)[condition.setting])])
    if not isinstance(condition, Compare):
        return relation["present" if condition.present else "absent"].format(a=fact_label(law, condition.fact, lang))
    value = decoded(condition.fact, decision.record.get(fact_key(condition.fact)))
    if value is None and not held:
        # A comparison with an unknown value fails for that reason alone: say so.
        return relation["unset"].format(a=fact_label(law, condition.fact, lang))
    if condition.operator in ("eq", "ne") and not isinstance(value, date):
        # A flag or a text: its name and value, as a form shows them.
        shown = fact_value(law, condition.fact, value, lang)
        wanted = _operand(condition, decision, lang)
        label = fact_label(law, condition.fact, lang)
        if held:
            return f"{label}：{shown}" if lang == "ja" else f"{label}: {shown}"
        return relation[condition.operator].format(a=f"{label}（{shown}）" if lang == "ja" else f"{label} ({shown})", b=wanted)
    left = _named(condition.fact, value, law, lang)
    return relation[condition.operator].format(a=left, b=_operand(condition, decision, lang))


def _data(verdict: Verdict, decision: decisions.Decision, lang: Lang) -> str:
    """The answer's data in words; the deadline of an action with the days left or overdue,
    and why a deadline moved past a day off (X-21)."""
    law, on = decision.law, decision.on
    action = law.questions[verdict.question].outcomes[verdict.outcome].action
    parts = []
    for datum, value in verdict.data.items():
        shown = value_label(law, verdict.question, datum, value, lang)
        if action is not None and action.due == datum and isinstance(value, date):
            shown += f"（{days_left(value, on, lang)}）" if lang == "ja" else f" ({days_left(value, on, lang)})"
        moved = _moved(verdict.rule.data.get(datum), decision, lang)
        parts.append(f"{datum_label(law, verdict.question, datum, lang)} {shown}{moved}")
    if not parts:
        return ""
    return "；" + "、".join(parts) if lang == "ja" else "; " + ", ".join(parts)


_CONFIDENCE = {
    "ja": {"head": "  確からしさ：{level}（{note}）", "high": "高", "medium": "中", "low": "低", "contested": "争いあり"},
    "en": {"head": "  confidence: {level} ({note})", "high": "high", "medium": "medium", "low": "low", "contested": "contested"},
}


def _confidence_line(confidence: Confidence, lang: Lang) -> str:
    words = _CONFIDENCE[lang]
    return words["head"].format(level=words[confidence.level], note=text(confidence.note, lang))


_MOVED = {
    "ja": "（末日の{day}が{why}のため翌営業日まで延長）",
    "en": " (moved from {day}, a {why}, to the next working day)",
}
_DAY_OFF = {
    "ja": {"saturday": "土曜日", "sunday": "日曜日", "national_holiday": "国民の祝日", "year_end": "年末年始の休日"},
    "en": {"saturday": "Saturday", "sunday": "Sunday", "national_holiday": "national holiday", "year_end": "year-end day off"},
}


def _moved(expr: object, decision: decisions.Decision, lang: Lang) -> str:
    """Where a working-day deadline's last counted day was a day off, that day and why."""
    if isinstance(expr, OutcomeDataRef):  # a deadline another question computed
        source = decision.verdicts.get(expr.outcome)
        return _moved(source.rule.data.get(expr.data), decision, lang) if source is not None else ""
    if not isinstance(expr, WorkingDay):
        return ""
    params = decision.law.params_on(decision.on)
    counted = evaluate_expr(expr.working_day.date, decision.record, params)
    if not isinstance(counted, date):
        return ""
    reason = days_off_of(expr, params).reason(counted)
    if reason is None:
        return ""
    return _MOVED[lang].format(day=show_date(counted, lang), why=_DAY_OFF[lang][reason])


def _rule(verdict: Verdict, law: Law, on: date, lang: Lang) -> str:
    rule = verdict.rule
    title, cited = rule_title(rule, law, on, lang), citation(rule, law, lang)
    source = word("source", lang)
    return f"{rule.id}「{title}」（{source}：{cited}）" if lang == "ja" else f'{rule.id} "{title}" ({source}: {cited})'


def _shown_questions(decision: decisions.Decision, detail: Detail, questions: Collection[str] | None) -> list[str]:
    if questions is not None:
        unknown = [q for q in questions if q not in decision.verdicts]
        if unknown:
            raise KeyError(f"no question {', '.join(map(repr, unknown))}; questions: {', '.join(decision.verdicts)}")
        return [q for q in decision.verdicts if q in set(questions)]
    if detail == "full":
        return list(decision.verdicts)
    law = decision.law
    return [
        q for q, v in decision.verdicts.items()
        if law.questions[q].headline or law.questions[q].outcomes[v.outcome].action is not None
    ]


def explain(
    decision: decisions.Decision, lang: Lang = "ja", *, detail: Detail = "summary", questions: Collection[str] | None = None
) -> str:
    """The decision as text a member-services clerk reads (see the module docstring)."""
    lang = check_lang(lang)
    if detail not in ("summary", "full"):
        raise ValueError(f"detail must be 'summary' or 'full', got {shown(detail)}")
    law, on, lines = decision.law, decision.on, _LINES[lang]
    out = [lines["head"].format(member=word("member", lang), id=decision.member_id, on_word=word("on", lang), on=show_date(on, lang))]
    counter = _counter(decision, lang)
    if counter:  # with a counter situation, its question is answered first
        out.insert(0, counter)
    for question in _shown_questions(decision, detail, questions):
        verdict = decision.verdicts[question]
        out.append(lines["answer"].format(
            question=question_title(law, question, lang),
            outcome=outcome_label(law, question, verdict.outcome, lang) + _data(verdict, decision, lang),
        ))
        out.append(lines["rule"].format(decided=word("decided", lang), rule=_rule(verdict, law, on, lang)))
        if verdict.rule.confidence is not None:
            out.append(_confidence_line(verdict.rule.confidence, lang))
        # One screen for a member: a summary says why only where something is to be done.
        acts = law.questions[question].outcomes[verdict.outcome].action is not None
        why = _why(verdict, decision, lang) if acts or detail == "full" or questions is not None else ""
        if why:
            out.append(lines["because"].format(because=word("because", lang), why=why))
        if verdict.overridden:
            aside = word("and", lang).join(f"{r.id}「{rule_title(r, law, on, lang)}」" if lang == "ja" else f'{r.id} "{rule_title(r, law, on, lang)}"' for r in verdict.overridden)
            out.append(lines["aside"].format(set_aside=word("set_aside", lang), rules=aside))
        if detail == "full" or questions is not None:
            out.extend(_not_applied(decision.explanation(question), decision, lang))
    return "\n".join(out)


_COUNTER = {
    "ja": ("窓口で受診できる：{docs}", "窓口で受診できる書類・画面がない"),
    "en": ("At the counter, accepted: {docs}", "At the counter nothing shown is accepted"),
}


def _counter(decision: decisions.Decision, lang: Lang) -> str:
    """What a patient may show at this counter, in one line; empty without a counter situation."""
    law = decision.law
    asked = [(q, v) for q, v in decision.verdicts.items() if law.questions[q].requires is not None]
    if not asked:
        return ""
    # A presentation question's title names the document after "At the counter: " (受診時の提示: ).
    docs = [question_title(law, q, lang).partition(":")[2].strip() or question_title(law, q, lang)
            for q, v in asked if v.outcome == "accepted"]
    accepted, nothing = _COUNTER[lang]
    return accepted.format(docs=("、" if lang == "ja" else "; ").join(docs)) if docs else nothing


def _why(verdict: Verdict, decision: decisions.Decision, lang: Lang) -> str:
    """The deciding rule's own conditions (its period in force only when it has no other) as sentences."""
    rule = verdict.rule
    conditions: Sequence[Condition] = rule.when or all_conditions(rule)
    return word("and", lang).join(describe(c, decision, lang, held=True) for c in conditions)


def _not_applied(explanation: Explanation, decision: decisions.Decision, lang: Lang) -> list[str]:
    """Each rule of the question that did not apply, with what is true instead of its first failed condition."""
    law, lines, on = decision.law, _LINES[lang], decision.on
    out = []
    for item in explanation.not_applied:
        title = rule_title(item.rule, law, on, lang)
        rule = f"{item.rule.id}「{title}」" if lang == "ja" else f'{item.rule.id} "{title}"'
        out.append(lines["failed"].format(rule=rule, why=true_instead(item.failed, decision, lang)))
    return out


def true_instead(condition: Condition, decision: decisions.Decision, lang: Lang) -> str:
    """What is so, for a condition that failed (ruling X-23): never the false sentence itself."""
    law, relation = decision.law, _RELATION[lang]
    if isinstance(condition, AnyOf):  # every alternative failed
        return word("and", lang).join(true_instead(c, decision, lang) for c in condition.any)
    if isinstance(condition, OutcomeIs):
        return describe(condition, decision, lang, held=True)  # the answer the question did get
    if isinstance(condition, Setting):
        return describe(condition, decision, lang)  # the insurer's setting as it is
    if not isinstance(condition, Compare):
        return relation["absent" if condition.present else "present"].format(a=fact_label(law, condition.fact, lang))
    value = decoded(condition.fact, decision.record.get(fact_key(condition.fact)))
    if value is None:
        return relation["unset"].format(a=fact_label(law, condition.fact, lang))
    operand = condition.operand
    if isinstance(operand, (FactRef, OutcomeDataRef)) and operand_value(operand, decision.record, {}) is None:
        name = operand.fact if isinstance(operand, FactRef) else f"{operand.outcome}.{operand.data}"
        return relation["unset"].format(a=fact_label(law, name, lang))
    if condition.operator in ("eq", "ne") and not isinstance(value, date):
        return describe(condition, decision, lang, held=True)  # the value it has
    negated = Compare.model_validate({"fact": condition.fact, _NEGATED[condition.operator]: operand})
    return describe(negated, decision, lang, held=True)


class Decision(decisions.Decision):
    """Every question's verdict for one member on one date, readable in ja and en.

    Index it by question id (``decision["paper_card.usable"].outcome``);
    :meth:`explain` gives a clerk's summary, :meth:`explanation` the same as data.
    """

    def explain(
        self, lang: Lang = "ja", *, detail: Detail = "summary",
        questions: Collection[str] | None = None, question: str | None = None,
    ) -> str:
        """The decision as text a member-services clerk reads, in ``"ja"`` (令和 dates) or ``"en"``.

        By default a summary: the answers a clerk looks at first and every one that calls
        for an action, each with its deciding rule, citation, what made it apply, its
        deadlines (with days left or overdue) and the rules it set aside.
        ``detail="full"``: every question, with each rule that did not apply and why.
        ``questions=[...]`` or ``question=...``: those only, with the rules that did not apply.
        """
        if question is not None:
            questions = [question]
        return explain(self, lang, detail=detail, questions=questions)

    def _repr_html_(self) -> str:
        return decision_html(self, "ja")


def decision_html(decision: decisions.Decision, lang: Lang) -> str:
    """The decision as a table: each question, its answer and data, and the deciding rule."""
    law, on = decision.law, decision.on
    headers = ("質問", "答え", "根拠") if lang == "ja" else ("question", "answer", "rule")
    rows = [
        (question_title(law, q, lang), outcome_label(law, q, v.outcome, lang) + _data(v, decision, lang),
         f"{v.rule_id} {rule_title(v.rule, law, on, lang)}")
        for q, v in decision.verdicts.items()
    ]
    caption = f"{word('member', lang)} {decision.member_id} — {show_date(on, lang)}"
    return html_.table(caption, headers, rows, lang, limit=len(rows))
