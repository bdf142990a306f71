"""Statutory date arithmetic and Japanese era (wareki) dates.

Periods follow the Civil Code (民法 第140条–第143条) on whole calendar
dates. The library treats a start date as the first day of validity, so
第140条's "the first day is not counted" is already reflected in the start
date the caller passes; the functions here count from it.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import holidays
import yaml
from dateutil.relativedelta import relativedelta

from ..facts.privacy import shown
from .loader import rules_dir

__all__ = [
    "DaysOff",
    "Era",
    "WarekiError",
    "civil_period_end",
    "default_eras_file",
    "end_of_month",
    "end_of_month_after",
    "format_wareki",
    "load_eras",
    "parse_wareki",
    "parse_days_off",
    "within_days_deadline",
]


# --- periods ---------------------------------------------------------------


# A membership shares few distinct start days; a batch computes the same ends again and again.
@functools.lru_cache(maxsize=4096)
def civil_period_end(start: date, *, years: int = 0, months: int = 0) -> date:
    """Return the last day of a period of ``years`` + ``months`` beginning on ``start``.

    ``start`` is day one. Per 民法 第143条 the period ends the day before the
    day corresponding to ``start`` in the final month; if the final month
    has no such day (e.g. the 31st in February), it ends on that month's
    last day. Raises ValueError if a length is negative or both are zero.
    """
    _require_non_negative("years", years)
    _require_non_negative("months", months)
    if years == 0 and months == 0:
        raise ValueError("years and months must not both be 0: a period needs a length")
    corresponding = start + relativedelta(years=years, months=months)
    # relativedelta clamps a missing day to the month's last day, which is
    # exactly 第143条's proviso; a changed day-of-month means clamping happened.
    if corresponding.day != start.day:
        return corresponding
    return corresponding - timedelta(days=1)


def within_days_deadline(event: date, days: int) -> date:
    """Return the last day of a deadline "within ``days`` days" of ``event``.

    The event's own day is not counted (民法 第140条), so the deadline is
    ``event + days``. Holiday extension (第142条) is a separate step:
    :meth:`DaysOff.next_working_day`.
    Raises ValueError unless ``days`` is at least 1.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    return event + timedelta(days=days)


# --- working days ----------------------------------------------------------

DayOffReason = Literal["saturday", "sunday", "national_holiday", "year_end"]
_WEEKDAYS: dict[str, int] = {"saturday": 5, "sunday": 6}
_SPAN = re.compile(r"(\d\d)-(\d\d)/(\d\d)-(\d\d)")


@functools.cache
def _national_holidays() -> holidays.HolidayBase:
    # The package computes each year's holidays (equinoxes, substitute days) on demand.
    return holidays.country_holidays("JP")


@dataclass(frozen=True)
class DaysOff:
    """The days on which a deadline counted in days cannot end (民法 第142条).

    Built by :func:`parse_days_off` from a rule file's parameter; an empty set of
    days off means deadlines are not moved.
    """

    weekdays: frozenset[int] = frozenset()
    national_holidays: bool = False
    # Each span is (month, day) to (month, day), inclusive, possibly across the new year.
    spans: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = ()

    def reason(self, day: date) -> DayOffReason | None:
        """Why ``day`` is a day off, or None for a working day."""
        weekday = day.weekday()
        for name, number in _WEEKDAYS.items():
            if weekday == number and number in self.weekdays:
                return name  # type: ignore[return-value]
        if self.national_holidays and day in _national_holidays():
            return "national_holiday"
        md = (day.month, day.day)
        for start, end in self.spans:
            if (start <= md <= end) if start <= end else (md >= start or md <= end):
                return "year_end"
        return None

    def holiday_name(self, day: date) -> str | None:
        """The national holiday's name on ``day`` (in Japanese), if it is one."""
        return _national_holidays().get(day) if self.national_holidays else None

    def longest_run(self, first: date = date(2000, 1, 1), last: date = date(2099, 12, 31)) -> int:
        """The most days off in a row between ``first`` and ``last`` (how far a deadline can move)."""
        longest = run = 0
        day = first
        while day <= last:
            run = run + 1 if self.reason(day) is not None else 0
            longest = max(longest, run)
            day += timedelta(days=1)
        return longest

    def next_working_day(self, day: date) -> date:
        """``day`` itself if it is a working day, else the first working day after it."""
        # A run of days off is at most a few weeks even with every kind enabled.
        for _ in range(366):
            if self.reason(day) is None:
                return day
            day += timedelta(days=1)
        raise ValueError(f"no working day within a year after {day.isoformat()}: check the days off")


