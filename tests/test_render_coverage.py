"""The rendering layer is exercised by its own tests: every line a clerk may read is run.

The explanation goldens and the render, display, chart and reference tests are run again under coverage in a child
process (so this process's imports do not count) and must reach every module of
``hokensho_rules.render`` to at least 90 %.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import hokensho_rules as hr

pytest.importorskip("coverage")

TESTS = Path(__file__).parent
FLOOR = 90.0
# A folder, not the package name: coverage would import the package (and numpy) to find it,
# before measuring, and numpy cannot be imported twice in one process.
RENDER = Path(hr.__file__).parent / "render"
# The tests of the words, the HTML, the charts, the files written atomically, the impact of a change, the rule
# reference (the law in words), and a membership's timelines in words.
SUITES = ("test_explanations.py", "test_render.py", "test_display.py", "test_charts.py", "test_atomic.py", "test_impact.py",
          "test_docs.py::test_the_reference_gives_every_rule_index_id_parameter_and_question_a_target",
          "test_timelines.py::test_the_summary_reads_in_both_languages")


def test_render_modules_are_covered_by_their_tests(tmp_path: Path, report: list[str]) -> None:
    data, summary = tmp_path / ".coverage", tmp_path / "coverage.json"
    run = [sys.executable, "-m", "coverage", "run", f"--data-file={data}", f"--source={RENDER}",
           "-m", "pytest", "-q", "-p", "no:cacheprovider",
           *(str(TESTS / name) for name in SUITES)]
    subprocess.run(run, check=True, capture_output=True, cwd=tmp_path)
    subprocess.run([sys.executable, "-m", "coverage", "json", f"--data-file={data}", "-o", str(summary)],
                   check=True, capture_output=True, cwd=tmp_path)
    files = json.loads(summary.read_text())["files"]
    percent = {Path(name).name: f["summary"]["percent_covered"] for name, f in files.items()}
    report.append("render line coverage: " + ", ".join(f"{name} {p:.0f}%" for name, p in sorted(percent.items())))
    low = {name: round(p, 1) for name, p in percent.items() if p < FLOOR}
    assert percent and not low, f"render modules below {FLOOR}% line coverage: {low}"
