"""Pictures: a member's timeline, a membership's outcomes over time, an action list by due month.

Drawn with matplotlib (the ``charts`` extra: ``pip install 'hokensho-rules[charts]'``),
imported here only, and only when a chart is drawn: the library itself never needs it.
Japanese labels are set in IPAexGothic, the font the ``matplotlib-fontja`` package
ships; it is registered with matplotlib and used inside each chart only (the user's
own matplotlib settings are left alone). A :class:`Chart` shows itself inline in
Jupyter (PNG) and saves as PNG or SVG; in SVG the text is drawn as outlines, so a
viewer without a Japanese font shows it too.

Every word and date comes from the law (titles, outcome labels, parameters): the
legal dates marked on a timeline are the date-valued parameters of its rulebook.
"""

from __future__ import annotations

import importlib.util
import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..results import actions, timeline
from ..law.calendar import WarekiError, format_wareki
from ..law.packs import Law
from ..facts.privacy import shown
from .atomic import atomic_path
from .words import Lang, check_lang, outcome_label, question_title, show_date, text, word

if TYPE_CHECKING:  # matplotlib is optional: only its types are named at import
    from matplotlib.figure import Figure

__all__ = ["Axis", "Chart", "ChartsUnavailable", "action_months_chart", "counts_table", "legal_dates", "outcome_counts",
           "outcome_counts_chart", "timeline_chart"]

Axis = Literal["wareki", "iso"]

_FONT_FAMILY = "IPAexGothic"
# Outcomes that call for an action are hatched; colours tell outcomes of one question apart.
_HATCH = "///"
_WIDTH = 11.0  # inches: readable in a notebook and on a docs page


class ChartsUnavailable(ImportError):
    """The ``charts`` extra is not installed."""


def _matplotlib() -> Any:
    """matplotlib, with the Japanese font registered once; a clear error when the extra is missing."""
    try:
        import matplotlib
        from matplotlib import font_manager
    except ImportError as error:
        raise ChartsUnavailable(
            "charts need matplotlib and a Japanese font: pip install 'hokensho-rules[charts]'"
        ) from error
    # Found without importing the package: importing it would set the user's default font.
    spec = importlib.util.find_spec("matplotlib_fontja")
    if spec is None or not spec.submodule_search_locations:
        raise ChartsUnavailable(
            "charts need the Japanese font of matplotlib-fontja: pip install 'hokensho-rules[charts]'"
        )
    font = Path(next(iter(spec.submodule_search_locations))) / "fonts" / "ipaexg.ttf"
    if not any(f.fname == str(font) for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(font))
    return matplotlib


def _figure(height: float) -> Figure:
    matplotlib = _matplotlib()
    from matplotlib.figure import Figure

    # Text objects take their font when created: the family applies to this figure only.
    with matplotlib.rc_context({"font.family": [_FONT_FAMILY, "DejaVu Sans"], "svg.fonttype": "path"}):
        return Figure(figsize=(_WIDTH, height), layout="constrained")


