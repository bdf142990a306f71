"""Explanations: why each question got its answer, as data and as text in ja or en."""

from __future__ import annotations

from datetime import date

from .decisions import (
    Decision,
    Explanation,
    Lang,
    NotApplied,
    Verdict,
    check_lang,
    show_date,
)
from .flat import FACT_TYPES, Scalar, decode, fact_key
from .rulebook.book import Rulebook
from .rulebook.conditions import (
    all_conditions,
    first_failing,
    operand_value,
    referenced_keys,
)
from .rulebook.schema import (
    AnyOf,
    Compare,
    Condition,
    FactRef,
    OutcomeDataRef,
    OutcomeIs,
    ParamRef,
    Rule,
)

__all__ = ["explain_verdict", "render_decision"]

_SYMBOLS = {"eq": "=", "ne": "≠", "lt": "<", "lte": "≤", "gt": ">", "gte": "≥"}
_WORDS = {
    "ja": {
        "decided": "決定", "matched": "該当した事実", "overrode": "例外として優先",
        "concurring": "同じ結論のルール", "not_applied": "適用されなかったルール", "failed": "不成立",
        "present": "あり", "absent": "なし", "unknown": "未設定", "or": " または ", "member": "加入者",
        "on": "判定日", "yes": "はい", "no": "いいえ",
    },
    "en": {
        "decided": "decided by", "matched": "facts matched", "overrode": "overrode",
        "concurring": "agreeing rules", "not_applied": "rules that did not apply", "failed": "failed",
        "present": "present", "absent": "absent", "unknown": "not set", "or": " or ", "member": "Member",
        "on": "on", "yes": "yes", "no": "no",
    },
}


def explain_verdict(decision: Decision, verdict: Verdict) -> Explanation:
    """The structured explanation of ``verdict`` within ``decision``."""
    book, fact = decision.rulebook, decision.fact
    params = book.params_on(decision.on)
    matched: dict[str, date | Scalar | None] = {}
    for condition in all_conditions(verdict.rule):
        for name, key in referenced_keys(condition):
            matched.setdefault(name, _decoded(name, fact.get(key)))
    others = [r for r in book.rules.values() if r.question == verdict.question and r is not verdict.rule]
    not_applied = []
    for rule in others:
        failed = first_failing(rule, fact, params)
        if failed is not None:
            not_applied.append(NotApplied(rule, failed))
    return Explanation(verdict, tuple(matched.items()), tuple(not_applied))


def _decoded(name: str, value: Scalar | None) -> date | Scalar | None:
    if value is None:
        return None
    # Outcome data, the only other thing read, holds dates or text.
    kind = FACT_TYPES[name].kind if name in FACT_TYPES else "date"
    return decode(value, kind)


def _show(value: object, lang: Lang) -> str:
    if value is None:
        return _WORDS[lang]["unknown"]
    if isinstance(value, date):
        return show_date(value, lang)
    if isinstance(value, bool):
        return _WORDS[lang]["yes" if value else "no"]
    return str(value)


def _shown_fact(book: Rulebook, name: str, value: object, lang: Lang) -> str:
    """A matched value as a clerk reads it: documents held or not, outcomes by label."""
    if name in book.questions and isinstance(value, str):
        return str(getattr(book.questions[name].outcomes[value], lang))
    if name in FACT_TYPES and FACT_TYPES[name].kind == "presence":
        return _WORDS[lang]["present" if value else "absent"]
    return _show(value, lang)


def _label(book: Rulebook, name: str, lang: Lang) -> str:
    if name in book.fact_labels:
        return str(getattr(book.fact_labels[name], lang))
    if name in book.questions:
        return str(getattr(book.questions[name].title, lang))
    question, _, datum = name.rpartition(".")
    if question in book.questions:
        return f"{getattr(book.questions[question].title, lang)} / {datum}"
    return name


def describe(condition: Condition, decision: Decision, lang: Lang) -> str:
    """One condition as text, with the values it compared on this member and date."""
    book, fact = decision.rulebook, decision.fact
    words = _WORDS[lang]
    if isinstance(condition, AnyOf):
        return "(" + words["or"].join(describe(c, decision, lang) for c in condition.any) + ")"
    if isinstance(condition, OutcomeIs):
        question = book.questions[condition.outcome]
        wanted = "/".join(str(getattr(question.outcomes[o], lang)) for o in condition.is_)
        actual = decision.verdicts.get(condition.outcome)
        got = getattr(question.outcomes[actual.outcome], lang) if actual else words["unknown"]
        return f"{getattr(question.title, lang)} = {wanted} ({got})"
    left_name = condition.fact
    left = _shown_fact(book, left_name, _decoded(left_name, fact.get(fact_key(left_name))), lang)
    if not isinstance(condition, Compare):
        state = words["present" if condition.present else "absent"]
        return f"{_label(book, left_name, lang)}: {state} ({left})"
    operand = condition.operand
    if isinstance(operand, ParamRef):
        right_label = str(getattr(book.parameters[operand.param].title, lang))
        right = _show(book.params_on(decision.on)[operand.param], lang)
    elif isinstance(operand, (FactRef, OutcomeDataRef)):
        name = operand.fact if isinstance(operand, FactRef) else f"{operand.outcome}.{operand.data}"
        right_label = _label(book, name, lang)
        right = _show(_decoded(name, operand_value(operand, fact, {})), lang)
    else:
        right_label, right = "", _show(operand, lang)
    symbol = _SYMBOLS[condition.operator]
    rhs = f"{right_label} ({right})" if right_label else right
    return f"{_label(book, left_name, lang)} ({left}) {symbol} {rhs}"


def _rule_line(rule: Rule, book: Rulebook, lang: Lang) -> str:
    source = getattr(book.sources[rule.citation.source].title, lang)
    sections = ", ".join(rule.citation.sections)
    title = getattr(rule.title, lang)
    if lang == "ja":
        return f"{rule.id}「{title}」（出典: {source} {sections}）"
    return f'{rule.id} "{title}" (source: {source}, {sections})'


def render_decision(decision: Decision, lang: Lang) -> str:
    """The whole decision as readable text."""
    check_lang(lang)
    book, words = decision.rulebook, _WORDS[lang]
    lines = [f"{words['member']} {decision.member_id} — {words['on']} {_show(decision.on, lang)}"]
    for question, verdict in decision.verdicts.items():
        q = book.questions[question]
        outcome = getattr(q.outcomes[verdict.outcome], lang)
        data = "".join(f"; {k} = {_show(v, lang)}" for k, v in verdict.data.items())
        lines.append(f"■ {getattr(q.title, lang)}: {outcome}{data}")
        lines.append(f"  {words['decided']}: {_rule_line(verdict.rule, book, lang)}")
        explanation = explain_verdict(decision, verdict)
        if explanation.matched:
            shown = ", ".join(
                f"{_label(book, n, lang)} = {_shown_fact(book, n, v, lang)}" for n, v in explanation.matched
            )
            lines.append(f"  {words['matched']}: {shown}")
        if verdict.overridden:
            lines.append(f"  {words['overrode']}: {', '.join(r.id for r in verdict.overridden)}")
        if verdict.concurring:
            lines.append(f"  {words['concurring']}: {', '.join(r.id for r in verdict.concurring)}")
        for item in explanation.not_applied:
            lines.append(f"  · {item.rule.id} {words['failed']}: {describe(item.failed, decision, lang)}")
    return "\n".join(lines)
