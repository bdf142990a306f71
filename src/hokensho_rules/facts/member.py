"""What is known about a member and their documents: strict, immutable input models.

The models hold facts only. Whether a fact makes a document usable is decided by the
rules in ``rules/``; here we reject only input that cannot describe a real member
(wrong types, unknown fields, dates in an impossible order).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import date
from typing import Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from .privacy import WITHHELD, contains_my_number, redact, shown

__all__ = [
    "Abroad",
    "Certificate",
    "Member",
    "MyNumberCard",
    "PaperCard",
    "Requests",
    "Situation",
    "membership",
]


def _scrub(value: object) -> object:
    # A bad input as an error may keep it: withheld whole if a My Number is anywhere in it.
    return WITHHELD if contains_my_number(value if isinstance(value, str) else repr(value)) else value


def _without_my_numbers(error: ValidationError, title: str) -> ValidationError:
    """``error`` itself, or, if a My Number is anywhere in it, a copy with it withheld.

    pydantic keeps every bad input in ``errors()`` and ``json()`` whatever the model
    config says (``hide_input_in_errors`` hides it from ``str`` only), and a key of an
    unknown field in ``loc``: so the error is rebuilt with those withheld. The rebuilt
    line errors keep their type, location and message, and lose only their ``ctx``.
    """
    details = error.errors()
    if not contains_my_number(repr(details)):
        return error
    rebuilt: list[InitErrorDetails] = [
        {
            "type": PydanticCustomError(detail["type"], redact(detail["msg"])),
            "loc": tuple(redact(part) if isinstance(part, str) else part for part in detail["loc"]),
            "input": _scrub(detail["input"]),
        }
        for detail in details
    ]
    return ValidationError.from_exception_data(title, rebuilt, hide_input=False)


class _Facts(BaseModel):
    # strict: "2025-01-01" is not a date and 1 is not True; frozen: a fact never changes
    # under a Decision that was computed from it. hide_input_in_errors: an error raised
    # where we cannot rebuild it (the model validated inside someone else's) never
    # prints a bad input, which might be a My Number; the entry points below rebuild
    # theirs without any My Number, so they print the input back.
    model_config = ConfigDict(strict=True, frozen=True, extra="forbid", hide_input_in_errors=True)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as error:
            raise _without_my_numbers(error, type(self).__name__) from None

    # pydantic treats a model with its own __init__ as "custom init" and then validates
    # JSON by calling __init__ with the parsed, Python-typed data, so that strict mode
    # refuses the JSON dates ("2020-04-01"). This __init__ only wraps the base one, so
    # we tell pydantic it is the base one (as pydantic marks BaseModel.__init__);
    # tests/test_facts.py's JSON round trip fails if that ever stops working.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """Validate ``obj``; a ValidationError never carries a My Number."""
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as error:
            raise _without_my_numbers(error, cls.__name__) from None

    @classmethod
    def model_validate_json(cls, json_data: Any, *args: Any, **kwargs: Any) -> Self:
        """Validate JSON text; a ValidationError never carries a My Number."""
        try:
            return super().model_validate_json(json_data, *args, **kwargs)
        except ValidationError as error:
            raise _without_my_numbers(error, cls.__name__) from None

    @classmethod
    def model_validate_strings(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """Validate string data; a ValidationError never carries a My Number."""
        try:
            return super().model_validate_strings(obj, *args, **kwargs)
        except ValidationError as error:
            raise _without_my_numbers(error, cls.__name__) from None


def _not_a_my_number(value: Any, info: ValidationInfo) -> Any:
    """Refuse an id that holds a My Number, without showing it."""
    if isinstance(value, str) and contains_my_number(value):
        raise PydanticCustomError(
            "my_number",
            "{field} holds 12 digits with a valid My Number check digit: hokensho-rules never takes "
            "a My Number (use the insurer's own id); the value is not shown",
            {"field": info.field_name},
        )
    return value


def _printable(value: str | None, info: ValidationInfo) -> str | None:
    """Refuse control characters and line breaks in an id.

    An id is printed on action lists, mailing plans and timelines: a line break or an
    escape sequence in it would forge a row or rewrite a clerk's terminal.
    (pydantic already refuses unpaired surrogates, which could not be sent as UTF-8.)
    """
    if value is None:
        return value
    for position, char in enumerate(value):
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            raise PydanticCustomError(
                "id_character",
                "{field} must not contain control characters or line breaks; "
                "found U+{code} at position {position}",
                {"field": info.field_name, "code": f"{ord(char):04X}", "position": position},
            )
    return value


def _require_order(
    model: BaseModel, earlier: str, later: str, *, allow_equal: bool = True
) -> None:
    """Raise if both dates are known and ``later`` comes before ``earlier``."""
    first, second = getattr(model, earlier), getattr(model, later)
    if first is None or second is None:
        return
    if second < first or (second == first and not allow_equal):
        relation = "on or after" if allow_equal else "after"
        raise ValueError(
            f"{later}={second.isoformat()} must be {relation} {earlier}={first.isoformat()}"
        )


class PaperCard(_Facts):
    """The paper health-insurance card (健康保険証) the member holds, if any."""

    issued_on: date = Field(description="交付日: the day the card was issued.")
    enrolled_on: date | None = Field(
        default=None,
        description="資格取得年月日 printed on the card: the enrolment it was issued for. When it differs "
        "from the member's enrolment date, the card belongs to an earlier membership.",
    )
    expires_on: date | None = Field(
        default=None, description="有効期限: the card's own expiry, if it carries one."
    )
    lost_on: date | None = Field(default=None, description="The day the card was lost.")
    returned_on: date | None = Field(default=None, description="返納: the day the card was returned to the insurer.")

    # One fact, one field (ruling X-14): kept only so that old input gets a clear error
    # rather than losing the change. Not a fact: never set, shown or exported.
    details_changed_on: None = Field(
        default=None, exclude=True, repr=False,
        description="Removed: a change of name or share of cost is recorded once, as Member.details_changed_on.",
    )

    @field_validator("details_changed_on", mode="before")
    @classmethod
    def _removed(cls, value: object) -> None:
        raise ValueError(
            "details_changed_on is no longer a field of the paper card: record a change of "
            "name or share of cost once, as Member.details_changed_on"
        )

    @model_validator(mode="after")
    def _dates_in_order(self) -> PaperCard:
        for later in ("expires_on", "lost_on", "returned_on"):
            _require_order(self, "issued_on", later)
        return self


class MyNumberCard(_Facts):
    """The member's My Number card (マイナンバーカード) and its insurance-use registration."""

    registered_for_insurance_on: date | None = Field(
        default=None, description="健康保険証利用登録: the day the card was registered for insurance use."
    )
    registration_cancelled_on: date | None = Field(
        default=None, description="利用登録の解除: the day that registration was cancelled."
    )
    certificate_expires_on: date | None = Field(
        default=None,
        description="利用者証明用電子証明書の有効期限: last day the card's electronic certificate is in force.",
    )
    returned_on: date | None = Field(default=None, description="返納: the day the card was returned.")
    suspended_on: date | None = Field(
        default=None, description="一時利用停止: the day the card was suspended (lost or stolen)."
    )
    expires_on: date | None = Field(
        default=None, description="カード本体の有効期限: the card's own printed expiry (10th birthday, 5th under 18, period of stay)."
    )
    on_smartphone_since: date | None = Field(
        default=None, description="スマホのマイナ保険証: the day the card was added to the member's phone (Wallet / smartphone certificate)."
    )

    @model_validator(mode="after")
    def _registration_before_cancellation(self) -> MyNumberCard:
        if self.registration_cancelled_on is not None and self.registered_for_insurance_on is None:
            raise ValueError(
                "registration_cancelled_on="
                f"{self.registration_cancelled_on.isoformat()} needs registered_for_insurance_on: "
                "a registration that was never made cannot be cancelled"
            )
        _require_order(self, "registered_for_insurance_on", "registration_cancelled_on")
        return self


