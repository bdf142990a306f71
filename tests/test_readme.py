"""The README and the docs run as written.

- Every ``python`` block of ``README.md`` and of each page of ``docs/`` runs, in order,
  in one namespace per page, from the top of the checkout, by Sybil (its Markdown
  parser for the README, its MyST parser for the pages); the notebooks are executed
  cell by cell by ``tests/test_notebooks.py``.
- Every shell line of the README and of the pages ``.ci/readme_lines`` runs is checked
  without being run: one command a line, the README's ``.venv/bin/`` prefix, the extra
  it needs installed on that line or before it, the files it reads shipped. CI runs the
  lines themselves on a fresh clone (``.ci/readme_lines``).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser
from sybil.parsers.myst import PythonCodeBlockParser as MystPythonCodeBlockParser

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(
    p for p in DOCS.rglob("*.md")
    if not {"_build", "_generated", "jupyter_execute", "notebooks", "rules"} & set(p.relative_to(DOCS).parts)
)


def _load_readme_lines() -> ModuleType:
    loader = importlib.machinery.SourceFileLoader("readme_lines", str(ROOT / ".ci" / "readme_lines"))
    spec = importlib.util.spec_from_loader("readme_lines", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


readme_lines = _load_readme_lines()
README_SYBIL = Sybil(parsers=[PythonCodeBlockParser()])
PAGES_SYBIL = Sybil(parsers=[MystPythonCodeBlockParser()])


def _run(sybil: Sybil, page: Path) -> dict[str, object]:
    document = sybil.parse(page)
    examples = list(document)
    for example in examples:
        example.evaluate()
    return document.namespace


def test_the_readme_python_blocks_run_and_say_what_their_comments_say(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    namespace = _run(README_SYBIL, ROOT / "README.md")
    decision = namespace["decision"]
    assert decision["paper_card.usable"].outcome == "no"  # type: ignore[index]
    assert decision["paper_card.usable"].rule_id == "PC-3"  # type: ignore[index]
    assert decision["certificate.issuance"].outcome == "ex_officio"  # type: ignore[index]
    assert namespace["report"].proved  # type: ignore[attr-defined]


def test_sybil_finds_every_python_block_of_the_readme() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(list(README_SYBIL.parse(ROOT / "README.md"))) == text.count("```python\n") >= 5


@pytest.mark.parametrize("page", [p for p in PAGES if "```python" in p.read_text(encoding="utf-8")],
                         ids=lambda p: p.relative_to(DOCS).as_posix())
def test_the_python_blocks_of_a_page_run_in_order(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert len(list(PAGES_SYBIL.parse(page))) == page.read_text(encoding="utf-8").count("```python\n")
    _run(PAGES_SYBIL, page)


def test_a_failing_block_fails_the_page(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# A page\n\n```python\nx = 1\n```\n\ntext\n\n```python\nassert x == 2, 'x is 1'\n```\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="x is 1"):
        _run(PAGES_SYBIL, page)


# --- shell lines -----------------------------------------------------------------------


def _all_lines() -> list[str]:
    lines = readme_lines.shell_lines((ROOT / "README.md").read_text(encoding="utf-8"))
    for page in readme_lines.PAGES:
        lines += readme_lines.shell_lines((ROOT / page).read_text(encoding="utf-8"), console=True)
    return list(lines)


def test_every_shell_line_of_the_readme_and_the_pages_runs_as_written() -> None:
    lines = _all_lines()
    assert lines[0] == "python3 -m venv .venv"
    assert readme_lines.check(lines) == []


def test_the_readme_installs_every_extra_its_lines_use() -> None:
    lines = readme_lines.shell_lines((ROOT / "README.md").read_text(encoding="utf-8"))
    assert readme_lines.check(lines) == []
    assert ".venv/bin/python -m hokensho_rules.prove" in lines
    assert any(line.startswith(".venv/bin/hokensho-rules evaluate examples/members_sample.csv") for line in lines)


def test_every_page_that_ci_runs_exists_and_has_shell_lines() -> None:
    for page in readme_lines.PAGES:
        assert readme_lines.shell_lines((ROOT / page).read_text(encoding="utf-8"), console=True), page


def test_the_check_finds_what_the_old_readme_did_wrong() -> None:
    old = [
        "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/python examples/first_decision.py",
        "python -m hokensho_rules.prove",
        "pip install 'hokensho-rules[files]'",
        "hokensho-rules evaluate members.csv --on 令和7年12月2日 -o results.parquet",
        ".venv/bin/hokensho-rules explain members.csv --id M00042 --on 2025-12-02",
        "hokensho-rules timeline | mailing | compare | columns",
        ".venv/bin/pip install '.[nonesuch]'",
    ]
    found = "\n".join(readme_lines.check(old))
    assert "more than one command (&& &&)" in found
    assert "runs 'python', not a command of .venv/bin/" in found
    assert "installs 'hokensho-rules[files]' from a package index" in found
    assert "names 'members.csv', which the repository does not have" in found
    assert "more than one command (| | |)" in found
    assert "needs the 'prove' extra" in found and "needs the 'files' extra" in found
    assert "the extra 'nonesuch', which pyproject.toml does not define" in found
    # Each line of the README as it is now passes the same check.
    assert readme_lines.check(["python3 -m venv .venv", ".venv/bin/pip install '.[prove]'",
                               ".venv/bin/python -m hokensho_rules.prove"]) == []


def test_a_line_that_runs_before_the_install_is_found() -> None:
    found = readme_lines.check(["python3 -m venv .venv", ".venv/bin/python examples/first_decision.py"])
    assert found == ["'.venv/bin/python examples/first_decision.py': runs before the package is installed"]