@functools.lru_cache(maxsize=64)
def parse_days_off(text: str) -> DaysOff:
    """The days off named by ``text``: ``saturday``, ``sunday``, ``national_holiday`` and
    spans ``MM-DD/MM-DD``, separated by spaces; ``none`` for no days off.

    Raises ValueError naming the word that is none of these.
    """
    words = text.split()
    if words == ["none"]:
        return DaysOff()
    weekdays, national, spans = set(), False, []
    for token in words:
        span = _SPAN.fullmatch(token)
        if token in _WEEKDAYS:
            weekdays.add(_WEEKDAYS[token])
        elif token == "national_holiday":
            national = True
        elif span is not None and _valid_month_days(span):
            a, b, c, d = (int(g) for g in span.groups())
            spans.append(((a, b), (c, d)))
        else:
            raise ValueError(
                f"days off: {shown(token)} is not saturday, sunday, national_holiday,"
                " a span such as 12-29/01-03, or none"
            )
    if not words:
        raise ValueError("days off: empty; write none for no days off")
    return DaysOff(frozenset(weekdays), national, tuple(spans))


def _valid_month_days(span: re.Match[str]) -> bool:
    a, b, c, d = (int(g) for g in span.groups())
    try:
        date(2024, a, b), date(2024, c, d)  # 2024: a leap year admits 02-29
    except ValueError:
        return False
    return True


def end_of_month(d: date) -> date:
    """Return the last day of the month containing ``d``."""
    # relativedelta clamps day=31 to the month's real length.
    return d + relativedelta(day=31)


def end_of_month_after(d: date, months: int) -> date:
    """Return the last day of the ``months``-th month after the month of ``d``.

    ``months=0`` gives the end of ``d``'s own month. Raises ValueError if
    ``months`` is negative.
    """
    _require_non_negative("months", months)
    return d + relativedelta(months=months, day=31)


def _require_non_negative(name: str, value: int) -> None:
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")


# --- era table -------------------------------------------------------------


@dataclass(frozen=True)
class Era:
    """A Japanese era (元号) and the dates it names.

    Attributes:
        name: kanji name, e.g. 令和.
        initial: one-letter romaji abbreviation, e.g. R.
        english: English name, e.g. Reiwa.
        start: first day of the era.
        end: last day of the era, or None for the current era.
        citation: the instrument that fixed the era.
    """

    name: str
    initial: str
    english: str
    start: date
    end: date | None
    citation: str


class WarekiError(ValueError):
    """A wareki date could not be parsed or formatted."""


_ERA_KEYS = frozenset({"name", "initial", "english", "start", "citation"})


def default_eras_file() -> Path:
    """Return the path of the bundled ``eras.yaml`` in the ``rules/`` folder."""
    return rules_dir() / "eras.yaml"


@functools.cache
def load_eras(path: Path) -> tuple[Era, ...]:
    """Load an era table from YAML, oldest first, deriving each era's end.

    Raises ValueError naming ``path`` if the table is malformed or its
    eras are not in strictly increasing order of start date.
    """
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict) or not isinstance(document.get("eras"), list):
        raise ValueError(f"{path}: expected a mapping with an 'eras' list")  # noqa: TRY004 (bad file content)
    eras = [_era_from_entry(entry, path) for entry in document["eras"]]
    _check_table(eras, path)
    # Only start dates are stored, so each end is the day before the successor.
    closed = [replace(era, end=nxt.start - timedelta(days=1)) for era, nxt in itertools.pairwise(eras)]
    return (*closed, eras[-1])


def _era_from_entry(entry: object, path: Path) -> Era:
    if not isinstance(entry, dict) or set(entry) != _ERA_KEYS:
        raise ValueError(
            f"{path}: each era needs exactly the keys {sorted(_ERA_KEYS)}, got {entry!r}"
        )
    texts = {key: entry[key] for key in _ERA_KEYS - {"start"}}
    if not all(isinstance(value, str) and value for value in texts.values()):
        raise ValueError(f"{path}: era text fields must be non-empty strings: {entry!r}")
    # datetime subclasses date; a time of day would break date comparisons.
    if type(entry["start"]) is not date:
        raise ValueError(f"{path}: era start must be an unquoted YAML date: {entry!r}")
    if not re.fullmatch(r"[A-Z]", entry["initial"]):
        raise ValueError(f"{path}: era initial must be one capital letter A-Z: {entry!r}")
    return Era(
        name=entry["name"],
        initial=entry["initial"],
        english=entry["english"],
        start=entry["start"],
        end=None,
        citation=entry["citation"],
    )


