"""What is known on a day (ruling X-17: the day is now).

An evaluation on day D sees the world as it stood on D. A recorded *event* dated after D
(a document issued, returned or lost, a registration made or cancelled, a request, a
notice sent, a notification received, a details change, a move abroad) has not
happened yet and reads as if it were not recorded; a document whose own issue (or a
move whose departure) is after D is not there at all. *Scheduled* dates are known in
advance and stay: the enrolment and loss dates, a document's printed enrolment date,
start and expiry, the card's electronic-certificate expiry.

Both forms of a member obey the same table: :func:`as_known_on` for the model,
:func:`forget_later` for the flat record the engine reads.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import date

from pydantic import BaseModel

from .member import Member

__all__ = ["ANCHORS", "EVENTS", "SCHEDULED", "as_known_on", "forget_later"]

# Per part of the member ("member" for its own fields), the dates that record an event.
EVENTS: dict[str, tuple[str, ...]] = {
    "member": ("insurer_registered_on", "enrolment_notified_on", "details_changed_on", "notice_sent_on"),
    "paper_card": ("issued_on", "lost_on", "returned_on"),
    "my_number_card": ("registered_for_insurance_on", "registration_cancelled_on", "returned_on", "suspended_on"),
    "certificate": ("issued_on", "returned_on"),
    "requests": ("certificate_for_circumstances_on",),
    "abroad": ("departed_on", "continuation_done_on"),
}
# The event without which a document does not exist yet.
ANCHORS: dict[str, str] = {"paper_card": "issued_on", "certificate": "issued_on", "abroad": "departed_on"}
# The dates known in advance (tests check that every date field is in one table or the other).
SCHEDULED: dict[str, tuple[str, ...]] = {
    "member": ("enrolled_on", "loss_on"),
    "paper_card": ("enrolled_on", "expires_on"),
    "my_number_card": ("certificate_expires_on",),
    "certificate": ("takes_effect_on", "expires_on"),
}


def as_known_on(member: Member, day: date) -> Member:
    """``member`` as the insurer knew it on ``day``: every event dated after ``day`` removed.

    Evaluating the result on ``day`` gives exactly the verdicts of evaluating ``member``
    on ``day`` (the library forgets later events itself); use it to see, or to store,
    what an evaluation on that day could know.
    """
    changes: dict[str, object] = _forgotten(member, EVENTS["member"], day)
    for part in EVENTS.keys() - {"member"}:
        document = getattr(member, part)
        if document is None:
            continue
        anchor = ANCHORS.get(part)
        if anchor is not None and getattr(document, anchor) > day:
            changes[part] = None
            continue
        forgotten = _forgotten(document, EVENTS[part], day)
        if forgotten:
            changes[part] = document.model_copy(update=forgotten)
    return member.model_copy(update=changes) if changes else member


def _forgotten(model: BaseModel, fields: tuple[str, ...], day: date) -> dict[str, object]:
    return {name: None for name in fields if (value := getattr(model, name)) is not None and value > day}


# Record keys, built once: (document flag or None, its event keys, its anchor key).
_RECORD_PARTS = tuple(
    (
        None if part == "member" else part,
        tuple(f"{part}__{name}" for name in names),
        f"{part}__{ANCHORS[part]}" if part in ANCHORS else None,
    )
    for part, names in EVENTS.items()
)


def forget_later(record: MutableMapping[str, int | bool | str], day: int) -> None:
    """Remove from a flat record (dates as day numbers) every event after ``day``, as
    :func:`as_known_on` does for the model."""
    for flag, keys, anchor in _RECORD_PARTS:
        if anchor is not None and _after(record.get(anchor), day):
            prefix = f"{flag}__"
            for key in [k for k in record if k.startswith(prefix)]:
                del record[key]
            record.pop(flag or "", None)
            continue
        for key in keys:  # _after, written out: this runs for every key of every member
            value = record.get(key)
            if type(value) is int and value > day:
                del record[key]


def _after(value: int | bool | str | None, day: int) -> bool:
    return type(value) is int and value > day