class Certificate(_Facts):
    """An eligibility certificate (資格確認書) already issued to the member."""

    issued_on: date = Field(description="交付日: the day the certificate was issued.")
    takes_effect_on: date | None = Field(
        default=None,
        description="有効開始日 printed on it, when later than the issue day (a certificate issued "
        "while the paper card was still usable takes effect when the card stops).",
    )
    expires_on: date | None = Field(
        default=None,
        description="有効期限 printed on it, when the insurer chose a period shorter than the longest allowed.",
    )
    returned_on: date | None = Field(default=None, description="返納: the day the certificate was returned.")

    @model_validator(mode="after")
    def _dates_in_order(self) -> Certificate:
        _require_order(self, "issued_on", "takes_effect_on")
        _require_order(self, "issued_on", "expires_on")
        _require_order(self, "takes_effect_on", "expires_on")
        _require_order(self, "issued_on", "returned_on")
        return self


class Requests(_Facts):
    """What the member asked the insurer for."""

    certificate_on_enrolment_form: bool = Field(
        default=False,
        description="資格確認書の交付希望欄: asked for a certificate on the enrolment or dependant notification.",
    )
    certificate_for_circumstances_on: date | None = Field(
        default=None,
        description="The day the member asked for a certificate because of their circumstances "
        "(e.g. the card is entrusted to a care facility).",
    )


class Abroad(_Facts):
    """The member's move abroad (国外転出), for the continued use of the My Number card."""

    departed_on: date = Field(description="国外転出日: the day the member moved abroad.")
    japanese_national: bool = Field(description="日本国籍: whether the member is a Japanese national.")
    continuation_done_on: date | None = Field(
        default=None,
        description="継続利用の手続: the day the card's continuation procedure was done at the municipality.",
    )


