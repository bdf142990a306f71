"""Every example script runs and prints what it promises."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_the_first_example_prints_a_decision_with_its_japanese_explanation() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "first_decision.py")], capture_output=True, text=True, timeout=120, check=True
    )
    assert "判定日 令和7年12月2日" in result.stdout
    assert "paper_card.usable        no             PC-3" in result.stdout
    assert "certificate.issuance     ex_officio" in result.stdout
