"""The law: the rule files of chosen packs, merged, checked and ordered in strata.

A :class:`Law` is plain, immutable data (sources, parameters, questions, fact labels
and rules, with the file each came from): what evaluation compiles, what results and
their explanations read for titles, labels and citations, and what the prover encodes.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from ..facts.errors import RuleFileError
from ..facts.privacy import shown
from .checks import check_exceptions, check_rules, questions_read_by, strata
from .conditions import Params
from .loader import SEED_PACK, available_packs, pack_files, read_rule_file, rules_dir
from .schema import Label, Parameter, Question, Rule, Source
from .settings import Overrides, apply_overrides, read_overrides

__all__ = ["Law", "loaded_law"]


@functools.lru_cache(maxsize=8)
def loaded_law(packs: tuple[str, ...], root: Path | None = None, overrides: Overrides = ()) -> Law:
    """The Law of ``packs`` under ``root`` (with parameter ``overrides``), loaded once per process.

    What an unpickled Law (or a Decision holding one) is: a worker process receiving
    many decisions loads the rules once, not once per object received.
    """
    return Law.load(packs, root=root, parameters=dict(_as_mapping(overrides)) if overrides else None)


def _as_mapping(overrides: Overrides) -> Iterable[tuple[str, object]]:
    for name, values in overrides:
        yield name, [{"value": v} if s is None else {"since": s, "value": v} for s, v in values]


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


def _merge(target: dict[str, Any], items: Mapping[str, Any], what: str, path: Path, seen: dict[str, Path]) -> None:
    for key, value in items.items():
        if key in target:
            raise RuleFileError(path, f"{what} {key!r} is already defined in {seen[key]}")
        target[key] = value
        seen[key] = path


class Law:
    """The rules of chosen packs as loaded from ``rules/``: checked, with their strata.

    ``packs`` and ``root`` say where they came from (``root`` None: the shipped rules).
    Immutable once loaded; :meth:`params_on` gives the parameters in force on a day.
    """

    def __init__(
        self,
        files: Sequence[tuple[Path, Any]],
        packs: tuple[str, ...],
        *,
        root: Path | None = None,
        parameters: Mapping[str, object] | str | Path | None = None,
    ):
        self.packs = packs
        self.root = root
        sources: dict[str, Source] = {}
        parameters_: dict[str, Parameter] = {}
        questions: dict[str, Question] = {}
        fact_labels: dict[str, Label] = {}
        rules: dict[str, Rule] = {}
        origin: dict[str, Path] = {}
        seen: dict[str, dict[str, Path]] = {"source": {}, "parameter": {}, "question": {}, "fact label": {}}
        for path, rule_file in files:
            _merge(sources, rule_file.sources, "source", path, seen["source"])
            _merge(parameters_, rule_file.parameters, "parameter", path, seen["parameter"])
            _merge(questions, {q.id: q for q in rule_file.questions}, "question", path, seen["question"])
            _merge(fact_labels, rule_file.facts, "fact label", path, seen["fact label"])
            for rule in rule_file.rules:
                if rule.id in rules:
                    raise RuleFileError(path, f"rule id also used in {origin[rule.id]}", rule_id=rule.id, field="id")
                rules[rule.id] = rule
                origin[rule.id] = path
        # Exceptions to rules of other packs count only when those packs are loaded.
        rules = {
            rid: rule if not rule.overrides_if_loaded else rule.model_copy(update={"overrides": tuple(
                dict.fromkeys((*rule.overrides, *(r for r in rule.overrides_if_loaded if r in rules))))})
            for rid, rule in rules.items()
        }
        # A user's own values replace the defaults before anything reads them.
        self.overrides: Overrides = read_overrides(parameters, parameters_) if parameters is not None else ()
        parameters_ = apply_overrides(parameters_, self.overrides, files[0][0])
        check_rules(
            sources=sources, parameters=parameters_, questions=questions,
            fact_labels=fact_labels, rules=rules, origin=origin,
            parameter_origin=seen["parameter"],
        )
        rules = _with_refinements(rules)
        check_exceptions(rules, origin)
        for question in questions:
            if not any(r.question == question for r in rules.values()):
                raise RuleFileError(files[0][0], f"question {question!r} has no rule")
        self.sources: Mapping[str, Source] = MappingProxyType(sources)
        self.parameters: Mapping[str, Parameter] = MappingProxyType(parameters_)
        self.questions: Mapping[str, Question] = MappingProxyType(questions)
        # Per question, how concurring rules' values of each datum combine (None: they must agree).
        self.concurring: Mapping[str, Mapping[str, Literal["earliest", "latest"] | None]] = MappingProxyType(
            {q: MappingProxyType({k: d.concurring for k, d in question.data.items()}) for q, question in questions.items()}
        )
        self.fact_labels: Mapping[str, Label] = MappingProxyType(fact_labels)
        self.rules: Mapping[str, Rule] = MappingProxyType(rules)
        self.origin: Mapping[str, Path] = MappingProxyType(origin)
        self.strata = strata(questions, rules, origin)
        # Parameters per epoch (how many ``since`` dates have passed), not per day: the
        # same values hold between two such dates, and a cache per day would grow with
        # every date ever asked.
        self._since = sorted({v.since for p in parameters_.values() for v in p.values if v.since is not None})
        self._params: dict[int, Params] = {}
        self._needed: dict[tuple[str, ...], frozenset[int]] = {}

    @classmethod
    def load(
        cls,
        packs: Iterable[str] | None = None,
        *,
        root: Path | str | None = None,
        parameters: Mapping[str, object] | str | Path | None = None,
    ) -> Law:
        """Load the given packs (default: the seed and every later official change).

        ``root`` is a ``rules/`` folder to read instead of the one shipped with the
        library. A malformed file raises :class:`~hokensho_rules.RuleFileError`.
        ``parameters`` (a mapping, or a YAML / JSON file's path) replaces the values of the
        parameters it names (see ``hokensho_rules.law.settings``); a name the packs do not
        have, or a value the parameter does not accept, raises ``ParameterError``.
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
        return cls(files, chosen, root=Path(root).resolve() if root is not None else None, parameters=parameters)

    def __reduce__(self) -> tuple[Any, ...]:
        # By reference, like a module: its packs and root, loaded again once per process.
        return (loaded_law, (self.packs, self.root, self.overrides))

    def __repr__(self) -> str:
        changed = f", parameters set={[name for name, _ in self.overrides]}" if self.overrides else ""
        return f"Law(packs={list(self.packs)}, rules={len(self.rules)}, questions={len(self.questions)}{changed})"

    @property
    def index(self) -> Source:
        """The project's own index of rule ids, interpretations and rulings (a cited source)."""
        return next(source for source in self.sources.values() if source.index)

    def params_on(self, day: date) -> Params:
        """Every parameter's value in force on ``day`` (read-only)."""
        epoch = bisect.bisect_right(self._since, day)
        params = self._params.get(epoch)
        if params is None:
            params = MappingProxyType({name: p.value_on(day) for name, p in self.parameters.items()})
            self._params[epoch] = params
        return params

    def strata_for(self, questions: tuple[str, ...]) -> frozenset[int]:
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