class Member(_Facts):
    """A member (加入者) of the health-insurance society: an insured person or a dependant."""

    id: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="The insurer's own member id. Never a My Number: a value holding 12 digits "
        "with a valid My Number check digit is refused, and the error does not show it.",
    )
    kind: Literal["insured", "dependant"] = Field(description="被保険者 or 被扶養者.")
    enrolled_on: date = Field(description="資格取得日: first day of eligibility.")
    loss_on: date | None = Field(
        default=None, description="資格喪失日: first day WITHOUT eligibility (the day after leaving)."
    )
    voluntary_continuation: bool = Field(
        default=False, description="任意継続被保険者: insured on voluntary continuation, with no employer."
    )
    my_number_held: bool = Field(
        default=False, description="Whether the insurer holds the member's My Number."
    )
    insurer_registered_on: date | None = Field(
        default=None,
        description="The day the insurer registered the member for online eligibility verification.",
    )
    # Ids are bounded: durable-rules hashes a string by its length modulo 64 KB, so two
    # long ids that differ late would count as the same fact.
    # The pattern of both: a letter or digit of any script first (never ``=``, ``+``, ``-``,
    # ``@``: a spreadsheet would run the cell), then letters, digits and . _ : -.
    employer: str | None = Field(
        default=None, min_length=1, max_length=200, pattern=r"^[^\W_][\w.:\-]*$",
        description="事業所: the employer's id: 1 to 200 letters or digits (any script) and . _ : -, starting "
        "with a letter or digit (never a My Number, a control character or a formula).",
    )
    household: str | None = Field(
        default=None, min_length=1, max_length=200, pattern=r"^[^\W_][\w.:\-]*$",
        description="世帯: id shared by the members of one household, written as the employer id is "
        "(never a My Number, a control character or a formula).",
    )
    enrolment_notified_on: date | None = Field(
        default=None,
        description="The day the insurer received the enrolment (資格取得届) or dependant "
        "(被扶養者異動届) notification; it may precede the enrolment date for a prospective hire.",
    )
    details_changed_on: date | None = Field(
        default=None,
        description="The last day a detail of the member printed on their documents (name, share of cost) "
        "changed. From the paper card's abolition it ends the card's use; the notice is sent again.",
    )
    notice_sent_on: date | None = Field(
        default=None, description="The day the eligibility notice (資格情報のお知らせ) was sent to the member."
    )
    paper_card: PaperCard | None = None
    my_number_card: MyNumberCard | None = None
    certificate: Certificate | None = None
    requests: Requests = Requests()
    abroad: Abroad | None = None

    _ids_not_my_numbers = field_validator("id", "employer", "household", mode="before")(_not_a_my_number)
    _ids_printable = field_validator("employer", "household")(_printable)

    @model_validator(mode="after")
    def _consistent(self) -> Member:
        _require_order(self, "enrolled_on", "loss_on", allow_equal=False)
        if self.voluntary_continuation and self.kind != "insured":
            raise ValueError("voluntary_continuation=True needs kind='insured': a dependant cannot be")
        if self.voluntary_continuation and self.employer is not None:
            raise ValueError(
                f"employer={shown(self.employer)} with voluntary_continuation=True: "
                "a voluntary continuation insured has no employer"
            )
        if self.insurer_registered_on is not None and not self.my_number_held:
            raise ValueError(
                "insurer_registered_on="
                f"{self.insurer_registered_on.isoformat()} needs my_number_held=True: "
                "the insurer registers a member with the My Number it holds"
            )
        return self


def membership(members: Iterable[Member]) -> list[Member]:
    """``members`` as a list, each a Member with an id of its own.

    Raises TypeError for one Member, a string or anything not a Member (a Member
    iterates over its fields and a str over its characters, which would otherwise fail
    later with a confusing type), and ValueError naming an id given twice.
    """
    if isinstance(members, (Member, str, bytes)):
        raise TypeError(f"members must be an iterable of hokensho_rules.Member, got one {type(members).__name__}")
    if not isinstance(members, Iterable):
        raise TypeError(f"members must be an iterable of hokensho_rules.Member, got {type(members).__name__}")
    seen: set[str] = set()
    checked = []
    for member in members:
        if not isinstance(member, Member):
            raise TypeError(f"members must be hokensho_rules.Member objects, got {type(member).__name__}")
        if member.id in seen:
            raise ValueError(f"member id {member.id!r} appears more than once")
        seen.add(member.id)
        checked.append(member)
    return checked


class Situation(_Facts):
    """The counter of a medical institution on the day of a visit (受診時の状況).

    Not part of the member: pass it to ``Rulebook.evaluate(..., situation=...)`` to ask
    which presentations that institution accepts.
    """

    online_verification: bool = Field(
        description="オンライン資格確認: the institution can verify eligibility online (has a card reader)."
    )
    smartphone: bool = Field(
        description="The member carries a smartphone (or other device) with the Mynaportal app."
    )
    card_reader_out_of_order: bool = Field(default=False, description="The card reader is out of order.")
    power_cut: bool = Field(default=False, description="停電: there is a power cut.")
    ic_chip_broken: bool = Field(default=False, description="ICチップ破損: the My Number card's IC chip is broken.")
    smartphone_reader: bool = Field(default=False, description="The institution can read the My Number card on a phone (スマホ対応リーダー).")
