"""Words: every label, value and date as a reader of Japanese or English reads it.

Labels live in ``rules/`` next to what they name (questions, outcomes, data and their
values, facts and theirs, parameters, sources); this module only picks the language,
writes dates (令和 in Japanese), and fills the legal dates a title quotes from the
parameters in force (``{paper_card_abolished_on}`` in a title).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from ..law.calendar import WarekiError, format_wareki
from ..facts.privacy import shown
from ..facts.record import FACT_TYPES
from ..law.packs import Law
from ..law.schema import Rule, Text

__all__ = [
    "Lang",
    "check_lang",
    "citation",
    "datum_label",
    "days_left",
    "fact_label",
    "fact_value",
    "fill",
    "outcome_label",
    "question_title",
    "rule_title",
    "show_date",
    "text",
    "value_label",
    "word",
]

Lang = Literal["ja", "en"]

# The few words that are the library's own, not the law's.
_WORDS: dict[str, dict[str, str]] = {
    "ja": {
        "yes": "はい", "no": "いいえ", "held": "あり", "not_held": "なし", "unknown": "なし",
        "or": "、または", "and": "、", "member": "加入者", "on": "判定日", "source": "出典",
        "decided": "根拠", "because": "該当", "set_aside": "退けたルール", "not_applied": "適用されなかったルール",
        "overdue": "期限超過・{n}日経過", "due_today": "本日が期限", "days_left": "あと{n}日",
        "more": "… 他 {n} 件", "no_deadline": "期限なし", "gap": "受診手段の空白",
    },
    "en": {
        "yes": "yes", "no": "no", "held": "held", "not_held": "not held", "unknown": "none",
        "or": ", or ", "and": "; ", "member": "Member", "on": "on", "source": "source",
        "decided": "rule", "because": "because", "set_aside": "set aside", "not_applied": "rules that did not apply",
        "overdue": "days overdue: {n}", "due_today": "due today", "days_left": "days left: {n}",
        "more": "… {n} more rows", "no_deadline": "no deadline", "gap": "coverage gap",
    },
}


def check_lang(lang: object) -> Lang:
    """``lang`` itself if it is a language texts are written in; ``ValueError`` otherwise."""
    if lang == "ja" or lang == "en":
        return lang
    raise ValueError(f"lang must be 'ja' or 'en', got {shown(lang)}")


def word(key: str, lang: Lang, **values: object) -> str:
    """One of the library's own words (``"overdue"``, ``"more"``…), filled with ``values``."""
    return _WORDS[lang][key].format(**values)


def text(label: Text, lang: Lang) -> str:
    """A Japanese-and-English text in one language."""
    return label.ja if lang == "ja" else label.en


def show_date(day: date, lang: Lang) -> str:
    """A date as a reader of ``lang`` writes it: 令和 in Japanese, ISO in English.

    A date before the first era of ``rules/eras.yaml`` has no wareki: it is shown in ISO
    form rather than failing the whole text it is part of.
    """
    if lang == "ja":
        try:
            return format_wareki(day)
        except WarekiError:
            return day.isoformat()
    return day.isoformat()


_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def fill(template: str, law: Law, on: date, lang: Lang) -> str:
    """``template`` with each ``{parameter}`` replaced by its value in force on ``on``."""
    params = law.params_on(on)

    def value(match: re.Match[str]) -> str:
        found = params.get(match.group(1))
        if found is None:
            return match.group(0)
        return show_date(found, lang) if isinstance(found, date) else str(found)

    return _PLACEHOLDER.sub(value, template)


def rule_title(rule: Rule, law: Law, on: date, lang: Lang) -> str:
    """A rule's title, its legal dates taken from the parameters in force on ``on``."""
    return fill(text(rule.title, lang), law, on, lang)


def citation(rule: Rule, law: Law, lang: Lang) -> str:
    """Where a rule comes from: the source's title and the sections cited.

    In English only the sections' keys are shown: their finer pointers are headings of
    Japanese documents (``§3 対象者`` is ``§3`` in English).
    """
    source = law.sources[rule.citation.source]
    sections = rule.citation.sections if lang == "ja" else [
        key for key in rule.citation.section_keys() if key.isascii() or key.startswith("§")
    ]
    return f"{text(source.title, lang)} {', '.join(sections)}".strip()


def question_title(law: Law, question: str, lang: Lang) -> str:
    """The question as a clerk asks it."""
    return text(law.questions[question].title, lang)


def outcome_label(law: Law, question: str, outcome: str, lang: Lang) -> str:
    """An outcome as a clerk says it."""
    return text(law.questions[question].outcomes[outcome], lang)


def datum_label(law: Law, question: str, datum: str, lang: Lang) -> str:
    """The name of a datum of a question's outcome (``deadline`` → 交付の期限)."""
    label = law.questions[question].data.get(datum)
    return datum if label is None else text(label, lang)


def value_label(law: Law, question: str, datum: str, value: object, lang: Lang) -> str:
    """A datum's value in words: a date in the reader's calendar, a text by its label."""
    if isinstance(value, date):
        return show_date(value, lang)
    label = law.questions[question].data.get(datum)
    if label is not None and isinstance(value, str) and value in label.values:
        return text(label.values[value], lang)
    return str(value)


def fact_label(law: Law, name: str, lang: Lang) -> str:
    """The name of a fact, of a question (its answer) or of a question's datum (``q.d``)."""
    if name in law.fact_labels:
        return text(law.fact_labels[name], lang)
    if name in law.questions:
        return question_title(law, name, lang)
    question, _, datum = name.rpartition(".")
    if question in law.questions:
        return datum_label(law, question, datum, lang)
    return name


def fact_value(law: Law, name: str, value: object, lang: Lang) -> str:
    """A fact's value in words: held or not, yes or no, not set, a date, a labelled text."""
    if value is None:
        return word("unknown", lang)
    if name in law.questions and isinstance(value, str):
        return outcome_label(law, name, value, lang)
    kind = FACT_TYPES[name].kind if name in FACT_TYPES else None
    if kind == "presence":
        return word("held" if value else "not_held", lang)
    label = law.fact_labels.get(name)
    if isinstance(value, bool):
        named = label.values.get("true" if value else "false") if label is not None else None
        return text(named, lang) if named is not None else word("yes" if value else "no", lang)
    if isinstance(value, date):
        return show_date(value, lang)
    if label is not None and isinstance(value, str) and value in label.values:
        return text(label.values[value], lang)
    question, _, datum = name.rpartition(".")
    if question in law.questions:
        return value_label(law, question, datum, value, lang)
    return str(value)


def days_left(due: date, on: date, lang: Lang) -> str:
    """How a deadline stands on ``on``: overdue, due today, or days left."""
    days = (due - on).days
    if days < 0:
        return word("overdue", lang, n=-days)
    if days == 0:
        return word("due_today", lang)
    return word("days_left", lang, n=days)
