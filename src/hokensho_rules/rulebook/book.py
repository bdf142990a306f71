"""The Rulebook: chosen packs of rule files, checked, compiled and evaluated."""

from __future__ import annotations

import bisect
import functools
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..actions import ActionList
from ..decisions import Decision, Verdict
from ..engine.adapter import DurableRuleset
from ..engine.compiler import MAX_BRANCHES, branch_count, compile_stratum, rule_name
from ..errors import RuleFileError
from ..facts import Member, Situation, membership
from ..flat import Scalar, data_key, encode, flatten, outcome_key
from ..privacy import shown
from .checks import check_exceptions, check_rules, questions_read_by, strata
from .conditions import Params, all_conditions, referenced_keys
from .expressions import Compiled, compile_expr
from .loader import SEED_PACK, available_packs, pack_files, read_rule_file, rules_dir
from .resolve import Resolution, resolve
from .schema import Label, Parameter, Question, Rule, Source

if TYPE_CHECKING:
    from ..timeline import Timeline

__all__ = ["Rulebook", "loaded_rulebook"]


@dataclass(frozen=True)
class _Stratum:
    questions: tuple[str, ...]
    rules: tuple[Rule, ...]
    engine: DurableRuleset
    requires: str | None  # the document every question here needs, if any (see strata)

    def fired(self, fact: Mapping[str, Scalar]) -> dict[str, list[Rule]]:
        """The rules of each question that ``fact`` satisfies, in rulebook order."""
        found: dict[str, list[Rule]] = {q: [] for q in self.questions}
        # The engine's cost grows with the fact's size: send only the keys read here.
        sent = {key: fact[key] for key in self._reads if key in fact}
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


def _with_refinements(rules: dict[str, Rule]) -> dict[str, Rule]:
    """Rules whose ``overrides`` also name the rules that refine what they override.

    A rule that refines another replaces it, taking its place both ways: it overrides
    the refined rule and what that rule overrides, and an exception to the refined rule
    (e.g. "a lost card is not usable" against "usable until X") is an exception to its
    refinement too, down chains of refinements. An inherited exception is left out
    where the other side already prevails (directly or through other rules): the two
    would be exceptions to each other, and the written ones decide.
    """
    refiners: dict[str, set[str]] = {}
    for rule in rules.values():
        for target in rule.refines:
            refiners.setdefault(target, set()).add(rule.id)
    edges = {rid: set(rule.overrides) | set(rule.refines) for rid, rule in rules.items()}
    inherited = [
        (rid, refiner) for rid in sorted(rules) for refiner in sorted(_refinements_of(rules[rid].overrides, refiners))
    ] + [
        (refiner, target) for refined in sorted(refiners) for refiner in sorted(_refinements_of((refined,), refiners))
        for target in sorted(rules[refined].overrides)
    ]
    for winner, loser in inherited:
        if winner != loser and not _prevails(edges, loser, winner):
            edges[winner].add(loser)
    return {
        rid: rule if edges[rid] == set(rule.overrides) else rule.model_copy(update={"overrides": tuple(sorted(edges[rid]))})
        for rid, rule in rules.items()
    }


def _refinements_of(targets: tuple[str, ...], refiners: Mapping[str, set[str]]) -> set[str]:
    """Every rule that refines one of ``targets``, or refines such a refinement."""
    found: set[str] = set()
    todo = list(targets)
    while todo:
        for refiner in refiners.get(todo.pop(), ()):
            if refiner not in found:
                found.add(refiner)
                todo.append(refiner)
    return found


def _prevails(edges: Mapping[str, set[str]], winner: str, loser: str) -> bool:
    """Whether ``winner`` overrides ``loser``, directly or through a chain of exceptions."""
    seen, todo = set(), [winner]
    while todo:
        current = todo.pop()
        if current == loser:
            return True
        if current not in seen:
            seen.add(current)
            todo.extend(edges.get(current, ()))
    return False


