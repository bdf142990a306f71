"""The search: per question, ask the solver for a member and date it fails on.

One solver per rulebook holds the encoding; each question is checked in a scope of its
own. A model is a failure; it is made readable (dates near the legal ones, documents
and facts left out where the failure does not need them), turned into a ``Member``
and confirmed by ``Rulebook.evaluate``, then blocked (that set of standing rules),
and the search goes on until the solver finds no more or the cap is reached.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import z3

from ..facts.errors import ConflictError, DecisionError, GapError
from ..facts.member import Situation
from ..facts.record import SITUATION
from ..rulebook.book import Rulebook
from ..law.checks import _questions_read
from ..law.conditions import all_conditions, first_failing, referenced_keys
from ..law.packs import Law
from ..law.loader import SEED_PACK, pack_files, read_rule_file
from ..evaluation.resolve import resolve
from ..law.schema import Question, Rule
from ._calendar import Z
from ._encode import Encoding
from ._model import build_member
from ._report import Failure, FailureKind, ProofReport, QuestionProof, Status

__all__ = ["prove_rulebook"]


def _reads(book: Rulebook, question: str) -> set[str]:
    """Every question ``question`` reads, directly or through others."""
    seen: set[str] = set()
    todo = [question]
    while todo:
        current = todo.pop()
        for rule in book.rules.values():
            if rule.question == current:
                for read in _questions_read(rule):
                    if read not in seen:
                        seen.add(read)
                        todo.append(read)
    return seen


def _legal_window(book: Rulebook, enc: Encoding) -> tuple[int, int]:
    """Ten years either side of the dates the rulebook names: where readable witnesses live."""
    named = [v.value for p in book.parameters.values() for v in p.values if isinstance(v.value, date)]
    named += [v.since for p in book.parameters.values() for v in p.values if v.since is not None]
    if not named:
        return enc.lo, enc.hi
    return max(enc.lo, min(named).toordinal() - 3653), min(enc.hi, max(named).toordinal() + 3653)


class _Prover:
    def __init__(self, book: Rulebook, *, max_failures: int, timeout_ms: int, regions: bool):
        self.book = book
        self.enc = Encoding(book)
        self.regions = regions
        self.max_failures = max_failures
        self.solver = z3.Solver()
        self.solver.set("timeout", timeout_ms)
        self.solver.add(self.enc.constraints())
        self.order = [q for group in book.strata for q in group]
        self.window = _legal_window(book, self.enc)
        self._guards = 0
        self.reads_id = any(
            name == "member.id" for r in book.rules.values() for c in all_conditions(r) for name, _ in referenced_keys(c)
        )

    def guard(self, formula: Z) -> Z:
        """A fresh literal that, assumed, asserts ``formula`` (in the current scope)."""
        self._guards += 1
        literal = z3.Bool(f"guard {self._guards}")
        self.solver.add(z3.Implies(literal, formula))
        return literal

    def prove(self, question: str) -> QuestionProof:
        start = time.perf_counter()
        failures: list[Failure] = []
        queries = witness_queries = 0
        status: Status = "proved"
        note = ""
        self.solver.push()
        try:
            self.solver.add([self.enc.ok(u) for u in _reads(self.book, question)])
            self.solver.add(self.enc.failure(question))
            while True:
                queries += 1
                result = self.solver.check()
                if result == z3.unsat:
                    break
                if result == z3.unknown:
                    # Without a failure in hand nothing is known; with some, the search for more gave up.
                    status = "failed" if failures else "unknown"
                    note = f"the solver gave up: {self.solver.reason_unknown()}"
                    break
                status = "failed"
                if len(failures) == self.max_failures:
                    note = f"stopped after {self.max_failures} failures; there are more"
                    break
                model, spent = self._readable(question, self.solver.model())
                witness_queries += spent
                failures.append(self._failure(question, model))
                self.solver.add(z3.Not(self._signature(question, model)))
        finally:
            self.solver.pop()
        if status == "failed" and not any(f.confirmed for f in failures):
            status = "unconfirmed"
        seconds = time.perf_counter() - start
        regions, region_queries, mismatches = self._regions(question) if self.regions else (None, 0, ())
        return QuestionProof(
            question, status, tuple(failures), queries, witness_queries, seconds, note,
            regions, region_queries, mismatches, time.perf_counter() - start - seconds,
        )

    def _regions(self, question: str) -> tuple[int, int, tuple[str, ...]]:
        """Every set of rules of ``question`` that fire together for some member and date.

        On each, the rules the encoding has standing must be those the library's own
        ``resolve`` has standing. Returns the number of regions, the solver checks
        spent and the regions on which the two disagree.
        """
        rules = self.enc.rules_of(question)
        found = queries = 0
        mismatches: list[str] = []
        self.solver.push()
        try:
            self.solver.add([self.enc.ok(u) for u in _reads(self.book, question)])
            self.solver.add(self.enc.asked[question])
            while True:
                queries += 1
                result = self.solver.check()
                if result != z3.sat:
                    if result == z3.unknown:
                        mismatches.append(f"region enumeration gave up: {self.solver.reason_unknown()}")
                    break
                model = self.solver.model()
                fired = [r for r in rules if z3.is_true(model.eval(self.enc.fired[r.id], model_completion=True))]
                stands = [r for r in rules if z3.is_true(model.eval(self.enc.standing[r.id], model_completion=True))]
                found += 1
                disagreement = _disagreement(question, fired, stands)
                if disagreement is not None:
                    mismatches.append(disagreement)
                self.solver.add(z3.Or([self.enc.fired[r.id] != z3.BoolVal(r in fired) for r in rules]))
        finally:
            self.solver.pop()
        return found, queries, tuple(mismatches)

    def _signature(self, question: str, model: Any) -> Z:
        """The standing rules of ``model`` (and, in a gap, the fired ones): one failure."""
        rules = self.enc.rules_of(question)
        terms = [self.enc.standing[r.id] == model.eval(self.enc.standing[r.id], model_completion=True) for r in rules]
        if not any(z3.is_true(model.eval(self.enc.standing[r.id], model_completion=True)) for r in rules):
            terms += [self.enc.fired[r.id] == model.eval(self.enc.fired[r.id], model_completion=True) for r in rules]
        return z3.And(terms)

    def _preferences(self) -> Iterator[Z]:
        """What makes a witness readable, most important first, each tried in turn."""
        facts = self.enc.facts
        lo, hi = self.window
        yield z3.And([z3.Implies(facts.known[n], z3.And(v >= lo, v <= hi)) for n, v in facts.value.items() if facts.slots[n].kind == "date"])
        for name, slot in facts.slots.items():
            if slot.kind == "presence" and slot.optional:
                yield z3.Not(facts.known[name])
        for name, slot in facts.slots.items():
            if slot.kind != "presence" and slot.optional:
                yield z3.Not(z3.Bool(f"has {name}"))
        for name, slot in facts.slots.items():
            if slot.kind == "bool" and slot.document != SITUATION:
                yield z3.Not(facts.value[name])

    def _readable(self, question: str, model: Any) -> tuple[Any, int]:
        """A model of the same failure, answered by ``evaluate`` at this question if possible, and readable."""
        index = self.order.index(question)
        earlier = [self.enc.ok(u) for u in self.order[:index]]
        assumptions = [self.guard(self._signature(question, model))]
        spent = 0
        for preference in (z3.And(earlier), *self._preferences()):
            literal = self.guard(preference)
            spent += 1
            if self.solver.check(*assumptions, literal) == z3.sat:
                assumptions.append(literal)
                model = self.solver.model()
        return model, spent

    def _failure(self, question: str, model: Any) -> Failure:
        enc = self.enc
        rules = enc.rules_of(question)

        def true(term: Z) -> bool:
            return bool(z3.is_true(model.eval(term, model_completion=True)))

        up = [r for r in rules if true(enc.standing[r.id])]
        outcomes: dict[str, tuple[str, ...]] = {}
        for rule in up:
            outcomes[rule.outcome] = (*outcomes.get(rule.outcome, ()), rule.id)
        kind: FailureKind = "conflict" if up else "gap"
        rule_ids = tuple(r.id for r in up) if up else tuple(r.id for r in rules if true(enc.fired[r.id]))
        on, member, situation = enc.facts.read(model)
        if not self.reads_id:
            member["id"] = "W1"  # the rules never read it: a plain id reads better than a code
        confirmed, note = _confirm(self.book, question, kind, rule_ids, member, situation, on)
        return Failure(question, kind, rule_ids, outcomes, member, situation, on, confirmed, note)


def _disagreement(question: str, fired: list[Rule], stands: list[Rule]) -> str | None:
    """How ``resolve`` and the encoding (which has ``stands`` standing) differ on ``fired``, or None."""
    try:
        resolution = resolve(question, fired, member_id="region", on=date(2000, 1, 1))
    except ConflictError as error:
        expected = list(error.rule_ids)
    except GapError:
        expected = []
    else:
        named = {r.id for r in (resolution.deciding, *resolution.concurring)}
        expected = [r.id for r in fired if r.id in named]
    got = [r.id for r in stands]
    if got == expected:
        return None
    return (
        f"fired {', '.join(r.id for r in fired) or 'none'}: resolve has {', '.join(expected) or 'none'} "
        f"standing, the encoding {', '.join(got) or 'none'}"
    )


def _confirm(
    book: Rulebook, question: str, kind: str, rule_ids: Sequence[str],
    member_fields: dict[str, Any], situation_fields: dict[str, Any] | None, on: date,
) -> tuple[bool, str]:
    """Run the library on the witness: does it fail as predicted?"""
    try:
        member = build_member(member_fields)
        situation = Situation.model_validate(situation_fields) if situation_fields is not None else None
    except ValueError as error:
        return False, f"the witness is not a valid member: {error}"
    try:
        decision = book.evaluate(member, on, situation=situation)
    except DecisionError as error:
        if error.question != question:
            try:
                isolated = _isolated(book, question)
            except (ValueError, OSError) as why:
                return False, f"Rulebook.evaluate fails first at {error.question} ({error}); isolating {question} failed: {why}"
            alone, why_not = _confirm(isolated, question, kind, rule_ids, member_fields, situation_fields, on)
            return alone, f"the whole rulebook fails first at {error.question}; {question} alone: " + (why_not or "fails as predicted")
        got = "conflict" if isinstance(error, ConflictError) else "gap"
        if got != kind or set(error.rule_ids) != set(rule_ids):
            return False, f"Rulebook.evaluate reports a {got} of {', '.join(error.rule_ids)}: {error}"
        return True, ""
    except ValueError as error:
        return False, f"Rulebook.evaluate: {error}"
    if question not in decision:
        return False, f"Rulebook.evaluate does not ask {question}"
    verdict = decision[question]
    params = book.params_on(on)
    fired = [r.id for r in book.rules.values() if r.question == question and first_failing(r, decision.record, params) is None]
    return False, (
        f"Rulebook.evaluate answers {verdict.outcome!r} by {verdict.rule_id}; "
        f"rules that fired: {', '.join(fired) or 'none'} (the prover's encoding disagrees: please report)"
    )


def _isolated(book: Rulebook, question: str) -> Rulebook:
    """The rulebook cut down to ``question`` and the questions it reads, from the same files.

    Used to confirm a failure whose witnesses all fail at an earlier question too:
    the rules of ``question`` and of what it reads are the same, so it gets the same
    answer, and nothing else can fail first. An action closed by a question left out
    is kept unclosed (actions do not change answers).
    """
    keep = _reads(book, question) | {question}
    seed_file = next(p for p in book.origin.values() if p.parent.name == SEED_PACK)
    root = Path(seed_file).parent.parent
    files = []
    for pack in book.packs:
        for path in pack_files(pack, root):
            rule_file = read_rule_file(path)
            files.append((path, rule_file.model_copy(update={
                "questions": tuple(_unclosed(q, keep) for q in rule_file.questions if q.id in keep),
                "rules": tuple(r for r in rule_file.rules if r.question in keep),
            })))
    return Rulebook(Law(files, book.packs))


def _unclosed(question: Question, keep: set[str]) -> Question:
    """``question`` without the closing of its actions by questions not in ``keep``."""
    outcomes = {
        name: outcome.model_copy(update={"action": outcome.action.model_copy(update={"closed_by": None})})
        if outcome.action is not None and outcome.action.closed_by not in (None, *keep) else outcome
        for name, outcome in question.outcomes.items()
    }
    return question.model_copy(update={"outcomes": outcomes})


def prove_rulebook(book: Rulebook, *, max_failures: int, timeout_ms: int, regions: bool) -> ProofReport:
    """Prove every question of ``book``; see :func:`hokensho_rules.prove.prove`."""
    start = time.perf_counter()
    prover = _Prover(book, max_failures=max_failures, timeout_ms=timeout_ms, regions=regions)
    encoded = time.perf_counter() - start
    results = tuple(prover.prove(q) for q in prover.order)
    return ProofReport(
        book.packs, results, time.perf_counter() - start, encoded,
        (date.fromordinal(prover.enc.lo), date.fromordinal(prover.enc.hi)),
    )
