"""Every example script runs and prints what it promises."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run_example(script: str, *args: str) -> str:
    """The script's output, run as a user would (from the examples folder)."""
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        capture_output=True, text=True, timeout=300, check=True, cwd=EXAMPLES,
    ).stdout


def test_the_first_example_prints_a_decision_with_its_japanese_explanation() -> None:
    output = run_example("first_decision.py")
    assert "判定日 令和7年12月2日" in output
    assert "paper_card.usable        no             PC-3" in output
    assert "certificate.issuance     ex_officio" in output


def test_the_action_list_example_prints_actions_and_a_mailing_plan_for_thousands_of_members() -> None:
    output = run_example("action_list.py", "3000", "2025-11-01")
    assert output.startswith("3000 members, ")
    assert "資格確認書を職権で交付する" in output
    assert "令和7年11月1日 時点の対応一覧" in output
    assert "段ボール箱" in output and "定形外封筒" in output
    assert "組合から本人へ直接送付" in output


def test_the_timeline_example_prints_a_japanese_story_and_the_seed_versus_in_force_differences() -> None:
    output = run_example("timeline_ja.py")
    assert "加入者 M0042：令和6年10月1日から令和13年1月1日までの変化" in output
    assert "令和7年8月1日　健康保険証を使用できるか：使用できる → 使用できない" in output
    line = next(x for x in output.splitlines() if x.startswith("令和7年8月1日〜令和7年12月1日 M0042 健康保険証を使用できるか: 使用できる"))
    # Which data differ too: the day a replacement was due, under B-1 the card's own expiry.
    assert line.endswith("[PC-2] → 使用できない；代わりの書類が必要になった日 令和7年7月31日 [B-1]")


def test_the_sample_membership_file_is_what_its_generator_writes(tmp_path: Path) -> None:
    run_example("membership_file.py", "50", str(tmp_path / "sample.csv"), "--encoding", "cp932", "--dates", "wareki")
    assert (tmp_path / "sample.csv").read_bytes() == (EXAMPLES / "members_sample.csv").read_bytes()
