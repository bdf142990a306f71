"""The rulebook checker that proves, not samples: exactly one answer, always.

:func:`prove` shows, for one :class:`~hokensho_rules.Rulebook`, that every question
has exactly one answer under the default-logic resolution of ``evaluation/resolve.py``
— no ``ConflictError``, no ``GapError`` — for every member the models accept, on
every date, at every counter. It hands the rulebook to the SMT solver z3
(``pip install 'hokensho-rules[prove]'``) and asks, per question, for a member and a
date on which the question fails; "no such member" is the proof. A member it finds is a counterexample, checked by running the library's
own ``Rulebook.evaluate`` on it.

What is proved, precisely. For each question q of the rulebook: there is no
evaluation date D and member M (with an institution's situation, for questions that
require one) such that every question q reads, directly or through others, has
exactly one answer, and q is asked and has none or several. (Questions read are
assumed answered: a failure there is reported at that question, not again at every
question downstream.) The members and dates range over:

- every fact of ``flat.FACT_TYPES``: flags (true/false), closed choices
  (``member.kind``), free texts (any text; only equality matters), whether each
  document is held and each optional date known, and every date as a day number —
  so every order of the dates among themselves and against every date the rules name
  (parameters, in-force bounds, each dated value of a parameter on its epoch) is
  covered, exactly, not by sampling;
- the models' own constraints: required fields of held documents, and the
  validators' cross-field checks restated in ``_domain.DOMAIN`` (loss after
  enrolment, document dates on or after issue, a cancelled registration was made,
  voluntary continuation ⇒ insured without employer, insurer registration ⇒ My Number
  held); the tests check these against the models both ways;
- dates from year 1 to 9999, less a margin of days (``ProofReport.window``) so that
  every outcome datum the rules compute stays in the calendar (beyond it
  ``Rulebook.evaluate`` raises ``ValueError``, which is not a conflict or a gap).

How the rules are read. Conditions as ``conditions.holds`` reads them (a comparison
with an unknown side is false); parameters by their value in force on D; outcome data
as ``expressions.evaluate_expr`` computes them, with Civil-Code periods and month ends
exact (year, month and day of a day number in linear integer arithmetic); the data a
later question reads are the deciding rule's (the first standing rule in rulebook
order). Which fired rules stand is the default logic of ``evaluation.resolve`` (its
module docstring; the library has no other reading): a rule stands iff it fired and
none of its exceptions (the rules whose ``overrides``, as widened by refinements in
``Rulebook.rules``, name it) stands; a ``fallback`` rule stands only when no other
rule does. A question has exactly one answer iff some rule stands and every standing
rule gives the same outcome: exactly when ``resolve`` returns instead of raising.

The encoding (``_encode``). One z3 formula holds the whole rulebook in quantifier-free
linear integer arithmetic: per fact a value (an integer day number for a date, a
Boolean for a flag, an integer code for a text) and a "known" Boolean; per rule a
Boolean "fired" (its conditions) and a Boolean "stands", defined from the "fired" of
its question's rules by ``_encode.standing``, resolve's recursion unrolled along the
exceptions (finite: the loader rejects exceptions in a circle); per question and
outcome a Boolean "answered" (asked, and some rule giving that outcome stands).
tests/test_prove_encoding.py checks "stands" against ``resolve.standing_rules`` and
``resolve`` on every set of fired rules of every question, and the whole encoding
against ``Rulebook.evaluate`` on generated members.

How it is checked. For each question one query asks the solver for a failure;
unsatisfiable is the proof. A model is turned back into a ``Member`` (and
``Situation``) and date, made readable (dates near the legal ones, documents left out
where the failure does not need them), run through ``Rulebook.evaluate``, and blocked,
and the query is asked again, up to ``max_failures``. With ``regions=True`` every set
of a question's rules that fire together for some member and date is enumerated as
well and resolved by the library's ``resolve``, which must have the same rules
standing as the encoding on each.

What is assumed. That the durable-rules engine fires exactly the rules whose
conditions ``conditions.holds`` finds true (the library's tests check this on
generated members; tests/test_prove_encoding.py checks the encoding against the
engine the same way). The encoding is exact — there is no coarser abstraction to
refine — so every counterexample should be confirmed by ``Rulebook.evaluate``;
``Failure.confirmed`` says whether it was. An unconfirmed failure (status
``unconfirmed``) means the encoding and the library disagree: a prover bug to report,
never a reason to trust or blame the rules.

Not covered: errors that are not conflicts or gaps (a datum beyond the calendar,
engine failures). Not checked again: what ``Rulebook`` checks on load
(``rulebook.checks``): names, citations of a known source and its sections, ids of
the rule index, titles, exceptions naming rules of their own question, no cycle
between questions and no circle of exceptions. A rulebook failing them is never
built, so the prover has no static findings of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..rulebook.book import Rulebook
from ..law.loader import SEED_PACK, available_packs, rules_dir
from ._report import Failure, ProofReport, QuestionProof

__all__ = [
    "Failure",
    "ProofReport",
    "ProverUnavailable",
    "QuestionProof",
    "prove",
    "prove_all",
    "shipped_rulebooks",
]


class ProverUnavailable(ImportError):
    """z3 is not installed: ``pip install 'hokensho-rules[prove]'``."""


def prove(
    rulebook: Rulebook,
    *,
    max_failures: int = 3,
    timeout_s: float = 300.0,
    regions: bool = False,
) -> ProofReport:
    """Prove that every question of ``rulebook`` has exactly one answer, or find where not.

    At most ``max_failures`` failures are reported per question (each a different set
    of standing rules); ``timeout_s`` bounds each solver query (a question whose query
    times out is ``unknown``, not proved). With ``regions``, every set of rules of a
    question that fire together for some member and date is also enumerated and
    resolved by the library's ``resolve`` (slower: the figure the issue calls regions,
    and a check that the encoding has the same rules standing as ``resolve``).

    Raises :class:`ProverUnavailable` if z3 is not installed, and ``ValueError`` if a
    rule uses the vocabulary in a way the prover cannot encode faithfully (a datum that
    is a date for some rules and a text for others, a period with no last day).
    """
    if max_failures < 1:
        raise ValueError(f"max_failures must be at least 1, got {max_failures}")
    try:
        from ._prover import prove_rulebook
    except ImportError as error:
        if error.name != "z3":
            raise
        raise ProverUnavailable(
            "proving a rulebook needs the SMT solver z3: pip install 'hokensho-rules[prove]' (or z3-solver)"
        ) from None
    return prove_rulebook(rulebook, max_failures=max_failures, timeout_ms=max(1, int(timeout_s * 1000)), regions=regions)


def shipped_rulebooks(root: Path | str | None = None) -> list[tuple[str, ...]]:
    """The pack lists worth proving: the seed alone, the seed with each amendment, all packs."""
    base = Path(root) if root is not None else rules_dir()
    packs = available_packs(base)
    chosen: list[tuple[str, ...]] = [(SEED_PACK,), *((SEED_PACK, p) for p in packs[1:]), packs]
    return list(dict.fromkeys(chosen))


def prove_all(
    root: Path | str | None = None,
    *,
    max_failures: int = 3,
    timeout_s: float = 300.0,
    regions: bool = False,
) -> Iterator[ProofReport]:
    """:func:`prove` each of :func:`shipped_rulebooks`, each loaded from ``root``."""
    for packs in shipped_rulebooks(root):
        book = Rulebook.load(packs, root=root)
        yield prove(book, max_failures=max_failures, timeout_s=timeout_s, regions=regions)
