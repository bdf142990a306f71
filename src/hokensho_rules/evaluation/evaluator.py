"""The law compiled for durable-rules and run, stratum by stratum, for one member and date.

Questions that read other questions' answers are evaluated in strata, one ruleset each
(the engine does not retract a negation derived in the same pass). Each stratum is
sent only the record's keys its rules read; the rules that fire are resolved by
default logic (``resolve``) and the deciding rule's outcome data are computed; later
strata read the answers from the record itself.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

from ..engine.adapter import DurableRuleset
from ..engine.compiler import MAX_BRANCHES, branch_count, compile_stratum, rule_name
from ..facts.errors import RuleFileError
from ..facts.member import Member, Situation
from ..facts.privacy import shown
from ..facts.record import Value, answer_key, datum_key, encode, to_record
from ..law.conditions import Params, all_conditions, referenced_keys
from ..law.expressions import Compiled, compile_expr
from ..law.packs import Law
from ..law.schema import Rule
from .resolve import Resolution, agreed_data, resolve
from .trace import Trace, Verdict

__all__ = ["Evaluator", "Stratum"]


@dataclass(frozen=True)
class Stratum:
    """The questions of one stratum, their rules and the engine's ruleset for them."""

    questions: tuple[str, ...]
    rules: tuple[Rule, ...]
    engine: DurableRuleset
    requires: str | None  # the document every question here needs, if any (see checks.strata)

    def fired(self, record: Mapping[str, Value]) -> dict[str, list[Rule]]:
        """The rules of each question that ``record`` satisfies, in rulebook order."""
        found: dict[str, list[Rule]] = {q: [] for q in self.questions}
        # The engine's cost grows with the fact's size: send only the keys read here.
        sent = {key: record[key] for key in self._reads if key in record}
        # Sorting by position keeps the deciding rule independent of the engine's firing
        # order. A rule fires once per alternative that holds (an `any` whose options both
        # hold fires twice): it is listed once.
        for position in sorted({self._positions[name] for name in self.engine.fire(sent)}):
            rule = self.rules[position]
            found[rule.question].append(rule)
        return found

    @functools.cached_property
    def _positions(self) -> dict[str, int]:
        return {rule_name(i): i for i in range(len(self.rules))}

    @functools.cached_property
    def _reads(self) -> tuple[str, ...]:
        keys = {key for rule in self.rules for c in all_conditions(rule) for _, key in referenced_keys(c)}
        return ("type", "id", *sorted(keys))


