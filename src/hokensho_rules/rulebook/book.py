"""The Rulebook: the law of chosen packs, evaluated, with results you can read.

The public face of the library: :class:`Rulebook` loads the law, evaluates members
(an :class:`~hokensho_rules.evaluation.evaluator.Evaluator` itself) and returns the
results made readable by ``hokensho_rules.render``; :func:`compare` and
:func:`plan_mailing` do the same for comparisons and mailing plans.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from ..results import whatif
from ..results.mailing import plan_mailing as plan_of
from ..evaluation.evaluator import Evaluator
from ..facts.member import Member, Situation, membership
from ..facts.privacy import shown
from ..law.conditions import Params
from ..law.packs import Law, loaded_law
from ..law.settings import Overrides
from ..law.schema import Label, Parameter, Question, Rule, Source
from ..render import ActionList, Comparison, Decision, Impact, MailingPlan, Timeline, Timelines
from ..results import impact as impact_
from ..results.timeline import build_timeline
from ..results.timelines import collect as collect_timelines

__all__ = ["Rulebook", "compare", "impact", "loaded_rulebook", "plan_mailing", "timelines"]


@functools.lru_cache(maxsize=8)
def loaded_rulebook(packs: tuple[str, ...], root: Path | None = None, overrides: Overrides = ()) -> Rulebook:
    """The Rulebook of ``packs`` under ``root`` (with parameter ``overrides``), loaded once per process.

    What an unpickled Rulebook is: worker processes share one loaded, compiled
    rulebook per set of packs instead of loading one per object received.
    """
    return Rulebook(loaded_law(packs, root, overrides))


class Rulebook(Evaluator):
    """The law as loaded from ``rules/`` (questions, parameters and rules of chosen packs), evaluated.

    Load with :meth:`load`; evaluate a member on a date with :meth:`evaluate`, a whole
    membership's actions with :meth:`actions`, a member's story with :meth:`timeline`.
    A Rulebook is immutable once loaded and may be shared; its compiled engine stays in
    the process that made it (it pickles as its packs and root).
    """

    @classmethod
    def load(
        cls,
        packs: Iterable[str] | None = None,
        *,
        root: Path | str | None = None,
        parameters: Mapping[str, object] | str | Path | None = None,
    ) -> Rulebook:
        """Load the given packs (default: the seed and every later official change).

        ``root`` is a ``rules/`` folder to read instead of the one shipped with the
        library. A malformed file raises :class:`~hokensho_rules.RuleFileError`.

        ``parameters`` sets the insurer's own values (or a what-if): a mapping of
        parameter name to value, or the path of a YAML or JSON file of them, e.g.
        ``{"certificate_after_grace": "on_application"}``. A value is one value or a list
        of dated values (``[{value: …}, {since: DAY, value: …}]``). A name the loaded
        packs do not have, or a value the parameter does not accept, raises
        :class:`~hokensho_rules.ParameterError` naming the parameter and what it accepts.
        """
        return cls(Law.load(packs, root=root, parameters=parameters))

    @property
    def overrides(self) -> Overrides:
        """The parameters set by the user (name and dated values), sorted; () for the defaults."""
        return self.law.overrides

    def __reduce__(self) -> tuple[Any, ...]:
        # By reference, like a module: its compiled engine handles cannot travel, and a
        # worker process receiving many objects loads the rulebook once.
        return (loaded_rulebook, (self.law.packs, self.law.root, self.law.overrides))

    def __repr__(self) -> str:
        changed = f", parameters set={[name for name, _ in self.overrides]}" if self.overrides else ""
        return f"Rulebook(packs={list(self.packs)}, rules={len(self.rules)}, questions={len(self.questions)}{changed})"

    # The law's parts, for reading a rulebook as one object.
    @property
    def packs(self) -> tuple[str, ...]:
        """The packs loaded, in order (the seed first)."""
        return self.law.packs

    @property
    def root(self) -> Path | None:
        """The ``rules/`` folder read (None: the one shipped with the library)."""
        return self.law.root

    @property
    def questions(self) -> Mapping[str, Question]:
        """Every question, in the rulebook's order."""
        return self.law.questions

    @property
    def rules(self) -> Mapping[str, Rule]:
        """Every rule by id (its ``overrides`` including what refinements add)."""
        return self.law.rules

    @property
    def sources(self) -> Mapping[str, Source]:
        """Every cited source by key."""
        return self.law.sources

    @property
    def parameters(self) -> Mapping[str, Parameter]:
        """Every parameter (dated legal constant) by name."""
        return self.law.parameters

    @property
    def fact_labels(self) -> Mapping[str, Label]:
        """The labels of the facts rules read."""
        return self.law.fact_labels

    @property
    def origin(self) -> Mapping[str, Path]:
        """The file each rule came from."""
        return self.law.origin

    @property
    def strata(self) -> tuple[tuple[str, ...], ...]:
        """The questions grouped in the order they are evaluated."""
        return self.law.strata

    def params_on(self, day: date) -> Params:
        """Every parameter's value in force on ``day`` (read-only)."""
        return self.law.params_on(day)

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
        return Decision.of(self.trace(member, on, situation=situation, questions=questions), self.law)

    def actions(self, members: Iterable[Member], on: date) -> ActionList:
        """The action list of a membership on ``on``: who must be issued a certificate,
        return a card, be sent a notice, …, by when, and which rule says so.

        A member id given twice raises ``ValueError``: each member is listed once.
        """
        # Checked here too: an empty membership evaluates nobody, yet its list has a date.
        if type(on) is not date:
            raise TypeError(f"on must be a datetime.date, got {shown(on)}")
        return ActionList.collect((self.evaluate(m, on) for m in membership(members)), on)

    def timeline(self, member: Member, start: date, end: date) -> Timeline:
        """Every question's answers for ``member`` from ``start`` to ``end`` (both inclusive).

        Each question gets the intervals over which its outcome and deciding rule stay
        the same. They are computed by evaluating only on the days some answer can
        change (dates the rules and the member's facts name), not on every day.
        Raises ``TypeError`` unless both ends are ``datetime.date``, ``ValueError`` if
        ``start`` is after ``end``.
        """
        return build_timeline(self, member, start, end, cls=Timeline)

    def timelines(self, members: Iterable[Member], start: date, end: date) -> Timelines:
        """Every member's timeline from ``start`` to ``end`` as one table (:class:`~hokensho_rules.Timelines`):
        one row per member, question and interval (member_id, question, start, end, days,
        outcome, rule_id), exactly the intervals of :meth:`timeline` for each member.

        Computed together: the engine decides each distinct case once for the whole
        membership, so it is many times faster than calling :meth:`timeline` per member.
        A member whose timeline cannot be computed (a conflict or gap on some day) is a
        row of ``errors``, not a failed call. TypeError for anything not a Member or a
        date, ValueError for a member id given twice or ``start`` after ``end``.
        """
        return collect_timelines(self, members, start, end, cls=Timelines)


