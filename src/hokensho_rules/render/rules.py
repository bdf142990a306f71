"""The law in words, without a member: rules, conditions, periods and data as a reader of the rule reference reads them.

``render.decision.describe`` says why a condition held *for one member on one date*
(it needs a Decision: the record and the parameters of that day). The rule reference
describes a rule for everyone: the same conditions with the values of the parameters
they name (every dated value, when a parameter has several), the period in force, and
how each outcome datum is computed. Everything comes from the law (titles, labels,
parameters); nothing here is a legal date or condition.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from ..law.packs import Law
from ..law.schema import (
    AnyOf,
    Compare,
    Condition,
    DayAfter,
    DayBefore,
    DaysBefore,
    Expr,
    FactRef,
    InForce,
    MaxOf,
    MinOf,
    MonthEnd,
    OnOrAfter,
    OutcomeDataRef,
    OutcomeIs,
    ParamRef,
    PeriodEnd,
    Presence,
    Setting,
    Rule,
    WithinDays,
    WorkingDay,
)
from .words import Lang, check_lang, datum_label, fact_label, fact_value, outcome_label, question_title, show_date, text, word

__all__ = ["describe_condition", "describe_expr", "describe_in_force", "describe_setting", "param_value", "rule_title_in_law"]

_RELATION = {
    "ja": {"eq": "{a}が{b}", "ne": "{a}が{b}でない", "lt": "{a}が{b}より前", "lte": "{a}が{b}以前",
           "gt": "{a}が{b}より後", "gte": "{a}が{b}以降", "present": "{a}がある", "absent": "{a}がない",
           "is": "「{a}」が「{b}」"},
    "en": {"eq": "{a} is {b}", "ne": "{a} is not {b}", "lt": "{a} is before {b}", "lte": "{a} is on or before {b}",
           "gt": "{a} is after {b}", "gte": "{a} is on or after {b}", "present": "{a} is known",
           "absent": "{a} is not known", "is": "“{a}” is “{b}”"},
}
_PERIOD = {
    "ja": {"from": "{d}から", "after": "{d}の翌日から", "until": "{d}まで", "before": "{d}の前日まで",
           "always": "常に（期間の定めなし）", "join": "", "dated": "{first}（{since}以降は{value}）"},
    "en": {"from": "from {d}", "after": "after {d}", "until": "up to and including {d}", "before": "before {d}",
           "always": "always (no period set)", "join": " ", "dated": "{first} ({value} from {since})"},
}
_EXPR = {
    "ja": {"min": "{items}のうち早い日", "max": "{items}のうち遅い日", "day_before": "{x}の前日",
           "day_after": "{x}の翌日", "period_end": "{x}から{n}の期間の末日（民法第143条）",
           "within_days": "{x}から{n}日以内（初日不算入）", "days_before": "{x}の{n}日前",
           "on_or_after": "{x}（{y}以降の場合のみ）", "working_day": "{x}（休日に当たるときは翌営業日。休日：{y}）", "month_end": "{x}の属する月から{n}か月後の月末",
           "years": "{n}年", "months": "{n}か月", "sep": "・"},
    "en": {"min": "the earliest of {items}", "max": "the latest of {items}", "day_before": "the day before {x}",
           "day_after": "the day after {x}", "period_end": "the last day of {n} from {x} (Civil Code art. 143)",
           "within_days": "within {n} days of {x} (not counting its day)", "days_before": "{n} days before {x}",
           "on_or_after": "{x} (only if on or after {y})",
           "working_day": "{x} (or the next working day if it is a day off: {y})", "month_end": "the end of the {n}th month after the month of {x}",
           "years": "{n} years", "months": "{n} months", "sep": ", "},
}


def _value(value: date | int | str, lang: Lang, law: Law | None = None, name: str = "") -> str:
    if isinstance(value, date):
        return show_date(value, lang)
    label = law.parameters[name].choices.get(str(value)) if law is not None and name else None
    return text(label, lang) if label is not None else str(value)


_SETTING = {"ja": "保険者の設定「{a}」が「{b}」", "en": "the insurer's setting “{a}” is “{b}”"}


def describe_setting(condition: Setting, law: Law, lang: Lang, values: Sequence[str] | None = None) -> str:
    """A setting condition in words, with ``values`` (default: those it asks for): 保険者の設定「…」が「職権で交付」."""
    lang = check_lang(lang)
    parameter = law.parameters[condition.setting]
    shown = "／".join(_value(v, lang, law, condition.setting) for v in (values if values is not None else condition.is_))
    return _SETTING[lang].format(a=text(parameter.title, lang), b=shown)


def param_value(law: Law, name: str, lang: Lang) -> str:
    """A parameter's value in words; a parameter with dated values gives each, with the day it applies from."""
    lang = check_lang(lang)
    values = law.parameters[name].values
    shown = _value(values[0].value, lang, law, name)
    for dated in values[1:]:
        assert dated.since is not None  # the schema requires it after the first value
        shown = _PERIOD[lang]["dated"].format(
            first=shown, since=show_date(dated.since, lang), value=_value(dated.value, lang, law, name)
        )
    return shown


def _param(law: Law, name: str, lang: Lang) -> str:
    title = text(law.parameters[name].title, lang)
    if lang == "en" and title[1:2].islower():  # inside a sentence: "the day …", but "MHLW …" stays
        title = title[0].lower() + title[1:]
    return f"{title}（{param_value(law, name, lang)}）" if lang == "ja" else f"{title} ({param_value(law, name, lang)})"