class Evaluator:
    """Evaluates members under one :class:`~hokensho_rules.law.packs.Law`.

    Compiles one program per set of parameter values (most laws have one), and keeps,
    per evaluator, the resolutions per set of fired rules and the compiled outcome data
    per rule and epoch (they depend on nothing else). Engines are per evaluator: one per
    process, never shared between processes.
    """

    def __init__(self, law: Law):
        self.law = law
        for stratum in law.strata:
            members = [r for r in law.rules.values() if r.question in stratum]
            if (branches := branch_count(members)) > MAX_BRANCHES:
                raise RuleFileError(
                    law.origin[members[0].id],
                    f"the rules of {', '.join(stratum)} have {branches:,} alternatives (each `any` option and "
                    f"`is` value counts, multiplied across a rule's conditions); durable-rules cannot take "
                    f"more than {MAX_BRANCHES} in one ruleset: split a question or simplify its conditions",
                )
        self._programs: dict[tuple[object, ...], tuple[Stratum, ...]] = {}
        self._resolutions: dict[tuple[str, tuple[str, ...]], Resolution] = {}
        self._compiled: dict[tuple[str, tuple[object, ...]], tuple[tuple[str, Compiled], ...]] = {}

    def program(self, params: Params) -> tuple[Stratum, ...]:
        """The compiled strata for the parameter values ``params``."""
        key = tuple(params.values())
        program = self._programs.get(key)
        if program is None:
            program = self._programs[key] = tuple(self._stratum(questions, params) for questions in self.law.strata)
        return program

    def _stratum(self, questions: tuple[str, ...], params: Params) -> Stratum:
        rules = tuple(r for r in self.law.rules.values() if r.question in questions)
        requires = self.law.questions[questions[0]].requires
        return Stratum(questions, rules, DurableRuleset(compile_stratum(rules, params)), requires)

    def resolution(self, question: str, fired: list[Rule], member_id: str, on: date) -> Resolution:
        """The resolution of ``fired`` (cached per set of fired rules); raises Conflict/GapError."""
        key = (question, tuple(r.id for r in fired))
        found = self._resolutions.get(key)
        if found is None:
            found = self._resolutions[key] = resolve(question, fired, member_id=member_id, on=on)
        return found

    def data_of(self, rule: Rule, params: Params) -> tuple[tuple[str, Compiled], ...]:
        """The rule's outcome data compiled for the epoch of ``params`` (once per rule and epoch)."""
        key = (rule.id, tuple(params.values()))
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = tuple((k, compile_expr(e, params)) for k, e in rule.data.items())
        return compiled

    def trace(
        self, member: Member, on: date, *, situation: Situation | None = None, questions: Collection[str] | None = None
    ) -> Trace:
        """Every question's verdict for ``member`` on ``on`` (see ``Rulebook.evaluate``)."""
        if not isinstance(member, Member):
            raise TypeError(f"member must be a hokensho_rules.Member, got {type(member).__name__}")
        if type(on) is not date:
            raise TypeError(f"on must be a datetime.date, got {shown(on)}")
        if situation is not None and not isinstance(situation, Situation):
            raise TypeError(f"situation must be a hokensho_rules.Situation, got {type(situation).__name__}")
        if isinstance(questions, str):
            raise TypeError(f"questions must be a list of question ids, e.g. [{shown(questions)}], not a str")
        needed = None if questions is None else self.law.strata_for(tuple(questions))
        params = self.law.params_on(on)
        record = to_record(member, on, situation)
        verdicts: dict[str, Verdict] = {}
        for index, stratum in enumerate(self.program(params)):
            if (stratum.requires is not None and stratum.requires not in record) or (needed is not None and index not in needed):
                continue
            for question, fired in stratum.fired(record).items():
                verdict = verdicts[question] = self._verdict(question, fired, record, params, member.id, on)
                # Later strata read this answer from the record itself.
                record[answer_key(question)] = verdict.outcome
                for datum, value in verdict.data.items():
                    record[datum_key(question, datum)] = encode(value)
        ordered = {q: verdicts[q] for q in self.law.questions if q in verdicts}
        return Trace(member.id, on, ordered, record)

    def _verdict(
        self, question: str, fired: list[Rule], record: Mapping[str, Value], params: Params, member_id: str, on: date
    ) -> Verdict:
        resolution = self.resolution(question, fired, member_id, on)
        given = [(r, self._data(r, record, params, member_id, on)) for r in resolution.grounds]
        rule, data = agreed_data(question, given, self.law.concurring[question], member_id=member_id, on=on)
        concurring = resolution.concurring if rule is resolution.deciding else tuple(
            r for r in (resolution.deciding, *resolution.concurring) if r is not rule)
        return Verdict(question, rule.outcome, data, rule, concurring, resolution.overridden)

    def _data(self, rule: Rule, record: Mapping[str, Value], params: Params, member_id: str, on: date) -> dict[str, date | str]:
        try:
            return {k: v for k, compiled in self.data_of(rule, params) if (v := compiled(record)) is not None}
        except (ValueError, OverflowError) as error:
            # A date beyond the calendar (a 5-year period from 9998): say where, not just why.
            raise ValueError(f"member {member_id}, question {rule.question}, on {on.isoformat()}: rule {rule.id}'s data: {error}") from None
