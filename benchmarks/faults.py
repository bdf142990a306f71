"""The faults of issue 18, tried by hand on a big membership file: what each leaves behind.

    python benchmarks/faults.py [ROWS] [FOLDER]        # default 200,000 rows in /tmp/hokensho-faults

Generates a CP932 membership file with Japanese headers and 令和 dates
(``examples/membership_file.py``) unless one of that size is there, then, for each
fault, puts an "earlier" file at each output's name, starts
``hokensho-rules evaluate big.csv --on 2025-12-02 -o big.parquet --actions act.csv``,
waits until the outputs' hidden temporary files have grown (mid-run), and injects the
fault: SIGKILL, SIGINT (to the process group, as Ctrl-C does), SIGTERM, SIGKILL of one
worker (``-p 2``), every worker killed as it starts (a worker that dies twice), a full
disk (a 2 MB tmpfs when this user may mount one, else a file-size limit, EFBIG), an
unwritable folder. Prints, per fault: the exit code, the last line on stderr, what is
at the final names (the earlier file, a complete file with its row count, or
nothing), hidden temporary files left, and the seconds from the fault to the exit.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples"))

EARLIER = b"EARLIER FILE\n"


def cli() -> list[str]:
    found = Path(sys.executable).parent / "hokensho-rules"
    return [str(found)] if found.exists() else [sys.executable, "-c", "from hokensho_rules.cli import main; main()"]


def children(pid: int) -> list[int]:
    """Every process whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def workers(pid: int) -> list[int]:
    """The pool's worker processes among ``pid``'s children (not the resource tracker)."""
    out = []
    for child in children(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command and b"resource_tracker" not in command:
            out.append(child)
    return out


def parts(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.part"))


def what_is_at(path: Path) -> str:
    if not path.exists():
        return "nothing"
    data = path.read_bytes()
    if data == EARLIER:
        return "the earlier file"
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(path).metadata
        kv = meta.metadata or {}
        return f"complete Parquet, {meta.num_rows:,} rows, rows_read={kv.get(b'hokensho_rules.rows_read', b'?').decode()}"
    lines = data.count(b"\n") - 1
    return f"a file of {lines:,} rows"


def run(name: str, folder: Path, source: Path, fault: Callable[[subprocess.Popen[bytes], Path], None],
        extra: list[str], *, out_folder: Path | None = None, preexec: Callable[[], None] | None = None) -> None:
    target = out_folder or folder
    outputs = [target / "big.parquet", target / "act.csv"]
    for leftover in parts(target):
        leftover.unlink()
    for path in outputs:
        try:
            path.write_bytes(EARLIER)
        except OSError:
            pass  # a folder one may not write in: its earlier files are already there
    command = [*cli(), "evaluate", str(source), "--on", "2025-12-02", "-o", str(outputs[0]), "--actions",
               str(outputs[1]), *extra]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, start_new_session=True,
                               preexec_fn=preexec)
    started = time.perf_counter()
    fault(process, target)
    fault_at = time.perf_counter()
    _, err = process.communicate()
    ended = time.perf_counter()
    last = err.decode(errors="replace").strip().splitlines()[-1:] or [""]
    print(f"\n== {name}: exit {process.returncode} after {ended - started:.1f} s ({ended - fault_at:.1f} s after the fault)")
    print(f"   stderr: {last[0][:160]}")
    print(f"   traceback on stderr: {'yes' if b'Traceback' in err else 'no'}")
    for path in outputs:
        print(f"   {path.name}: {what_is_at(path)}")
    print(f"   hidden temporary files left: {len(parts(target))}")


def mid_run(process: subprocess.Popen[bytes], folder: Path, minimum: int = 10_000_000) -> None:
    """Wait until the outputs' temporary files hold at least ``minimum`` bytes in all
    (10 MB: about 40 % of a 200,000-row run's action list and results)."""
    while process.poll() is None:
        written = sum(p.stat().st_size for p in parts(folder) if p.exists())
        if written >= minimum:
            print(f"   (fault with {written:,} bytes written to the temporary files)")
            return
        time.sleep(0.05)


def signal_group(signum: int) -> Callable[[subprocess.Popen[bytes], Path], None]:
    def fault(process: subprocess.Popen[bytes], folder: Path) -> None:
        mid_run(process, folder)
        os.killpg(process.pid, signum)
    return fault


def kill_one_worker(process: subprocess.Popen[bytes], folder: Path) -> None:
    mid_run(process, folder)
    found = workers(process.pid)
    if found:
        os.kill(found[0], signal.SIGKILL)


def kill_every_worker(process: subprocess.Popen[bytes], folder: Path) -> None:
    mid_run(process, folder)
    while process.poll() is None:
        for pid in workers(process.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.1)


def nothing(process: subprocess.Popen[bytes], folder: Path) -> None:
    return


def file_size_limit() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2_000_000, 2_000_000))


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    folder = Path(sys.argv[2] if len(sys.argv) > 2 else "/tmp/hokensho-faults")
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"big_{rows}.csv"
    if not source.exists():
        import membership_file

        started = time.perf_counter()
        membership_file.write(rows, str(source), encoding="cp932", headers="ja", dates="wareki")
        print(f"generated {rows:,} rows ({source.stat().st_size:,} bytes) in {time.perf_counter() - started:.1f} s")
    run("complete run, -p 2", folder, source, nothing, ["-p", "2"])
    run("SIGKILL of the command", folder, source, signal_group(signal.SIGKILL), ["-p", "2"])
    run("SIGINT (Ctrl-C)", folder, source, signal_group(signal.SIGINT), ["-p", "2"])
    run("SIGTERM", folder, source, signal_group(signal.SIGTERM), ["-p", "2"])
    run("SIGKILL of one worker", folder, source, kill_one_worker, ["-p", "2"])
    run("every worker killed (dies twice)", folder, source, kill_every_worker, ["-p", "2"])
    tiny = folder / "tiny"
    tiny.mkdir(exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(tiny)],
                             capture_output=True).returncode == 0
    try:
        if mounted:
            run("full disk (2 MB tmpfs, ENOSPC)", folder, source, nothing, ["-p", "2"], out_folder=tiny)
        else:
            run("write fails (file-size limit, EFBIG)", folder, source, nothing, ["-p", "2"], preexec=file_size_limit)
    finally:
        if mounted:
            subprocess.run(["umount", str(tiny)], check=False)
    locked = folder / "locked"
    locked.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        # root may write anywhere: a read-only mount instead of a folder without write permission.
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(locked)], check=True)
        for name in ("big.parquet", "act.csv"):
            (locked / name).write_bytes(EARLIER)
        subprocess.run(["mount", "-o", "remount,ro", str(locked)], check=True)
    else:
        locked.chmod(0o555)
    try:
        run("unwritable folder", folder, source, nothing, ["-p", "2"], out_folder=locked)
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", str(locked)], check=False)
        locked.chmod(0o755)
        shutil.rmtree(locked, ignore_errors=True)

if __name__ == "__main__":
    main()
