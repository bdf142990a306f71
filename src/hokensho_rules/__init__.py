"""hokensho-rules: which health-insurance document applies to a member on a date.

>>> import hokensho_rules as hr
>>> from datetime import date
>>> book = hr.Rulebook.load()
>>> member = hr.Member(id="M1", kind="insured", enrolled_on=date(2020, 4, 1),
...                    paper_card=hr.PaperCard(issued_on=date(2020, 4, 1)))
>>> book.evaluate(member, on=date(2025, 12, 2))["paper_card.usable"].rule_id
'PC-3'
"""

from .actions import Action, ActionList
from .batch import TableRows, evaluate_many
from .columns import SchemaError
from .decisions import Decision, Explanation, NotApplied, Presentations, Verdict
from .errors import (
    ConflictError,
    DecisionError,
    EngineError,
    GapError,
    HokenshoError,
    RuleFileError,
)
from .facts import (
    Abroad,
    Certificate,
    Member,
    MyNumberCard,
    PaperCard,
    Requests,
    Situation,
)
from .mailing import Envelope, MailingPlan, Parcel, plan_mailing
from .outcomes import ActionRow, Answer, MemberResult, RowError
from .rulebook.book import Rulebook
from .timeline import Change, Interval, Timeline
from .whatif import Comparison, Difference, compare

__all__ = [
    "Abroad",
    "Action",
    "ActionList",
    "ActionRow",
    "Answer",
    "Certificate",
    "Change",
    "Comparison",
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
    "MailingPlan",
    "Member",
    "MemberResult",
    "MyNumberCard",
    "NotApplied",
    "PaperCard",
    "Parcel",
    "Presentations",
    "Requests",
    "RowError",
    "RuleFileError",
    "Rulebook",
    "SchemaError",
    "Situation",
    "TableRows",
    "Timeline",
    "Verdict",
    "compare",
    "evaluate_many",
    "plan_mailing",
]
