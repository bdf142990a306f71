"""The hokensho-rules command: every command in-process (CliRunner), exit codes, and once as a real process."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from hokensho_rules.cli import main
from hokensho_rules.law.loader import rules_dir

SAMPLE = str(Path(__file__).resolve().parents[1] / "examples" / "members_sample.csv")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_evaluate_writes_parquet_and_the_action_list_from_one_pass(tmp_path: Path) -> None:
    code, _, err = run("evaluate", SAMPLE, "--on", "令和7年12月2日", "-o", str(tmp_path / "r.parquet"),
                       "--actions", str(tmp_path / "a.csv"), "-p", "1")
    assert code == 0, err
    assert "50 rows read = 50 decided + 0 error rows" in err
    table = pq.read_table(tmp_path / "r.parquet")
    assert table.num_rows == 50 and "paper_card.usable.rule" in table.column_names
    assert set(table.column("on").to_pylist()) == {__import__("datetime").date(2025, 12, 2)}
    assert (tmp_path / "a.csv").read_text(encoding="utf-8-sig").startswith("row,member_id,on,action")


def test_error_rows_exit_1_and_are_named_on_stderr(tmp_path: Path) -> None:
    source = tmp_path / "m.csv"
    source.write_text("id,kind,enrolled_on\nM1,insured,2020-04-01\nM2,insured,2020-02-30\n", encoding="utf-8")
    code, out, err = run("evaluate", str(source), "--on", "2025-12-02", "-o", "-", "-p", "1")
    assert code == 1
    assert "row 2 (member M2), column enrolled_on, value '2020-02-30': not a date" in err
    assert out.splitlines()[0].startswith("row,member_id,on,error") and len(out.splitlines()) == 3


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    bad_header = tmp_path / "m.csv"
    bad_header.write_text("id,kind,shoe_size\n", encoding="utf-8")
    code, _, err = run("evaluate", str(bad_header), "--on", "2025-12-02", "-o", str(tmp_path / "r.csv"))
    assert code == 2 and "unknown column 'shoe_size'" in err and not (tmp_path / "r.csv").exists()
    code, _, err = run("evaluate", SAMPLE, "--on", "next week", "-o", str(tmp_path / "r.csv"))
    assert code == 2 and "not a date" in err
    code, _, err = run("evaluate", str(tmp_path / "missing.csv"), "--on", "2025-12-02", "-o", str(tmp_path / "r.csv"))
    assert code == 2 and "missing.csv" in err
    code, _, err = run("evaluate", SAMPLE, "--on", "2025-12-02")
    assert code == 2 and "give --output" in err


def test_actions_writes_the_list_to_stdout() -> None:
    code, out, err = run("actions", SAMPLE, "--on", "2025-11-01", "-p", "1")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "row,member_id,on,action,action_ja,due,overdue,question,outcome,rule_id"
    assert any("資格確認書を職権で交付する" in line for line in lines[1:])


@pytest.mark.parametrize(("lang", "expected"), [("ja", "判定日 令和7年12月2日"), ("en", "Member M00004 (on 2025-12-02)")])
def test_explain_one_member_by_id(lang: str, expected: str) -> None:
    code, out, _ = run("explain", SAMPLE, "--id", "M00004", "--on", "令和7年12月2日", "--lang", lang)
    assert code == 0 and expected in out
    code, _, err = run("explain", SAMPLE, "--id", "NOPE", "--on", "2025-12-02")
    assert code == 1 and "no member with id 'NOPE'" in err


def test_explain_reads_a_json_lines_file_line_by_line(tmp_path: Path) -> None:
    source = tmp_path / "m.jsonl"
    source.write_text('{"id": "J1", "kind": "insured", "enrolled_on": "2020-04-01"}\n'
                      '{"enrolled_on": "令和2年4月1日", "id": "J2", "kind": "被扶養者", "保険証交付日": "2020/04/01"}\n',
                      encoding="utf-8")
    code, out, err = run("explain", str(source), "--id", "J2", "--on", "2025-12-02", "--lang", "en")
    assert code == 0, err
    assert "Member J2 (on 2025-12-02)" in out and "PC-3" in out


def test_timeline_compare_and_mailing(tmp_path: Path) -> None:
    code, out, _ = run("timeline", SAMPLE, "--id", "M00001", "--from", "2024-10-01", "--to", "2031-01-01", "--lang", "en")
    assert code == 0 and out.startswith("Member M00001: changes from 2024-10-01 to 2031-01-01")
    code, out, _ = run("compare", SAMPLE, "--id", "M00001", "--from", "2024-10-01", "--to", "2031-01-01", "--lang", "en")
    assert code == 0 and out.startswith("seed vs seed+")
    code, out, _ = run("mailing", SAMPLE, "--on", "2024-10-23", "--mailing", "initial")
    assert code == 0 and "資格情報のお知らせ 送付計画：当初の一斉送付" in out
    code, _, _ = run("mailing", SAMPLE, "--on", "2024-10-23", "--mailing", "initial", "-o", str(tmp_path / "envelopes.csv"))
    assert code == 0 and (tmp_path / "envelopes.csv").read_text(encoding="utf-8").startswith("route,direct,envelope")
    code, _, err = run("mailing", SAMPLE, "--on", "2024-10-23", "--mailing", "someday")
    assert code == 2 and "'someday' is not a mailing" in err


def test_rules_list_show_and_check(tmp_path: Path) -> None:
    code, out, _ = run("rules", "list", "--packs", "seed", "--lang", "en")
    assert code == 0 and any(line.startswith("PC-3 ") for line in out.splitlines())
    code, out, _ = run("rules", "show", "PC-3")
    assert code == 0 and "citation: 「令和6年12月2日 健康保険証廃止に係る" in out and "Q2, §9①" in out
    code, _, err = run("rules", "show", "XX-1")
    assert code == 1 and "no rule 'XX-1'" in err
    code, out, _ = run("rules", "check")
    assert code == 0 and out.startswith("ok: ")
    broken = tmp_path / "rules"
    shutil.copytree(rules_dir(), broken)
    (broken / "seed" / "broken.yaml").write_text("rules: [\n", encoding="utf-8")
    code, _, err = run("rules", "check", "--rules-root", str(broken))
    assert code == 1 and "broken.yaml: not valid YAML" in err


def test_every_command_teaches_with_an_example() -> None:
    for command in (["evaluate"], ["actions"], ["explain"], ["timeline"], ["mailing"], ["compare"], ["columns"],
                    ["rules", "list"], ["rules", "show"], ["rules", "check"]):
        code, out, _ = run(*command, "--help")
        assert code == 0 and "Example" in out and "hokensho-rules " + " ".join(command) in out, command


def test_the_installed_command_runs_as_a_real_process(tmp_path: Path) -> None:
    command = shutil.which("hokensho-rules", path=str(Path(sys.executable).parent)) or "hokensho-rules"
    done = subprocess.run(
        [command, "evaluate", SAMPLE, "--on", "令和7年12月2日", "-o", str(tmp_path / "r.parquet"), "-p", "2",
         "--chunk-size", "10"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert pq.read_table(tmp_path / "r.parquet").column("row").to_pylist() == list(range(1, 51))
    assert "50 rows read = 50 decided" in done.stderr and done.stdout == ""


def test_a_command_leaves_the_callers_garbage_collector_as_it_was(tmp_path: Path) -> None:
    # The command line collects less often while it runs (membership/pool.py); a caller
    # invoking it in its own process, as here, gets its thresholds back.
    import gc

    before = gc.get_threshold()
    source = tmp_path / "m.csv"
    source.write_text("id,kind,enrolled_on\nM1,insured,2020-04-01\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", str(source), "--on", "2025-12-02", "-o", str(tmp_path / "r.csv")])
    assert result.exit_code == 0, result.output
    assert gc.get_threshold() == before
