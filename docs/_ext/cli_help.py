"""The command line's help, generated: ``hokensho-rules --help`` and every command's.

Written to ``_generated/cli-help.md`` when the build starts and included by
``cli.md``: the page shows exactly what the installed command prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner

from hokensho_rules.cli import main


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _commands(command, (*path, name))
        else:
            found.append((*path, name))
    return found


def help_page() -> str:
    """Markdown: one section per command, its ``--help`` output verbatim."""
    runner = CliRunner()
    lines: list[str] = []
    for path in _commands(main):
        result = runner.invoke(main, [*path, "--help"], prog_name="hokensho-rules", terminal_width=100)
        if result.exit_code != 0:
            raise RuntimeError(f"hokensho-rules {' '.join(path)} --help failed: {result.output}")
        title = " ".join(("hokensho-rules", *path))
        lines += [f"## `{title}`", "", "```text", f"$ {title} --help", result.output.rstrip(), "```", ""]
    return "\n".join(lines)


def _builder_inited(app: Any) -> None:
    out = Path(app.srcdir) / "_generated" / "cli-help.md"
    out.parent.mkdir(exist_ok=True)
    text = help_page()
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")


def setup(app: Any) -> dict[str, Any]:
    """The Sphinx extension: write the help page before Sphinx reads its sources."""
    app.connect("builder-inited", _builder_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
