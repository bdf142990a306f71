"""HTML for notebooks: one table helper and one style, for Jupyter's light and dark themes.

Every result's ``_repr_html_`` is a caption and a table made here: cells escaped, long
tables cut with a count of the rows left out, colours taken from the notebook's theme
(JupyterLab's variables where they exist, the browser's light or dark preference else).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from .words import Lang, word

__all__ = ["DEFAULT_ROWS", "table"]

# Enough rows to read, few enough that a notebook of a whole membership stays light.
DEFAULT_ROWS = 40

_STYLE = (
    "<style>"
    ".hokensho{font-family:var(--jp-ui-font-family,sans-serif);font-size:13px;"
    "color:var(--jp-content-font-color1,#1f2328)}"
    ".hokensho table{border-collapse:collapse;margin:4px 0}"
    ".hokensho th,.hokensho td{border:1px solid var(--jp-border-color2,#d0d7de);padding:2px 8px;"
    "text-align:left;vertical-align:top}"
    ".hokensho th{background:var(--jp-layout-color2,#f6f8fa)}"
    ".hokensho .warn{color:var(--jp-error-color1,#cf222e);font-weight:600}"
    ".hokensho .more{color:var(--jp-content-font-color2,#57606a)}"
    "@media (prefers-color-scheme:dark){.hokensho:not([data-jp-theme-light]){color:#e6edf3}"
    ".hokensho:not([data-jp-theme-light]) th{background:#161b22}"
    ".hokensho:not([data-jp-theme-light]) th,.hokensho:not([data-jp-theme-light]) td{border-color:#30363d}}"
    "</style>"
)


def _cell(value: object) -> str:
    # A cell marked ("warn", text) is shown as a warning (an overdue deadline).
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "warn":
        return f'<td class="warn">{html.escape(str(value[1]))}</td>'
    return f"<td>{html.escape(str(value))}</td>"


def table(
    caption: str, headers: Sequence[str], rows: Iterable[Sequence[object]], lang: Lang, *, limit: int = DEFAULT_ROWS
) -> str:
    """A styled, escaped table of ``rows`` under ``caption``: at most ``limit`` rows, then
    a line saying how many more there are."""
    shown: list[Sequence[object]] = []
    more = 0
    for row in rows:
        if len(shown) < limit:
            shown.append(row)
        else:
            more += 1
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in shown)
    tail = f'<p class="more">{html.escape(word("more", lang, n=f"{more:,}"))}</p>' if more else ""
    return (
        f'<div class="hokensho">{_STYLE}<p><b>{html.escape(caption)}</b></p>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{tail}</div>"
    )
