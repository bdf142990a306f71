"""What a set of answers asks someone to do, as the law's action declarations say.

A question's outcome may declare an ``action`` (its title, the datum holding its
deadline, and the question whose action closes it too). One need, one row (ruling
X-16): an action that another question's action closes marks that row instead of
adding one. Both the action list of decisions and the rows of a batch come from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .schema import Action as ActionSpec
from .schema import Question

__all__ = ["Need", "needs"]


Need = tuple[str, ActionSpec, object, "str | None"]


def needs(questions: Mapping[str, Question], answers: Iterable[tuple[str, str, Mapping[str, Any]]]) -> list[Need]:
    """One need per row, in question order: (question, its action, the due datum's value,
    the question of a coverage gap it also closes, or None).

    ``answers`` are (question, outcome, data). An action another question's action
    closes too (``closed_by``) marks that row instead of adding one (ruling X-16).
    """
    rows: dict[str, list[Any]] = {}
    closing: list[tuple[str, str, ActionSpec, object]] = []
    for question, outcome, data in answers:
        action = questions[question].outcomes[outcome].action
        if action is None:
            continue
        due = data.get(action.due) if action.due else None
        if action.closed_by is None:
            rows[question] = [question, action, due, None]
        else:
            closing.append((action.closed_by, question, action, due))
    for closer, question, action, due in closing:
        if closer in rows:
            rows[closer][3] = question
        else:
            rows[question] = [question, action, due, None]
    return [(q, action, due, gap) for q, action, due, gap in rows.values()]
