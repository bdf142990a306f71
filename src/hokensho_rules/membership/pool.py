"""What the batch asks of its process pool beyond ``concurrent.futures``: stop its workers, say how one died."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

__all__ = ["exit_code", "stop_workers"]


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """SIGTERM every worker of ``pool`` still running (their results are no longer wanted)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.is_alive():
            process.terminate()
    # The queue's feeder thread may be blocked writing a chunk no worker will read: joining it
    # (at shutdown, at exit) would hang the process after its one-line message.
    queue = getattr(pool, "_call_queue", None)
    if queue is not None:
        queue.cancel_join_thread()


def exit_code(pool: ProcessPoolExecutor) -> int | None:
    """The exit code of a dead worker of ``pool``, if one is known."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    codes = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
    return codes[0] if codes else None