@functools.lru_cache(maxsize=8)
def loaded_rulebook(packs: tuple[str, ...], root: Path | None = None) -> Rulebook:
    """The Rulebook of ``packs`` under ``root``, loaded once per process.

    What an unpickled Rulebook (or Decision) is: worker processes share one loaded,
    compiled rulebook per set of packs instead of loading one per object received.
    """
    return Rulebook.load(packs, root=root)


def _merge(target: dict[str, Any], items: Mapping[str, Any], what: str, path: Path, seen: dict[str, Path]) -> None:
    for key, value in items.items():
        if key in target:
            raise RuleFileError(path, f"{what} {key!r} is already defined in {seen[key]}")
        target[key] = value
        seen[key] = path


class Rulebook:
    """The law as loaded from ``rules/``: questions, parameters and rules of chosen packs.

    Load with :meth:`load`; evaluate a member on a date with :meth:`evaluate`.
    A Rulebook is immutable once loaded and may be shared.
    """

    def __init__(self, files: Sequence[tuple[Path, Any]], packs: tuple[str, ...], *, root: Path | None = None):
        self.packs = packs
        # Where the files came from (None: the shipped rules/): a pickle names it.
        self.root = root
        sources: dict[str, Source] = {}
        parameters: dict[str, Parameter] = {}
        questions: dict[str, Question] = {}
        fact_labels: dict[str, Label] = {}
        rules: dict[str, Rule] = {}
        origin: dict[str, Path] = {}
        seen: dict[str, dict[str, Path]] = {"source": {}, "parameter": {}, "question": {}, "fact label": {}}
        for path, rule_file in files:
            _merge(sources, rule_file.sources, "source", path, seen["source"])
            _merge(parameters, rule_file.parameters, "parameter", path, seen["parameter"])
            _merge(questions, {q.id: q for q in rule_file.questions}, "question", path, seen["question"])
            _merge(fact_labels, rule_file.facts, "fact label", path, seen["fact label"])
            for rule in rule_file.rules:
                if rule.id in rules:
                    raise RuleFileError(path, f"rule id also used in {origin[rule.id]}", rule_id=rule.id, field="id")
                rules[rule.id] = rule
                origin[rule.id] = path
        check_rules(
            sources=sources, parameters=parameters, questions=questions,
            fact_labels=fact_labels, rules=rules, origin=origin,
            parameter_origin=seen["parameter"],
        )
        rules = _with_refinements(rules)
        check_exceptions(rules, origin)
        for question in questions:
            if not any(r.question == question for r in rules.values()):
                raise RuleFileError(files[0][0], f"question {question!r} has no rule")
        self.sources: Mapping[str, Source] = sources
        self.parameters: Mapping[str, Parameter] = parameters
        self.questions: Mapping[str, Question] = questions
        self.fact_labels: Mapping[str, Label] = fact_labels
        self.rules: Mapping[str, Rule] = rules
        self.origin: Mapping[str, Path] = origin
        self.strata = strata(questions, rules, origin)
        for stratum in self.strata:
            members = [r for r in rules.values() if r.question in stratum]
            if (branches := branch_count(members)) > MAX_BRANCHES:
                raise RuleFileError(
                    origin[members[0].id],
                    f"the rules of {', '.join(stratum)} have {branches:,} alternatives (each `any` option and "
                    f"`is` value counts, multiplied across a rule's conditions); durable-rules cannot take "
                    f"more than {MAX_BRANCHES} in one ruleset: split a question or simplify its conditions",
                )
        # Caches, per Rulebook: compiled programs and parameters per parameter epoch,
        # and resolutions per set of fired rules (they depend on nothing else).
        self._programs: dict[tuple[object, ...], tuple[_Stratum, ...]] = {}
        self._params: dict[int, Params] = {}
        self._since = sorted({v.since for p in parameters.values() for v in p.values if v.since is not None})
        self._resolutions: dict[tuple[str, tuple[str, ...]], Resolution] = {}
        self._needed: dict[tuple[str, ...], frozenset[int]] = {}
        self._compiled: dict[tuple[str, tuple[object, ...]], tuple[tuple[str, Compiled], ...]] = {}

    @classmethod
    def load(cls, packs: Iterable[str] | None = None, *, root: Path | str | None = None) -> Rulebook:
        """Load the given packs (default: the seed and every later official change).

        ``root`` is a ``rules/`` folder to read instead of the one shipped with the
        library. A malformed file raises :class:`~hokensho_rules.RuleFileError`.
        """
        if isinstance(packs, str):
            raise TypeError(f"packs must be a list of pack names, e.g. [{shown(packs)}], not a str")
        if packs is not None and not isinstance(packs, Iterable):
            raise TypeError(f"packs must be a list of pack names, got {shown(packs)}")
        if root is not None and not isinstance(root, (str, Path)):
            raise TypeError(f"root must be a path (str or pathlib.Path) to a rules/ folder, got {shown(root)}")
        base = Path(root) if root is not None else rules_dir()
        if not (base / SEED_PACK).is_dir():
            raise FileNotFoundError(f"root={shown(str(base))} has no {SEED_PACK}/ folder of rule files")
        chosen = tuple(packs) if packs is not None else available_packs(base)
        if not chosen:
            raise ValueError("packs is empty: name at least one pack, e.g. ['seed']")
        files = [(path, read_rule_file(path)) for pack in chosen for path in pack_files(pack, base)]
        return cls(files, chosen, root=Path(root).resolve() if root is not None else None)

    def __reduce__(self) -> tuple[Any, ...]:
        # A Rulebook pickles by reference, as its packs and root, like a module: its
        # compiled engine handles cannot travel, and a worker process receiving many
        # Decisions loads the rulebook once (loaded_rulebook caches per process).
        return (loaded_rulebook, (self.packs, self.root))

    def __repr__(self) -> str:
        return f"Rulebook(packs={list(self.packs)}, rules={len(self.rules)}, questions={len(self.questions)})"

    def params_on(self, day: date) -> Params:
        """Every parameter's value in force on ``day`` (read-only)."""
        # Cached per epoch (how many `since` dates have passed), not per day: the same
        # values hold between two such dates, and a cache per day grew with every date
        # ever asked (hundreds of MB over the 0001..9999 calendar).
        epoch = bisect.bisect_right(self._since, day)
        params = self._params.get(epoch)
        if params is None:
            params = MappingProxyType({name: p.value_on(day) for name, p in self.parameters.items()})
            self._params[epoch] = params
        return params

    def _program(self, params: Params) -> tuple[_Stratum, ...]:
        # One compiled program per set of parameter values: most rulebooks have one.
        key = tuple(params.values())
        program = self._programs.get(key)
        if program is None:
            program = tuple(self._stratum(questions, params) for questions in self.strata)
            self._programs[key] = program
        return program

    def _stratum(self, questions: tuple[str, ...], params: Params) -> _Stratum:
        rules = tuple(r for r in self.rules.values() if r.question in questions)
        requires = self.questions[questions[0]].requires
        return _Stratum(questions, rules, DurableRuleset(compile_stratum(rules, params)), requires)

    def evaluate(
        self, member: Member, on: date, *, situation: Situation | None = None, questions: Collection[str] | None = None
    ) -> Decision:
        """Decide every question for ``member`` on the date ``on``.

        With a ``situation`` (an institution's counter on that day) the questions that
        need one are asked too: what that institution accepts (``presentation.*``).
        With ``questions``, only the strata holding them and what they read are run:
        the decision answers at least those (e.g. ``["notice.mailing"]`` for a mailing plan).

        Raises :class:`~hokensho_rules.ConflictError` or :class:`~hokensho_rules.GapError`
        (naming the member, question, date and rules) if the rules do not give exactly
        one answer.
        """
        if not isinstance(member, Member):
            raise TypeError(f"member must be a hokensho_rules.Member, got {type(member).__name__}")
        if type(on) is not date:
            raise TypeError(f"on must be a datetime.date, got {shown(on)}")
        if situation is not None and not isinstance(situation, Situation):
            raise TypeError(f"situation must be a hokensho_rules.Situation, got {type(situation).__name__}")
        if isinstance(questions, str):
            raise TypeError(f"questions must be a list of question ids, e.g. [{questions!r}], not a str")
        needed = None if questions is None else self._strata_for(tuple(questions))
        params = self.params_on(on)
        fact = flatten(member, on, situation)
        verdicts: dict[str, Verdict] = {}
        for index, stratum in enumerate(self._program(params)):
            if (stratum.requires is not None and stratum.requires not in fact) or (needed is not None and index not in needed):
                continue
            for question, fired in stratum.fired(fact).items():
                verdict = self._verdict(question, fired, fact, params, member.id, on)
                verdicts[question] = verdict
                # Later strata read this answer from the fact itself.
                fact[outcome_key(question)] = verdict.outcome
                for datum, value in verdict.data.items():
                    fact[data_key(question, datum)] = encode(value)
        ordered = {q: verdicts[q] for q in self.questions if q in verdicts}
        return Decision(member.id, on, ordered, fact, self)

    def _strata_for(self, questions: tuple[str, ...]) -> frozenset[int]:
        """Indices of the strata that answer ``questions`` and every question they read."""
        found = self._needed.get(questions)
        if found is None:
            unknown = [q for q in questions if q not in self.questions]
            if unknown:
                raise ValueError(f"questions must be question ids of this rulebook; unknown: {', '.join(map(repr, unknown))}")
            wanted = questions_read_by(questions, self.rules)
            found = frozenset(i for i, group in enumerate(self.strata) if wanted & set(group))
            self._needed[questions] = found
        return found

    def actions(self, members: Iterable[Member], on: date) -> ActionList:
        """The action list of a membership on ``on``: who must be issued a certificate,
        return a card, be sent a notice, …, by when, and which rule says so.

        A member id given twice raises ``ValueError``: each member is listed once.
        """
        # Checked here too: an empty membership evaluates nobody, yet its list has a date.
        if type(on) is not date:
            raise TypeError(f"on must be a datetime.date, got {shown(on)}")
        return ActionList.collect((self.evaluate(m, on) for m in membership(members)), on)

    def _verdict(
        self, question: str, fired: list[Rule], fact: Mapping[str, Scalar], params: Params, member_id: str, on: date
    ) -> Verdict:
        key = (question, tuple(r.id for r in fired))
        resolution = self._resolutions.get(key)
        if resolution is None:
            resolution = resolve(question, fired, member_id=member_id, on=on)
            self._resolutions[key] = resolution
        rule = resolution.deciding
        try:
            data = {k: v for k, compiled in self._data_of(rule, params) if (v := compiled(fact)) is not None}
        except (ValueError, OverflowError) as error:
            # A date beyond the calendar (a 5-year period from 9998): say where, not just why.
            raise ValueError(f"member {member_id}, question {question}, on {on.isoformat()}: rule {rule.id}'s data: {error}") from None
        return Verdict(question, rule.outcome, data, rule, resolution.concurring, resolution.overridden)

    def _data_of(self, rule: Rule, params: Params) -> tuple[tuple[str, Compiled], ...]:
        """The rule's outcome data compiled for the epoch of ``params`` (once per rule and epoch)."""
        key = (rule.id, tuple(params.values()))
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = tuple((k, compile_expr(e, params)) for k, e in rule.data.items())
        return compiled

    def timeline(self, member: Member, start: date, end: date) -> Timeline:
        """Every question's answers for ``member`` from ``start`` to ``end`` (both inclusive).

        Each question gets the intervals over which its outcome and deciding rule stay
        the same. They are computed by evaluating only on the days some answer can
        change (dates the rules and the member's facts name), not on every day.
        Raises ``TypeError`` unless both ends are ``datetime.date``, ``ValueError`` if
        ``start`` is after ``end``.
        """
        # Imported on use: the timeline module depends on this one, not the reverse.
        from ..timeline import build_timeline

        return build_timeline(self, member, start, end)
