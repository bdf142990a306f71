"""The notebooks open in Jupyter and run top to bottom.

Each notebook of ``docs/notebooks/`` is a MyST Markdown file (what the docs build and
a diff read) paired by jupytext (``docs/notebooks/jupytext.toml``) with an ``.ipynb``
committed without outputs (what ``jupyter lab docs/notebooks`` opens). The two must
hold the same cells, and the Markdown must be exactly what jupytext writes when the
notebook is saved in JupyterLab. Each notebook is executed here with nbclient, in its
own folder as JupyterLab and the docs build run it, and must show its decisions,
timelines, action lists and batch results as tables in Japanese.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat
import pytest
from jupytext.config import load_jupytext_configuration_file
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "docs" / "notebooks"
MARKDOWN = sorted(NOTEBOOKS.glob("*.md"))
CONFIG = load_jupytext_configuration_file(str(NOTEBOOKS / "jupytext.toml"))
# Regenerate the .ipynb twins after editing a Markdown notebook (or edit them in JupyterLab):
REGENERATE = ".venv/bin/jupytext --to ipynb docs/notebooks/*.md"
# The notebooks that show results (the other writes a Hypothesis test against the rules).
SHOW_TABLES = {"edge_cases", "member_story", "membership", "seed_vs_in_force"}


def _unversioned(text: str) -> str:
    return re.sub(r"^    jupytext_version: .*$", "", text, flags=re.M)


def _cells(notebook: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source) for cell in notebook.cells]


def test_every_markdown_notebook_has_its_ipynb_twin_and_no_other() -> None:
    assert len(MARKDOWN) == 5 and SHOW_TABLES < {p.stem for p in MARKDOWN}
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == [p.stem for p in MARKDOWN]


@pytest.mark.parametrize("markdown", MARKDOWN, ids=lambda p: p.stem)
def test_the_ipynb_holds_the_cells_of_the_markdown_without_outputs(markdown: Path) -> None:
    twin = nbformat.read(markdown.with_suffix(".ipynb"), as_version=4)
    nbformat.validate(twin)
    assert _cells(twin) == _cells(jupytext.read(markdown)), f"out of sync: {REGENERATE}"
    for cell in twin.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{markdown.stem}: commit without outputs"
    # Saving the notebook in JupyterLab rewrites the Markdown to exactly what it is (but
    # for the version of jupytext it names in its header).
    written = jupytext.writes(twin, fmt="md:myst", config=CONFIG)
    assert _unversioned(written) == _unversioned(markdown.read_text(encoding="utf-8"))
    assert twin.metadata.kernelspec.name == "python3" and twin.metadata.file_format == "mystnb"


def test_the_pairing_writes_both_files() -> None:
    assert CONFIG is not None
    assert "ipynb" in str(CONFIG.formats) and "md:myst" in str(CONFIG.formats)
    # A fresh clone gives the two files any order of times: the Markdown always wins.
    assert CONFIG.outdated_text_notebook_margin == float("inf")


def _html(notebook: nbformat.NotebookNode) -> str:
    return "\n".join(
        str(output.get("data", {}).get("text/html", ""))
        for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
    )


@pytest.mark.parametrize("markdown", MARKDOWN, ids=lambda p: p.stem)
def test_the_notebook_runs_top_to_bottom_and_shows_japanese_tables(markdown: Path) -> None:
    notebook = nbformat.read(markdown.with_suffix(".ipynb"), as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    if markdown.stem not in SHOW_TABLES:
        return
    html = _html(notebook)
    assert "<table" in html, f"{markdown.stem}: no table shown"
    assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in html), f"{markdown.stem}: no Japanese"
