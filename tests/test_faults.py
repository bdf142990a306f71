"""Faults on real processes: a command killed, interrupted or terminated mid-run, a worker
killed, a write that fails, a folder one may not write in. Each leaves no file at an
output's name (or the complete one), the earlier file intact, one line on stderr and
its documented exit code (cli/__init__.py)."""

from __future__ import annotations

import csv
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import hokensho_rules as hr
from hokensho_rules.membership.batch import _evaluate_chunks

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="signals and /proc as on Linux")

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "members_sample.csv"
EARLIER = b"EARLIER FILE\n"


def cli() -> list[str]:
    found = Path(sys.executable).parent / "hokensho-rules"
    return [str(found)] if found.exists() else [sys.executable, "-c", "from hokensho_rules.cli import main; main()"]


def _membership(path: Path, count: int) -> Path:
    """A membership of ``count`` rows: the sample's 50 rows again and again, each with its own id."""
    with open(SAMPLE, encoding="cp932", newline="") as stream:
        header, *rows = list(csv.reader(stream))
    with open(path, "w", encoding="cp932", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for i in range(count):
            row = list(rows[i % len(rows)])
            row[0] = f"M{i:06d}"
            writer.writerow(row)
    return path


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40,000 rows: enough that a run is still going when the fault comes (a second or more of work)."""
    return _membership(tmp_path_factory.mktemp("big") / "big.csv", 40_000)


@pytest.fixture(scope="module")
def medium(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 rows: for a run that must finish after its fault."""
    return _membership(tmp_path_factory.mktemp("medium") / "medium.csv", 3_000)


def parts(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.part"))


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"resource_tracker" not in command:
                found.append(int(entry.name))
    return found


@dataclass
class Run:
    code: int
    stderr: str
    outputs: list[Path]


def start(big: Path, out: Path, *extra: str, preexec: Callable[[], None] | None = None) -> tuple[subprocess.Popen[bytes], list[Path]]:
    outputs = [out / "r.parquet", out / "a.csv"]
    for path in outputs:
        path.write_bytes(EARLIER)
    command = [*cli(), "evaluate", str(big), "--on", "2025-12-02", "-o", str(outputs[0]), "--actions",
               str(outputs[1]), "--chunk-size", "500", "--no-progress", *extra]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                               preexec_fn=preexec)
    return process, outputs


def mid_run(process: subprocess.Popen[bytes], folder: Path) -> None:
    """Wait until rows are being written: the outputs' hidden temporary files have grown."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the run ended before the fault: make the file bigger"
        if sum(p.stat().st_size for p in parts(folder) if p.exists()) > 30_000:
            return
        time.sleep(0.02)
    raise AssertionError("no rows written after 60 s")


def finish(process: subprocess.Popen[bytes], outputs: list[Path]) -> Run:
    _, err = process.communicate(timeout=120)
    return Run(process.returncode, err.decode(), outputs)


def untouched(run: Run) -> None:
    for path in run.outputs:
        assert path.read_bytes() == EARLIER, f"{path.name} was replaced"
    assert "Traceback" not in run.stderr


def test_sigkill_of_the_command_leaves_the_earlier_files(big: Path, tmp_path: Path) -> None:
    process, outputs = start(big, tmp_path, "-p", "1")
    mid_run(process, tmp_path)
    os.killpg(process.pid, signal.SIGKILL)
    run = finish(process, outputs)
    assert run.code == -signal.SIGKILL
    untouched(run)  # a hidden .part file may stay (nothing can clean up after SIGKILL), never a file at the name


@pytest.mark.parametrize(("signum", "code", "words"), [(signal.SIGINT, 130, "interrupted (Ctrl-C)"),
                                                        (signal.SIGTERM, 143, "terminated (SIGTERM)")])
def test_ctrl_c_and_sigterm_end_in_one_line_and_their_code(big: Path, tmp_path: Path, signum: int, code: int,
                                                           words: str) -> None:
    process, outputs = start(big, tmp_path, "-p", "2")
    mid_run(process, tmp_path)
    os.killpg(process.pid, signum)  # the whole group, as a terminal's Ctrl-C: the workers get it too
    run = finish(process, outputs)
    assert run.code == code, run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith(f"hokensho-rules: {words}")
    untouched(run)
    assert parts(tmp_path) == []


def test_a_worker_killed_once_is_replaced_and_the_file_is_complete(medium: Path, tmp_path: Path) -> None:
    process, outputs = start(medium, tmp_path, "-p", "2", "--chunk-size", "200")
    mid_run(process, tmp_path)
    workers = children(process.pid)
    assert workers
    os.kill(workers[0], signal.SIGKILL)
    run = finish(process, outputs)
    assert run.code == 0, run.stderr
    assert "Traceback" not in run.stderr
    table = pq.read_table(outputs[0])
    assert table.column("row").to_pylist() == list(range(1, 3_001))
    meta = pq.ParquetFile(outputs[0]).metadata.metadata
    assert meta[b"hokensho_rules.rows_read"] == b"3000" and meta[b"hokensho_rules.rows_error"] == b"0"
    assert parts(tmp_path) == []


def test_a_worker_that_dies_again_stops_the_run_with_code_3(big: Path, tmp_path: Path) -> None:
    process, outputs = start(big, tmp_path, "-p", "2")
    mid_run(process, tmp_path)
    while process.poll() is None:  # every worker, as soon as it appears: the rerun dies too
        for pid in children(process.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.05)
    run = finish(process, outputs)
    assert run.code == 3, run.stderr
    last = run.stderr.strip().splitlines()[-1]
    assert "a worker process died twice" in last and "while evaluating rows" in last
    untouched(run)
    assert parts(tmp_path) == []


def _file_size_limit() -> None:
    # A write past the limit fails (EFBIG) instead of killing the process: as a full disk's would.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))


def test_a_write_that_fails_leaves_no_file_and_exits_4(big: Path, tmp_path: Path) -> None:
    process, outputs = start(big, tmp_path, "-p", "1", preexec=_file_size_limit)
    run = finish(process, outputs)
    assert run.code == 4, run.stderr
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("hokensho-rules: cannot write ") and "(EFBIG)" in last and "an earlier file there is intact" in last
    untouched(run)
    assert parts(tmp_path) == []


def test_stdout_on_a_full_disk_exits_4_with_the_reason(tmp_path: Path) -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run([*cli(), "evaluate", str(SAMPLE), "--on", "2025-12-02", "-o", "-", "-p", "1"],
                              stdout=full, stderr=subprocess.PIPE, timeout=120)
    err = done.stderr.decode()
    assert done.returncode == 4, err
    assert "No space left on device (ENOSPC)" in err and "Traceback" not in err and "Exception ignored" not in err


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[Path]:
    """A folder holding an earlier r.csv that this user may not write in: a read-only
    mount for root (who may write anywhere else), else a folder without write permission."""
    folder = tmp_path / "locked"
    folder.mkdir()
    if os.geteuid() != 0:
        (folder / "r.csv").write_bytes(EARLIER)
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], capture_output=True).returncode:
        pytest.skip("root, and no read-only folder can be made here")
    try:
        (folder / "r.csv").write_bytes(EARLIER)
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_an_unwritable_folder_exits_4_and_names_the_file(locked: Path) -> None:
    out = locked / "r.csv"
    done = subprocess.run([*cli(), "evaluate", str(SAMPLE), "--on", "2025-12-02", "-o", str(out), "-p", "1"],
                          capture_output=True, timeout=120)
    err = done.stderr.decode()
    assert done.returncode == 4, err
    assert f"cannot write {out}: " in err and ("(EACCES)" in err or "(EROFS)" in err) and "Traceback" not in err
    assert out.read_bytes() == EARLIER and parts(locked) == []


@dataclass(frozen=True)
class DieOnRow:
    """A chunk transform that kills its worker when the chunk holds ``row``."""

    row: int

    def __call__(self, results: list[object]) -> list[object]:
        if any(getattr(r, "row", None) == self.row for r in results):
            os._exit(9)
        return results


def test_the_python_api_raises_worker_died_naming_the_rows() -> None:
    people = [hr.Member(id=f"M{i}", kind="insured", enrolled_on=date(2020, 4, 1)) for i in range(20)]
    with pytest.raises(hr.WorkerDied, match="rows 6–10") as caught:
        for _ in _evaluate_chunks(people, date(2025, 12, 2), rulebook=None, processes=2, chunk_size=5, progress=False,
                                  decisions=False, cache=True, transform=DieOnRow(7)):
            pass
    assert (caught.value.first_row, caught.value.last_row) == (6, 10)
