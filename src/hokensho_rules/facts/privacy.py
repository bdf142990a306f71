"""Keeping My Numbers (個人番号) out: the library never takes one, and never shows one.

A My Number is 12 digits, the last a check digit computed from the other 11 by the
formula the Cabinet Order delegates to a ministerial ordinance (行政手続における特定の個人を
識別するための番号の利用等に関する法律施行令 第8条; 総務省令第85号 第5条). An id that is
one is refused by the input models, and anything the library echoes of a caller's
input in an error message goes through :func:`shown`, which withholds every
My Number-shaped run of digits. The check is on the shape only: it cannot tell a
My Number from another 12-digit number that happens to carry a valid check digit, and
refuses both, since nothing else in the library needs 12-digit ids.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["FORMULA_START", "WITHHELD", "check_digit", "contains_my_number", "is_my_number", "redact", "shown",
           "shown_cell", "spreadsheet_safe"]

# 12 decimal digits (any script's, e.g. full-width １２３…, as typed with an IME),
# optionally written in groups of four as on the card (1234 5678 9018, 1234-5678-9018),
# not part of a longer run of digits.
_SEPARATOR = "[ \u3000\\-\u2010\u2011\u2012\u2013\u2212\uff0d]?"
_RUN = re.compile(rf"(?<!\d)(\d{{4}}){_SEPARATOR}(\d{{4}}){_SEPARATOR}(\d{{4}})(?!\d)")
# What a withheld number is shown as, everywhere.
WITHHELD = "[withheld: a 12-digit number that may be a My Number]"


def check_digit(first_eleven: str) -> int:
    """The My Number check digit of the 11 digits ``first_eleven`` (総務省令第85号 第5条).

    With P(n) the n-th of those digits counted from the right (P(1) is the eleventh
    digit) and Q(n) = n + 1 for n ≤ 6 and n − 5 for 7 ≤ n ≤ 11, the remainder
    r = ΣP(n)·Q(n) mod 11 gives the check digit 0 when r ≤ 1, else 11 − r.
    """
    if len(first_eleven) != 11 or not first_eleven.isdecimal():
        raise ValueError(f"first_eleven must be 11 decimal digits, got {len(first_eleven)} characters")
    total = sum(int(first_eleven[11 - n]) * (n + 1 if n <= 6 else n - 5) for n in range(1, 12))
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def _valid(match: re.Match[str]) -> bool:
    digits = "".join(match.groups())
    return int(digits[-1]) == check_digit(digits[:-1])


def is_my_number(text: str) -> bool:
    """Whether ``text`` is, as a whole, 12 digits (maybe grouped 4-4-4) with a valid check digit."""
    match = _RUN.fullmatch(text.strip())
    return match is not None and _valid(match)


def contains_my_number(text: str) -> bool:
    """Whether any run of 12 digits in ``text`` (maybe grouped 4-4-4) has a valid check digit."""
    return any(_valid(match) for match in _RUN.finditer(text))


def redact(text: str) -> str:
    """``text`` with every My Number-shaped run of digits replaced by :data:`WITHHELD`."""
    return _RUN.sub(lambda match: WITHHELD if _valid(match) else match.group(0), text)


def shown(value: object, limit: int = 80) -> str:
    """``repr(value)`` for an error message: no My Number, at most about ``limit`` characters.

    A caller's bad argument is echoed so that they can find it, but never a My Number
    (withheld) and never a whole huge string (cut, with its length).
    """
    if isinstance(value, str) and len(value) > limit:
        # Cut before redacting with room for one whole run past the limit, so that a
        # number straddling the cut is withheld whole rather than shown in part.
        text = redact(repr(value[: limit + 20]))[:limit]
        return f"{text}… ({len(value):,} characters)"
    text = redact(repr(value))
    return text if len(text) <= limit else text[:limit] + "…"


# What a spreadsheet runs as a formula when a cell starts with it (OWASP, "CSV Injection"):
# = + - @, and tab or carriage return, which some spreadsheets skip before reading one.
# Full-width forms (＝ ＋ － ＠) are read as formulas by Japanese Excel too.
FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def spreadsheet_safe(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows and never runs: a leading ``'`` when it
    starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (OWASP's advice).

    The apostrophe is the spreadsheets' own "this is text" mark: Excel and LibreOffice
    show the cell without it. Every CSV file the library writes passes each cell here.
    """
    return "'" + text if text and text[0] in FORMULA_START else text


def shown_cell(value: object, limit: int = 40) -> str | None:
    """A cell's value as an error may show it, or ``None`` when it must not be shown.

    ``None`` when the value may be a My Number, in any spelling: 12 digits with a valid
    check digit anywhere in it, in groups of four or not, half- or full-width, with
    spaces or hyphens; at most ``limit`` characters of it otherwise (then ``…`` and its
    length), control characters replaced by ``?``. A formula is neutralised where the
    value is written to a CSV file (:func:`spreadsheet_safe`).
    """
    if value is None:
        return None
    text = str(value)
    # Full-width digits and spaces folded first (one linear pass, even over a huge cell).
    if contains_my_number(unicodedata.normalize("NFKC", text)):
        return None
    cut = text[:limit]
    cut = "".join("?" if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in cut)
    return cut if len(text) <= limit else f"{cut}… ({len(text):,} characters)"
