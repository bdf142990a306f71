"""Every example of the documentation runs, and the rule reference covers every rule.

The ``python`` blocks of each page of ``docs/`` run by Sybil in ``tests/test_readme.py``;
here each ``hokensho-rules`` line of its ``console`` blocks is run as a command and must
exit 0. The reference generator (``docs/_ext``) must give every rule,
index id, parameter and question of the shipped rules a target, and cite only cases
that exist.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import hokensho_rules as hr

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "_ext"))

import rulebook_pages  # noqa: E402 (the docs' own extension, beside conf.py)

PAGES = sorted(p for p in DOCS.rglob("*.md")
               if "_build" not in p.parts and "_generated" not in p.parts and p.parent.name != "rules"
               and not p.read_text(encoding="utf-8").startswith("---\nfile_format: mystnb"))
NOTEBOOKS = sorted(p for p in (DOCS / "notebooks").glob("*.md"))
_FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def blocks(page: Path, language: str) -> list[str]:
    return [body for lang, body in _FENCE.findall(page.read_text(encoding="utf-8")) if lang == language]


def test_every_page_and_notebook_is_found() -> None:
    names = {p.relative_to(DOCS).as_posix() for p in PAGES}
    assert {"getting-started.md", "concepts.md", "display.md", "amending.md", "ja/quickstart.md", "dask.md"} <= names
    assert len(NOTEBOOKS) == 5
    for notebook in NOTEBOOKS:  # a notebook's code is in cells the build runs, never in plain python blocks
        assert not blocks(notebook, "python"), notebook.name


def _command_lines() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for block in blocks(page, "console"):
            # Shown as run from the top of a checkout with the README's venv (.venv/bin/).
            found += [(page.name, line.removeprefix("$ ").removeprefix(".venv/bin/")) for line in block.splitlines()
                      if line.removeprefix("$ ").removeprefix(".venv/bin/").startswith("hokensho-rules")]
    return found


@pytest.mark.parametrize(("page", "line"), _command_lines(), ids=lambda v: v if isinstance(v, str) and " " not in v else None)
def test_the_command_lines_of_the_docs_run(page: str, line: str) -> None:
    command = Path(sys.executable).parent / "hokensho-rules"
    done = subprocess.run([str(command), *shlex.split(line)[1:]], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert done.returncode == 0, f"{page}: {line}\n{done.stderr}"
    assert done.stdout


def test_the_reference_gives_every_rule_index_id_parameter_and_question_a_target() -> None:
    reference = rulebook_pages.Reference()
    pages = reference.pages()
    text = "\n".join(pages.values())
    book = hr.Rulebook.load()
    for rule_id, path in book.origin.items():
        assert f"({rulebook_pages.rule_label(rule_id)})=\n### {rule_id} " in pages[rulebook_pages.page_of(path)]
    index = book.law.index
    for index_id in index.sections:
        assert f"({rulebook_pages.index_label(index_id)})=" in pages["rule-index"]
    for name in book.parameters:
        assert f"## `{name}`" in pages["parameters"]
    for question in book.questions:
        assert f"## `{question}`" in pages["questions"]
    # Every link to a label points at a label that exists (Sphinx would fail the build too).
    labels = set(re.findall(r"^\(([^)]+)\)=$", text, re.M))
    assert set(re.findall(r"\]\(#([^)]+)\)", text)) <= labels
    # PC-2's entry: both titles, its citation resolved to the seed's sections, its cases.
    entry = pages["paper_card"].split("(rule-pc-2)=")[1].split("\n(rule-")[0]
    assert "令和7年12月1日" in entry and "2025-12-01" in entry
    assert "(#source-seed-s" in entry and "tests/cases/paper_card_usable.yaml" in entry


def test_the_reference_names_only_cases_and_rules_that_exist() -> None:
    cases = rulebook_pages.read_cases()
    book = hr.Rulebook.load()
    named = {rule for case in cases for rule in case.rules}
    assert named and named <= set(book.rules)
    assert sum(1 for case in cases if "PC-2" in case.rules) >= 3
