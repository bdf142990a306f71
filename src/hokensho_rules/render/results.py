"""A membership's batch results as HTML and text: how many members got each answer, who must be acted on, which rows failed.

:func:`hokensho_rules.evaluate_many` yields lean results (``MemberResult``: outcomes,
rule ids, data and actions, no law) so that a million members stay cheap. Collected
with their law into :class:`Results`, they show themselves in Jupyter: the answers to
the headline questions counted, then one line per member (its actions, or its error),
cut after a few dozen rows with a count of the rest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import overload

from ..evaluation.rows import MemberResult, RowError
from ..law.packs import Law
from . import html as html_
from .words import Lang, check_lang, outcome_label, question_title, show_date

__all__ = ["Result", "Results", "results_html"]

Result = MemberResult | RowError

_CAPTION = {"ja": "{on} 時点の判定結果：{n:,} 行（判定 {ok:,}・エラー {errors:,}）",
            "en": "Results on {on}: {n:,} rows ({ok:,} decided, {errors:,} errors)"}
_PER_MEMBER = {"ja": "加入者ごと", "en": "per member"}
_HEADERS = {"ja": (("質問", "答え", "人数"), ("行", "加入者", "対応", "エラー")),
            "en": (("question", "answer", "members"), ("row", "member", "actions", "error"))}
_NONE = "—"


def _actions(result: MemberResult, lang: Lang) -> str:
    if lang == "ja":
        return "、".join(a.action_ja for a in result.actions) or _NONE
    return "; ".join(a.action for a in result.actions) or _NONE


def _label(law: Law, question: str, outcome: str, lang: Lang) -> str:
    # Results of another rulebook may name an outcome this law does not know: show its id.
    try:
        return outcome_label(law, question, outcome, lang)
    except KeyError:
        return outcome


def results_html(results: Sequence[Result], law: Law, on: date | None, lang: Lang, *, limit: int = html_.DEFAULT_ROWS) -> str:
    """Two tables: the headline questions' answers counted, then one row per input row
    (at most ``limit``): its member, its actions (or its error, as a warning)."""
    lang = check_lang(lang)
    count_headers, row_headers = _HEADERS[lang]
    decided = [r for r in results if isinstance(r, MemberResult)]
    errors = len(results) - len(decided)
    headline = [q for q, spec in law.questions.items() if spec.headline]
    counts: Counter[tuple[str, str]] = Counter(
        (q, r.answers[q].outcome) for r in decided for q in headline if q in r.answers
    )
    count_rows = [
        (question_title(law, q, lang), _label(law, q, outcome, lang), f"{n:,}")
        for q in headline for (question, outcome), n in sorted(counts.items()) if question == q
    ]
    day = on or (decided[0].on if decided else None)
    caption = _CAPTION[lang].format(on=show_date(day, lang) if day else "—", n=len(results), ok=len(decided), errors=errors)
    rows = (
        (r.row, r.member_id, _actions(r, lang), "") if isinstance(r, MemberResult)
        else (r.row, r.member_id or _NONE, _NONE, ("warn", str(r)))
        for r in results
    )
    return (html_.table(caption, count_headers, count_rows, lang, limit=len(count_rows) or 1)
            + html_.table(_PER_MEMBER[lang], row_headers, rows, lang, limit=limit))


@dataclass(frozen=True)
class Results(Sequence[Result]):
    """Batch results with the law they were decided under: a list that shows itself.

    Index or iterate it for the ``MemberResult`` / ``RowError`` items, in input order.
    """

    items: tuple[Result, ...]
    law: Law

    @classmethod
    def collect(cls, results: Iterable[Result], law: Law) -> Results:
        """Every result of ``results`` (e.g. ``evaluate_many(...)``), kept in order."""
        return cls(tuple(results), law)

    def __len__(self) -> int:
        return len(self.items)

    @overload
    def __getitem__(self, index: int) -> Result: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Result]: ...
    def __getitem__(self, index: int | slice) -> Result | Sequence[Result]:
        return self.items[index]

    def __iter__(self) -> Iterator[Result]:
        return iter(self.items)

    @property
    def errors(self) -> tuple[RowError, ...]:
        """The rows that could not be decided."""
        return tuple(r for r in self.items if isinstance(r, RowError))

    def counts(self, question: str) -> dict[str, int]:
        """Outcome → how many decided members got it for ``question``."""
        return dict(Counter(r.answers[question].outcome for r in self.items if isinstance(r, MemberResult)))

    def html(self, lang: Lang = "ja", *, limit: int = html_.DEFAULT_ROWS) -> str:
        """The results as HTML in ``"ja"`` or ``"en"`` (see :func:`results_html`)."""
        return results_html(self.items, self.law, None, lang, limit=limit)

    def _repr_html_(self) -> str:
        return self.html("ja")

    def __repr__(self) -> str:
        return f"Results({len(self.items)} rows, {len(self.errors)} errors)"