_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def rule_title_in_law(rule: Rule, law: Law, lang: Lang) -> str:
    """A rule's title with each ``{parameter}`` it quotes written out (every dated value)."""
    lang = check_lang(lang)

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return param_value(law, name, lang) if name in law.parameters else match.group(0)

    return _PLACEHOLDER.sub(value, text(rule.title, lang))


def _operand(condition: Compare, law: Law, lang: Lang) -> str:
    operand = condition.operand
    if isinstance(operand, ParamRef):
        return _param(law, operand.param, lang)
    if isinstance(operand, FactRef):
        return fact_label(law, operand.fact, lang)
    if isinstance(operand, OutcomeDataRef):
        return f"{question_title(law, operand.outcome, lang)}：{datum_label(law, operand.outcome, operand.data, lang)}" \
            if lang == "ja" else f"{datum_label(law, operand.outcome, operand.data, lang)} of “{question_title(law, operand.outcome, lang)}”"
    return fact_value(law, condition.fact, operand, lang)


def describe_condition(condition: Condition, law: Law, lang: Lang) -> str:
    """One condition as a sentence for every member: 健康保険証の交付日が健康保険証の廃止日（令和6年12月2日）より前."""
    lang = check_lang(lang)
    relation = _RELATION[lang]
    if isinstance(condition, AnyOf):
        inner = word("or", lang).join(describe_condition(c, law, lang) for c in condition.any)
        return f"（{inner}）" if lang == "ja" else f"({inner})"
    if isinstance(condition, OutcomeIs):
        wanted = "／".join(outcome_label(law, condition.outcome, o, lang) for o in condition.is_)
        return relation["is"].format(a=question_title(law, condition.outcome, lang), b=wanted)
    if isinstance(condition, Presence):
        return relation["present" if condition.present else "absent"].format(a=fact_label(law, condition.fact, lang))
    if isinstance(condition, Setting):
        return describe_setting(condition, law, lang)
    assert isinstance(condition, Compare)
    return relation[condition.operator].format(a=fact_label(law, condition.fact, lang), b=_operand(condition, law, lang))


def _bound(value: date | ParamRef, law: Law, lang: Lang) -> str:
    return show_date(value, lang) if isinstance(value, date) else _param(law, value.param, lang)


def describe_in_force(in_force: InForce, law: Law, lang: Lang) -> str:
    """The period a rule is in force, in words: 令和7年12月2日から / up to and including …; or always."""
    lang = check_lang(lang)
    words = _PERIOD[lang]
    parts = [
        words[name].format(d=_bound(value, law, lang))
        for name, value in (("from", in_force.from_), ("after", in_force.after), ("until", in_force.until),
                            ("before", in_force.before))
        if value is not None
    ]
    return words["join"].join(parts) if parts else words["always"]


def _count(value: int | ParamRef, law: Law, lang: Lang) -> str:
    return str(value) if isinstance(value, int) else _param(law, value.param, lang)


def describe_expr(expr: Expr, law: Law, question: str, lang: Lang) -> str:
    """How an outcome datum is computed, in words (``question`` labels the text values it may take)."""
    lang = check_lang(lang)
    words = _EXPR[lang]

    def inner(e: Expr) -> str:
        return describe_expr(e, law, question, lang)

    if isinstance(expr, ParamRef):
        return _param(law, expr.param, lang)
    if isinstance(expr, FactRef):
        return fact_label(law, expr.fact, lang)
    if isinstance(expr, OutcomeDataRef):
        return datum_label(law, expr.outcome, expr.data, lang)
    if isinstance(expr, (MinOf, MaxOf)):
        items = expr.min if isinstance(expr, MinOf) else expr.max
        joined = words["sep"].join(inner(e) for e in items)
        return words["min" if isinstance(expr, MinOf) else "max"].format(items=f"［{joined}］" if lang == "ja" else f"[{joined}]")
    if isinstance(expr, DayBefore):
        return words["day_before"].format(x=inner(expr.day_before))
    if isinstance(expr, DayAfter):
        return words["day_after"].format(x=inner(expr.day_after))
    if isinstance(expr, PeriodEnd):
        spec = expr.period_end
        length = [words[unit].format(n=_count(n, law, lang)) for unit, n in (("years", spec.years), ("months", spec.months))
                  if not (isinstance(n, int) and n == 0)]
        return words["period_end"].format(x=inner(spec.start), n=("" if lang == "ja" else " ").join(length))
    if isinstance(expr, WithinDays):
        return words["within_days"].format(x=inner(expr.within_days.start), n=_count(expr.within_days.days, law, lang))
    if isinstance(expr, WorkingDay):
        return words["working_day"].format(x=inner(expr.working_day.date), y=_param(law, expr.working_day.days_off.param, lang))
    if isinstance(expr, DaysBefore):
        return words["days_before"].format(x=inner(expr.days_before.start), n=_count(expr.days_before.days, law, lang))
    if isinstance(expr, OnOrAfter):
        return words["on_or_after"].format(x=inner(expr.on_or_after.date), y=inner(expr.on_or_after.from_))
    if isinstance(expr, MonthEnd):
        return words["month_end"].format(x=inner(expr.month_end.start), n=_count(expr.month_end.months, law, lang))
    if isinstance(expr, date):
        return show_date(expr, lang)
    label = law.questions[question].data
    for datum in label.values():
        if expr in datum.values:
            return text(datum.values[expr], lang)
    return expr
