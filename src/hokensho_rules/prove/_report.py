"""What a proof returns: per question, proved or the failures found, with witnesses."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from ..facts.member import Member, Situation
from ..facts.privacy import shown
from ._model import build_member

__all__ = ["Failure", "FailureKind", "ProofReport", "QuestionProof", "Status"]

Status = Literal["proved", "failed", "unconfirmed", "unknown"]
FailureKind = Literal["conflict", "gap"]


def _jsonable(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Failure:
    """A member and a date on which a question does not have exactly one answer.

    ``kind`` is ``conflict`` (standing rules disagree: ``outcomes`` maps each answer
    to the rules giving it) or ``gap`` (no rule stands: ``rule_ids`` are the rules that
    fired and were set aside, maybe none). ``confirmed`` is true when the library's
    own ``Rulebook.evaluate`` on the witness raised the same error for the same
    question and rules; ``note`` says what it did otherwise.
    """

    question: str
    kind: FailureKind
    rule_ids: tuple[str, ...]
    outcomes: Mapping[str, tuple[str, ...]]
    member: Mapping[str, Any]
    situation: Mapping[str, Any] | None
    on: date
    confirmed: bool
    note: str = ""

    def witness(self) -> tuple[Member, Situation | None, date]:
        """The witness as the library's models, ready for ``Rulebook.evaluate``."""
        situation = Situation.model_validate(dict(self.situation)) if self.situation is not None else None
        return build_member(self.member), situation, self.on

    def describe(self) -> str:
        """One paragraph: what fails, by which rules, for whom and when."""
        if self.kind == "conflict":
            what = "conflict: " + "; ".join(
                f"{', '.join(ids)} {'says' if len(ids) == 1 else 'say'} {o!r}" for o, ids in self.outcomes.items()
            )
        else:
            what = "gap: no rule stands" + (f" (fired but set aside: {', '.join(self.rule_ids)})" if self.rule_ids else "")
        check = "confirmed by Rulebook.evaluate" if self.confirmed else "NOT confirmed by Rulebook.evaluate"
        lines = [f"{self.question}: {what} [{check}]", f"  on {self.on.isoformat()}, member {json.dumps(_jsonable(self.member), ensure_ascii=False)}"]
        if self.situation is not None:
            lines.append(f"  situation {json.dumps(_jsonable(self.situation))}")
        if self.note:
            lines.append(f"  {self.note}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "question": self.question,
            "kind": self.kind,
            "rule_ids": list(self.rule_ids),
            "outcomes": {o: list(ids) for o, ids in self.outcomes.items()},
            "member": _jsonable(self.member),
            "situation": _jsonable(self.situation) if self.situation is not None else None,
            "on": self.on.isoformat(),
            "confirmed": self.confirmed,
            "note": self.note,
        }


@dataclass(frozen=True)
class QuestionProof:
    """The result for one question of one rulebook.

    ``proved``: no member and date (in the domain the module docstring states) leave
    it without exactly one answer. ``failed``: ``failures`` lists witnesses (at most
    the cap given to :func:`prove`; each a different set of standing rules), at least
    one confirmed by ``Rulebook.evaluate``. ``unconfirmed``: the solver found
    failures the library does not raise (see ``Failure.note``). ``unknown``: the
    solver gave up (time limit).
    ``queries`` counts the solver checks that decided it; ``witness_queries`` those
    spent making witnesses readable (fewer documents, dates near the legal ones);
    ``seconds`` is the time of both.
    With ``regions=True``, ``regions`` is the number of sets of its rules that fire
    together for some member and date (``region_queries`` the checks it took), each
    resolved by the library's ``resolve`` as well; ``mismatches`` lists any on which
    ``resolve`` and the encoding disagree (a prover bug: then it is not proved);
    ``region_seconds`` is the time the enumeration took.
    """

    question: str
    status: Status
    failures: tuple[Failure, ...] = ()
    queries: int = 0
    witness_queries: int = 0
    seconds: float = 0.0
    note: str = ""
    regions: int | None = None
    region_queries: int = 0
    mismatches: tuple[str, ...] = ()
    region_seconds: float = 0.0

    @property
    def proved(self) -> bool:
        """Proved, and (if regions were enumerated) the encoding agreed with ``resolve`` on each."""
        return self.status == "proved" and not self.mismatches

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "question": self.question,
            "regions": self.regions,
            "region_queries": self.region_queries,
            "mismatches": list(self.mismatches),
            "region_seconds": round(self.region_seconds, 3),
            "status": self.status,
            "failures": [f.to_dict() for f in self.failures],
            "queries": self.queries,
            "witness_queries": self.witness_queries,
            "seconds": round(self.seconds, 3),
            "note": self.note,
        }


@dataclass(frozen=True)
class ProofReport:
    """The proof of one rulebook: every question's result and the time.

    ``seconds`` is the whole call (encoding, proof and any region enumeration),
    ``encode_seconds`` the part spent building the formulas; ``window`` the first and
    last day facts may take (see the module docstring).
    """

    # No static findings: what the prover checked without the solver (rules citing no
    # section, exceptions in a circle) the loader now refuses, with every other static
    # check, so a rulebook failing one is never built and never reaches the prover.

    packs: tuple[str, ...]
    questions: tuple[QuestionProof, ...]
    seconds: float = 0.0
    encode_seconds: float = 0.0
    window: tuple[date, date] = field(default=(date.min, date.max))

    @property
    def proved(self) -> bool:
        """Every question proved."""
        return all(q.proved for q in self.questions)

    @property
    def queries(self) -> int:
        """Solver checks that decided the questions (witness-making ones not counted)."""
        return sum(q.queries for q in self.questions)

    @property
    def regions(self) -> int | None:
        """Regions enumerated over all questions, if they were."""
        counts = [q.regions for q in self.questions if q.regions is not None]
        return sum(counts) if counts else None

    @property
    def failures(self) -> tuple[Failure, ...]:
        """Every failure found, question by question."""
        return tuple(f for q in self.questions for f in q.failures)

    def __getitem__(self, question: str) -> QuestionProof:
        for proof in self.questions:
            if proof.question == question:
                return proof
        raise KeyError(f"no question {shown(question)} in this report")

    def summary(self) -> str:
        """One line: packs, questions, queries, time and the verdict."""
        failed = [q.question for q in self.questions if not q.proved]
        verdict = "proved" if self.proved else f"NOT proved ({len(failed)} question(s))"
        regions = f", {self.regions} regions" if self.regions is not None else ""
        return (
            f"{' + '.join(self.packs)}: {len(self.questions)} questions, {self.queries} queries{regions}, "
            f"{self.seconds:.2f} s — {verdict}"
        )

    def render(self) -> str:
        """The summary, then every question not proved, with witnesses."""
        lines = [self.summary()]
        for q in self.questions:
            if q.proved:
                continue
            lines.append(f"  {q.question}: {q.status}" + (f" — {q.note}" if q.note else ""))
            for failure in q.failures:
                lines += ["    " + line for line in failure.describe().splitlines()]
            lines += [f"    resolve and the encoding disagree: {m}" for m in q.mismatches]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "packs": list(self.packs),
            "proved": self.proved,
            "queries": self.queries,
            "regions": self.regions,
            "seconds": round(self.seconds, 3),
            "encode_seconds": round(self.encode_seconds, 3),
            "window": [self.window[0].isoformat(), self.window[1].isoformat()],
            "questions": [q.to_dict() for q in self.questions],
        }