def _check_table(eras: list[Era], path: Path) -> None:
    if not eras:
        raise ValueError(f"{path}: the era table is empty")
    if any(later.start <= earlier.start for earlier, later in itertools.pairwise(eras)):
        raise ValueError(f"{path}: eras must be listed in increasing order of start date")
    # Names and initials are lookup keys when parsing, so they must be unambiguous.
    for field in ("name", "initial"):
        values = [getattr(era, field) for era in eras]
        if len(set(values)) != len(values):
            raise ValueError(f"{path}: era {field}s must be unique, got {values}")


def _eras(eras_file: Path | None) -> tuple[Era, ...]:
    return load_eras(eras_file) if eras_file is not None else _bundled_eras()


@functools.cache  # asked for by every date parsed or shown: a path built and hashed each time cost more than the parse
def _bundled_eras() -> tuple[Era, ...]:
    return load_eras(default_eras_file())


# --- wareki ----------------------------------------------------------------

# Era token, era year, then either 年月日 or a repeated . / - separator.
# The era token is lazy so that 元 is left for the year in 令和元年.
# At most 9 digits a number (zeros in front allowed): a longer one is no date, and would
# overflow the C integers of ``date`` rather than fail as a malformed text.
_WAREKI = re.compile(
    r"(?P<era>[^0-9]+?)(?P<year>[0-9]{1,9}|元)"
    r"(?:年(?P<kanji_month>[0-9]{1,9})月(?P<kanji_day>[0-9]{1,9})日"
    r"|(?P<sep>[./-])(?P<month>[0-9]{1,9})(?P=sep)(?P<day>[0-9]{1,9}))"
)


def parse_wareki(text: str, *, eras_file: Path | None = None) -> date:
    """Parse a wareki date such as 令和6年12月2日, 令和元年5月1日 or R6.12.2.

    Full-width characters and whitespace are tolerated, era initials are
    case-insensitive, and the kanji and short forms may be mixed
    (令和6.12.2). Raises WarekiError quoting ``text`` for an unknown era,
    a malformed string, year 0, a nonexistent date, or a date outside its era.
    """
    # NFKC folds full-width digits, letters and punctuation (and ㋿) to plain forms.
    compact = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    match = _WAREKI.fullmatch(compact)
    if match is None:
        raise WarekiError(
            f"{shown(text)}: malformed wareki date (expected e.g. 令和6年12月2日 or R6.12.2)"
        )
    era = _era_named(match["era"], _eras(eras_file), text)
    year = 1 if match["year"] == "元" else int(match["year"])
    if year == 0:
        raise WarekiError(f"{shown(text)}: era year 0 does not exist (the first year is 元年)")
    month = int(match["kanji_month"] or match["month"])
    day = int(match["kanji_day"] or match["day"])
    result = _gregorian(era.start.year + year - 1, month, day, text)
    _check_within_era(result, era, text)
    return result


def format_wareki(
    d: date,
    style: Literal["kanji", "short"] = "kanji",
    *,
    eras_file: Path | None = None,
) -> str:
    """Format ``d`` as 令和6年12月2日 (``"kanji"``) or R6.12.2 (``"short"``).

    The kanji style writes year 1 as 元年 (令和元年5月1日).


    Raises WarekiError naming ``d`` if it precedes the first era in the table.
    """
    era = _era_on(d, _eras(eras_file))
    year = d.year - era.start.year + 1
    if style == "kanji":
        year_text = "元" if year == 1 else str(year)
        return f"{era.name}{year_text}年{d.month}月{d.day}日"
    if style == "short":
        return f"{era.initial}{year}.{d.month}.{d.day}"
    raise ValueError(f"style must be 'kanji' or 'short', got {shown(style)}")


def _era_named(token: str, eras: tuple[Era, ...], text: str) -> Era:
    for era in eras:
        if token == era.name or token.upper() == era.initial:
            return era
    raise WarekiError(f"{shown(text)}: unknown era {shown(token)}")


def _gregorian(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise WarekiError(f"{shown(text)}: no such date {year:04d}-{month:02d}-{day:02d}") from None


def _check_within_era(d: date, era: Era, text: str) -> None:
    if d < era.start:
        raise WarekiError(
            f"{shown(text)}: {d.isoformat()} is before {era.name} began on {era.start.isoformat()}"
        )
    if era.end is not None and d > era.end:
        raise WarekiError(
            f"{shown(text)}: {d.isoformat()} is after {era.name} ended on {era.end.isoformat()}"
        )


def _era_on(d: date, eras: tuple[Era, ...]) -> Era:
    # Eras are ordered oldest first, so the latest one already begun is current.
    for era in reversed(eras):
        if era.start <= d:
            return era
    first = eras[0]
    raise WarekiError(
        f"{d.isoformat()} is before the first supported era"
        f" ({first.name}, from {first.start.isoformat()})"
    )