def timelines(members: Iterable[Member], start: date, end: date, rulebook: Rulebook | None = None) -> Timelines:
    """Every member's timeline from ``start`` to ``end`` as one table; see :meth:`Rulebook.timelines`.
    ``rulebook`` defaults to ``Rulebook.load()``."""
    if rulebook is not None and not isinstance(rulebook, Evaluator):
        raise TypeError(f"rulebook must be a hokensho_rules.Rulebook, got {type(rulebook).__name__}")
    book = rulebook if rulebook is not None else Rulebook.load()
    return book.timelines(members, start, end)


def compare(
    left: Rulebook, right: Rulebook, members: Member | Iterable[Member], start: date, end: date
) -> Comparison:
    """Which answers differ between ``left`` and ``right``, for whom, on which dates, and
    because of which rules or data (each side's deciding rule and outcome data).

    ``members`` is one Member or an iterable of them; anything else is a TypeError, and
    a member id given twice a ValueError. ``start`` and ``end`` are dates, start first.
    """
    return whatif.compare(left, right, members, start, end, cls=Comparison)


def impact(
    before: Rulebook, after: Rulebook, members: Iterable[Member], on: date, *, situation: Situation | None = None
) -> Impact:
    """What a rule change does to a membership on ``on``: for each question, how many members
    get another outcome and from what to what, and the action-list rows it adds and removes.

    ``before`` and ``after`` are two rulebooks: other packs (``Rulebook.load([...])``) or the
    same packs with other parameter values (``Rulebook.load(parameters=...)``). With a
    ``situation`` the counter's questions (``presentation.*``) are compared too. The result
    renders as text (``render``), a table (``table``, ``html``), a chart (``chart``, with the
    ``charts`` extra), and its rows (``to_rows``: one per member and changed question).
    """
    return impact_.impact(before, after, members, on, situation=situation, cls=Impact)


def plan_mailing(
    members: Iterable[Member], rulebook: Rulebook | None = None, *, on: date, mailing: str = "initial"
) -> MailingPlan:
    """Plan one mailing of the notices: envelopes for its members, packed per employer.

    ``mailing`` is an outcome of the question ``notice.mailing`` (``"initial"``,
    ``"later_batch"``, ``"on_enrolment"``); the plan holds exactly the members the
    rules assign to it on ``on`` and lists the others in ``left_out`` with their answer.
    ``on`` is also the day whose parameters apply (usually the day the mailing leaves);
    it is required so that a plan never depends on the clock. ``rulebook`` defaults to
    ``Rulebook.load()``.

    Route: the member's employer, or direct mail from the insurer for a voluntary
    continuation insured or a member with no employer (ML-3). Members sharing a route
    and a household share an envelope when they are at most
    ``household_envelope_max_members``, else each gets one (ML-1); a member with no
    household is a household of one. An employer's envelopes go in one non-standard
    envelope when at most ``parcel_envelope_max``, else in boxes of ``box_capacity``
    filled in order (ML-2).

    Raises TypeError for anything that is not a Member or a Rulebook, ValueError naming
    a member id given twice or a ``mailing`` that is no outcome of ``notice.mailing``.
    """
    if rulebook is not None and not isinstance(rulebook, Evaluator):
        raise TypeError(f"rulebook must be a hokensho_rules.Rulebook, got {type(rulebook).__name__}")
    book = rulebook if rulebook is not None else Rulebook.load()
    return plan_of(members, book, on=on, mailing=mailing, cls=MailingPlan)

