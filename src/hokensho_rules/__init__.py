"""hokensho-rules: which health-insurance document applies to a member on a date.

Glossary (the words of the API):

- **fact**: something known about a member or their documents (``Member``, ``PaperCard``…).
- **record**: a member's facts on one date as one flat dict, what the engine sees
  (``hokensho_rules.facts.record``); answers of earlier questions are added to it.
- **question**: one thing to decide, with a closed set of outcomes (``paper_card.usable``).
- **rule**: when its conditions hold (in force on the date), its question has its
  outcome; it may be an exception to other rules (``overrides``), a ``fallback``, or
  ``refine`` a rule it replaces. Each names the ids of the rule index it implements.
- **verdict**: a question's answer: outcome, data (deadlines…), the deciding rule, the
  rules that agreed and those set aside.
- **law**: the rules, questions, parameters and sources of chosen packs (``rulebook.law``).
- **pack**: the seed document's rules, or one later official change (``rules/amendments``).
- **stratum**: questions evaluated together, after the questions they read.
- **trace**: one evaluation's verdicts and record; a **Decision** is a trace with its law.

>>> import hokensho_rules as hr
>>> from datetime import date
>>> book = hr.Rulebook.load()
>>> member = hr.Member(id="M1", kind="insured", enrolled_on=date(2020, 4, 1),
...                    paper_card=hr.PaperCard(issued_on=date(2020, 4, 1)))
>>> book.evaluate(member, on=date(2025, 12, 2))["paper_card.usable"].rule_id
'PC-3'
"""

from .results.actions import Action
from .membership.batch import Results, TableRows, WorkerDied, evaluate_all, evaluate_many
from .render.atomic import OutputError
from .rulebook.book import Rulebook, compare, impact, plan_mailing, timelines
from .membership.columns import SchemaError
from .results.decisions import Explanation, NotApplied, Presentations, Verdict
from .facts.errors import (
    ConflictError,
    DecisionError,
    EngineError,
    GapError,
    HokenshoError,
    RuleFileError,
)
from .facts.known import as_known_on
from .facts.member import (
    Abroad,
    Certificate,
    Member,
    MyNumberCard,
    PaperCard,
    Requests,
    Situation,
)
from .evaluation.rows import ActionRow, Answer, MemberResult, RowError
from .results.mailing import Envelope, LeftOut, Parcel
from .render import ActionList, Comparison, Decision, Impact, MailingPlan, Timeline, Timelines
from .law.settings import ParameterError
from .results.timeline import Change, Interval
from .results.whatif import Difference

__all__ = [
    "Abroad",
    "Action",
    "ActionList",
    "ActionRow",
    "Answer",
    "Certificate",
    "Change",
    "Comparison",
    "Impact",
    "ConflictError",
    "Decision",
    "DecisionError",
    "Difference",
    "EngineError",
    "Envelope",
    "Explanation",
    "GapError",
    "HokenshoError",
    "Interval",
    "LeftOut",
    "MailingPlan",
    "Member",
    "MemberResult",
    "MyNumberCard",
    "NotApplied",
    "OutputError",
    "PaperCard",
    "Parcel",
    "Presentations",
    "Requests",
    "Results",
    "ParameterError",
    "RowError",
    "RuleFileError",
    "Rulebook",
    "SchemaError",
    "Situation",
    "TableRows",
    "Timeline",
    "Timelines",
    "Verdict",
    "WorkerDied",
    "as_known_on",
    "compare",
    "impact",
    "evaluate_all",
    "evaluate_many",
    "plan_mailing",
    "timelines",
]