@dataclass(frozen=True)
class Chart:
    """A drawn chart: ``figure`` is the matplotlib Figure; shown inline in Jupyter, saved as PNG or SVG."""

    figure: Figure
    title: str

    def save(self, path: str | Path, *, dpi: int = 150) -> Path:
        """Write the chart to ``path``; its suffix (``.png`` or ``.svg``) chooses the format."""
        target = Path(path)
        kind = target.suffix.lower().lstrip(".")
        if kind not in ("png", "svg"):
            raise ValueError(f"save a chart as .png or .svg, got {shown(target.name)}")
        # Complete or absent: drawn to a temporary file beside it, renamed when done.
        with atomic_path(target) as temporary:
            self.figure.savefig(temporary, format=kind, dpi=dpi)
        return target

    def png(self, *, dpi: int = 110) -> bytes:
        """The chart as PNG bytes."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=dpi)
        return buffer.getvalue()

    def svg(self) -> str:
        """The chart as SVG text (text as outlines)."""
        buffer = io.StringIO()
        self.figure.savefig(buffer, format="svg")
        return buffer.getvalue()

    def _repr_png_(self) -> bytes:
        return self.png()

    def __repr__(self) -> str:
        return f"Chart({self.title!r})"


def _style(matplotlib: Any) -> Any:
    return matplotlib.rc_context({"font.family": [_FONT_FAMILY, "DejaVu Sans"], "svg.fonttype": "path",
                                  "axes.spines.top": False, "axes.spines.right": False})


def _tick_label(day: date, axis: Axis, lang: Lang) -> str:
    if axis == "iso":
        return day.isoformat()[:7]
    try:
        shown = format_wareki(day)
    except WarekiError:
        return day.isoformat()[:7]
    # 令和7年1月1日 → 令和7年1月: ticks fall on the first of a month.
    return shown.rsplit("月", 1)[0] + "月" if lang == "ja" else format_wareki(day, "short").rsplit(".", 1)[0]


def _ticks(start: date, end: date) -> list[date]:
    """First days of months at a spacing that keeps about eight labels."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    step = next(s for s in (1, 2, 3, 6, 12, 24, 60) if months / s <= 9)
    first = date(start.year, start.month, 1)
    ticks: list[date] = []
    index = first.year * 12 + first.month - 1
    while True:
        day = date(index // 12, index % 12 + 1, 1)
        if day > end:
            return ticks
        if day >= start and (index % step == 0 or step == 1):
            ticks.append(day)
        index += 1


def _date_axis(ax: Any, start: date, end: date, axis: Axis, lang: Lang) -> None:
    ticks = _ticks(start, end)
    ax.set_xlim(start.toordinal(), (end + timedelta(days=1)).toordinal())
    ax.set_xticks([t.toordinal() for t in ticks], [_tick_label(t, axis, lang) for t in ticks], rotation=30, ha="right")


def legal_dates(law: Law, start: date, end: date) -> list[tuple[date, str]]:
    """The date-valued parameters (every dated value) between ``start`` and ``end``, with their names."""
    found: dict[date, list[str]] = {}
    for name, parameter in law.parameters.items():
        for dated in parameter.values:
            if isinstance(dated.value, date) and start <= dated.value <= end:
                found.setdefault(dated.value, []).append(name)
    return sorted((day, names[0]) for day, names in found.items())


def _colour(question: Any, outcome: str, colours: Any) -> Any:
    return colours(list(question.outcomes).index(outcome) % 10)


def timeline_chart(
    line: timeline.Timeline, lang: Lang = "ja", *, axis: Axis | None = None, questions: Sequence[str] | None = None,
) -> Chart:
    """One lane per question, a bar per interval coloured by outcome (hatched when the outcome
    calls for an action), the legal dates of the rulebook marked; ``axis`` ``"wareki"``
    (default in Japanese) or ``"iso"``. ``questions`` limits and orders the lanes."""
    lang = check_lang(lang)
    axis = axis or ("wareki" if lang == "ja" else "iso")
    if axis not in ("wareki", "iso"):
        raise ValueError(f"axis must be 'wareki' or 'iso', got {shown(axis)}")
    law = line.law
    lanes = list(line) if questions is None else list(questions)
    unknown = [q for q in lanes if q not in line]
    if unknown:
        raise KeyError(f"no question {', '.join(map(repr, unknown))} in this timeline")
    matplotlib = _matplotlib()
    with _style(matplotlib):
        figure = _figure(1.2 + 0.42 * len(lanes))
        ax = figure.add_subplot()
        colours = matplotlib.colormaps["tab10"]
        for lane, question in enumerate(reversed(lanes)):
            spec = law.questions[question]
            for run in line[question]:
                x0, width = run.start.toordinal(), run.days
                acts = spec.outcomes[run.outcome].action is not None
                ax.broken_barh([(x0, width)], (lane - 0.38, 0.76), facecolors=_colour(spec, run.outcome, colours),
                               edgecolor="white", hatch=_HATCH if acts else None, linewidth=0.5)
                label = f"{outcome_label(law, question, run.outcome, lang)} ({run.rule_id})"
                # Only where it fits: about 6 pt per character over the lane's share of the width.
                span = (line.end - line.start).days + 1
                if width / span * _WIDTH * 72 > 6.2 * len(label):
                    ax.text(x0 + width / 2, lane, label, ha="center", va="center", fontsize=7, clip_on=True,
                            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
        ax.set_yticks(range(len(lanes)), [question_title(law, q, lang) for q in reversed(lanes)], fontsize=8)
        ax.set_ylim(-0.6, len(lanes) - 0.4)
        _date_axis(ax, line.start, line.end, axis, lang)
        span = (line.end - line.start).days + 1
        for (day, _), level in _levels(legal_dates(law, line.start, line.end), span):
            ax.axvline(day.toordinal(), color="#cf222e", linestyle="--", linewidth=0.9)
            # Close dates take turns on stacked rows of labels instead of overprinting each other.
            ax.annotate(_tick_label_day(day, axis, lang), (day.toordinal(), len(lanes) - 0.4), fontsize=7,
                        color="#cf222e", ha="center", va="bottom", annotation_clip=False,
                        xytext=(0, 2 + 9 * level), textcoords="offset points")
        title = (f"{word('member', lang)} {line.member_id}：{show_date(line.start, lang)}〜{show_date(line.end, lang)}"
                 if lang == "ja" else f"{word('member', lang)} {line.member_id}: {line.start} to {line.end}")
        ax.set_title(title, fontsize=10, pad=14 + 9 * _levels_needed(legal_dates(law, line.start, line.end), span))
        note = ("赤の破線：法定の日付（パラメータ）　斜線：対応が必要な答え" if lang == "ja"
                else "red dashes: legal dates (parameters); hatched: an answer that calls for an action")
        ax.set_xlabel(note, fontsize=7, color="#57606a", loc="left")
    return Chart(figure, title)


def _levels(dates: list[tuple[date, str]], span: int) -> list[tuple[tuple[date, str], int]]:
    """Each date with the lowest row of labels whose last label is far enough to the left."""
    rows: list[date] = []
    placed = []
    for item in dates:
        level = next((i for i, last in enumerate(rows) if (item[0] - last).days > span * 0.14), len(rows))
        if level == len(rows):
            rows.append(item[0])
        rows[level] = item[0]
        placed.append((item, level))
    return placed


def _levels_needed(dates: list[tuple[date, str]], span: int) -> int:
    return max((level + 1 for _, level in _levels(dates, span)), default=0)


def _tick_label_day(day: date, axis: Axis, lang: Lang) -> str:
    if axis == "iso":
        return day.isoformat()
    return show_date(day, "ja") if lang == "ja" else format_wareki(day, "short")


def outcome_counts(timelines: Iterable[timeline.Timeline], question: str) -> dict[date, Counter[str]]:
    """How many members have each outcome of ``question``, from each day an answer changes
    (the counts hold until the next day listed): exact, from the timelines' intervals."""
    changes: dict[date, Counter[str]] = {}
    for line in timelines:
        for run in line[question]:
            changes.setdefault(run.start, Counter())[run.outcome] += 1
            after = run.end + timedelta(days=1)
            if after <= line.end:
                changes.setdefault(after, Counter())[run.outcome] -= 1
    counts: dict[date, Counter[str]] = {}
    current: Counter[str] = Counter()
    for day in sorted(changes):
        current.update(changes[day])
        counts[day] = Counter({k: v for k, v in current.items() if v})
    return counts


def outcome_counts_chart(
    timelines: Sequence[timeline.Timeline], question: str, lang: Lang = "ja", *, axis: Axis | None = None,
) -> Chart:
    """A membership's answers to ``question`` over time, stacked: how many members have each
    outcome on every day of the timelines' period, legal dates marked."""
    lang = check_lang(lang)
    axis = axis or ("wareki" if lang == "ja" else "iso")
    if not timelines:
        raise ValueError("no timelines to count")
    law, start, end = timelines[0].law, min(t.start for t in timelines), max(t.end for t in timelines)
    counts = outcome_counts(timelines, question)
    outcomes = list(law.questions[question].outcomes)
    days = list(counts) + [end + timedelta(days=1)]
    matplotlib = _matplotlib()
    with _style(matplotlib):
        figure = _figure(4.2)
        ax = figure.add_subplot()
        colours = matplotlib.colormaps["tab10"]
        xs = [d.toordinal() for d in days]
        present = [o for o in outcomes if any(c[o] for c in counts.values())]
        series = [[counts[d][o] for d in days[:-1]] + [counts[days[-2]][o]] for o in present]
        ax.stackplot(xs, series, step="post", colors=[_colour(law.questions[question], o, colours) for o in present],
                     labels=[outcome_label(law, question, o, lang) for o in present])
        _date_axis(ax, start, end, axis, lang)
        for day, _ in legal_dates(law, start, end):
            ax.axvline(day.toordinal(), color="#cf222e", linestyle="--", linewidth=0.9)
        ax.set_ylabel("加入者数" if lang == "ja" else "members")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
        title = (f"{question_title(law, question, lang)}（{len(timelines):,} 人）" if lang == "ja"
                 else f"{question_title(law, question, lang)} ({len(timelines):,} members)")
        ax.set_title(title, fontsize=10)
    return Chart(figure, title)


def action_months_chart(rows: actions.ActionList, lang: Lang = "ja", *, axis: Axis | None = None) -> Chart:
    """An action list summarised: rows per due month, stacked by action; overdue months in red
    outline, rows without a deadline in a last bar of their own."""
    lang = check_lang(lang)
    axis = axis or ("wareki" if lang == "ja" else "iso")
    months: dict[date | None, Counter[str]] = {}
    for row in rows:
        month = date(row.due.year, row.due.month, 1) if row.due is not None else None
        months.setdefault(month, Counter())[text(row.title, lang)] += 1
    dated = sorted(m for m in months if m is not None)
    order = dated + ([None] if None in months else [])
    titles = list(dict.fromkeys(text(row.title, lang) for row in rows))
    matplotlib = _matplotlib()
    with _style(matplotlib):
        figure = _figure(4.6)
        ax = figure.add_subplot()
        colours = matplotlib.colormaps["tab10"]
        bottoms = [0] * len(order)
        for i, title in enumerate(titles):
            heights = [months[m][title] for m in order]
            ax.bar(range(len(order)), heights, bottom=bottoms, color=colours(i % 10), label=title, width=0.8)
            bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
        on_month = date(rows.on.year, rows.on.month, 1)
        for x, month in enumerate(order):
            if month is not None and month < on_month:
                ax.bar(x, bottoms[x], fill=False, edgecolor="#cf222e", linewidth=1.5, width=0.8)
            ax.annotate(f"{bottoms[x]:,}", (x, bottoms[x]), ha="center", va="bottom", fontsize=7)
        labels = [_tick_label(m, axis, lang) if m is not None else word("no_deadline", lang) for m in order]
        ax.set_xticks(range(len(order)), labels, rotation=30, ha="right", fontsize=8)
        ax.set_ylabel("件数" if lang == "ja" else "rows")
        ax.margins(y=0.12)  # room for the totals above the bars
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
        title = (f"{show_date(rows.on, lang)} 時点の対応：期限の月ごと（{len(rows):,} 件、赤枠は期限超過）" if lang == "ja"
                 else f"Actions as of {rows.on}, by due month ({len(rows):,} rows; red outline: overdue)")
        ax.set_title(title, fontsize=10)
    return Chart(figure, title)


def counts_table(counts: Mapping[date, Counter[str]]) -> list[dict[str, object]]:
    """The counts as rows (``{"from": date, outcome: n, …}``), e.g. for a DataFrame."""
    return [{"from": day, **dict(c)} for day, c in counts.items()]
