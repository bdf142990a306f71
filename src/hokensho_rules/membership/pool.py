"""What this package asks of the processes it runs: stop its pool's workers, say how one died, collect garbage less often."""

from __future__ import annotations

import gc
from concurrent.futures import ProcessPoolExecutor

__all__ = ["collect_less", "exit_code", "stop_workers"]

# A run allocates millions of short-lived containers and hardly any cycle: at the collector's
# default (a young pass every 700 allocations) its passes took about 7 % of a run's CPU. The
# processes this package runs (its workers, the command line) pass every 50,000 allocations
# instead; a call in the user's own process leaves their collector as it is.
_YOUNG_THRESHOLD = 50_000

# How long a worker asked to stop (SIGTERM) has before it is killed.
_GRACE_SECONDS = 2.0


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Stop every worker of ``pool`` now (their results are no longer wanted), so that shutting
    the pool down and leaving the interpreter cannot wait for ever."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(_GRACE_SECONDS)
        if process.is_alive():
            process.kill()
            process.join(_GRACE_SECONDS)
    # A worker stopped while sending its result leaves half a message in the result pipe: the
    # pool's manager thread waits for the rest, and shutdown and exit join that thread. With
    # every worker gone, this process holds the pipe's last write end; closing it ends the read.
    results = getattr(pool, "_result_queue", None)
    if results is not None:
        results._writer.close()
    # The queue's feeder thread may be blocked writing a chunk no worker will read: joining it
    # (at shutdown, at exit) would hang the process after its one-line message.
    queue = getattr(pool, "_call_queue", None)
    if queue is not None:
        queue.cancel_join_thread()


def collect_less() -> tuple[int, ...]:
    """Collect garbage less often in a process of this package's own; the thresholds before, to restore."""
    previous = gc.get_threshold()
    gc.set_threshold(max(previous[0], _YOUNG_THRESHOLD), *previous[1:])
    return previous


def exit_code(pool: ProcessPoolExecutor) -> int | None:
    """The exit code of a dead worker of ``pool``, if one is known."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    codes = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
    return codes[0] if codes else None
