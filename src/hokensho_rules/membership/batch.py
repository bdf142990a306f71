"""Whole memberships: members in, one result per member out, in order, on every core.

>>> import hokensho_rules as hr
>>> from datetime import date
>>> people = [hr.Member(id=f"M{i}", kind="insured", enrolled_on=date(2020, 4, 1)) for i in range(3)]
>>> [r.answers["member.eligible"].outcome for r in hr.evaluate_many(people, date(2025, 12, 2), processes=1)]
['yes', 'yes', 'yes']

:func:`evaluate_many` reads its input lazily, sends it in chunks to worker processes
(each loads its own Rulebook: one engine per process, ``engine/adapter.py``) and yields each
chunk's results as soon as it and every chunk before it are done, keeping a bounded
number of chunks in flight: memory does not grow with the number of members.

Every input row yields exactly one item: a :class:`~hokensho_rules.evaluation.rows.MemberResult`
(answers and the member's action rows, from the same pass) or a
:class:`~hokensho_rules.evaluation.rows.RowError` naming the row, the member (when known) and
the problem. A bad cell, an invalid member, a conflict or a gap stops only its row.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from typing import Any

from tqdm import tqdm

from .decide import _chunk, _flattened, _Job
from .pool import collect_less, exit_code as _exit_code, stop_workers as _stop_workers
from .columns import Header
from .unique import unique_rows
from ..facts.privacy import shown
from ..facts.errors import WorkerDied
from ..facts.member import Member
from ..evaluation.outcomes import OutcomeEvaluator, evaluator_for
from ..evaluation.rows import MemberResult, RowError
from ..render.results import Results
from ..rulebook.book import Rulebook

__all__ = ["BatchItem", "Result", "Results", "TableRows", "WorkerDied", "default_processes", "evaluate_all",
           "evaluate_many"]

Result = MemberResult | RowError
"""What :func:`evaluate_many` yields for each input row."""
BatchItem = Member | Mapping[str, object]

# Members per task sent to a worker: large enough that pickling, scheduling and the chunk
# walk's work per chunk (a column per key, a group per case) cost little per member, small
# enough that the first results (and the progress bar) come within a second.
DEFAULT_CHUNK = 10_000
# Chunks in flight per worker: one being evaluated, one queued so no worker waits on the reader.
_IN_FLIGHT_PER_WORKER = 2


@dataclass(frozen=True)
class TableRows:
    """A membership table being read: its resolved header and its rows of cells, in order.

    File readers produce one (``hokensho_rules.membership.files``); rows are consumed once, lazily.
    """

    header: Header
    rows: Iterable[Sequence[object] | Mapping[str, object] | RowError]  # RowError: a row that could not be read
    total: int | None = None  # number of rows, when known (for the progress bar)


def default_processes() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# --- worker processes -------------------------------------------------------------------

# The evaluator of this worker process, set once by the pool's initializer: the one
# Rulebook (and engine) of the process, never shared with another.
_WORKER: OutcomeEvaluator | None = None


def _start_worker(book: Rulebook, cache: bool) -> None:
    global _WORKER
    # Ctrl-C reaches the whole process group: the parent stops the run and the pool;
    # a worker stopped by it would only print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    collect_less()
    # ``book`` arrived pickled by reference (packs, root): unpickling loaded it here.
    _WORKER = OutcomeEvaluator(book, cache=cache)


def _worker_chunk(first_row: int, items: Sequence[object], job: _Job) -> Any:
    if _WORKER is None:
        raise RuntimeError("hokensho_rules.membership.batch worker used without its initializer")
    return _chunk(_WORKER, first_row, items, job)


# --- the driver -------------------------------------------------------------------------


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[object]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _ordered(
    book: Rulebook, chunks: Iterator[tuple[int, list[object]]], job: _Job, processes: int, cache: bool
) -> Iterator[tuple[int, Any]]:
    """Each chunk's size and output, in input order, with at most a few chunks per worker in flight."""
    if processes == 1:
        evaluator = evaluator_for(book, cache=cache)
        for first_row, items in chunks:
            yield len(items), _chunk(evaluator, first_row, items, job)
        return
    # spawn: a worker inherits no engine state, lock or thread from this process (``engine/adapter.py``).
    context = multiprocessing.get_context("spawn")

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(processes, mp_context=context, initializer=_start_worker, initargs=(book, cache))

    pool = new_pool()
    # In flight: (first row, rows sent, future), oldest first.
    pending: deque[tuple[int, list[object], Future[Any]]] = deque()

    def retry_alone(first_row: int, sent: list[object]) -> Any:
        # A worker died: every chunk in flight is lost with the pool. A new pool runs them
        # again, one at a time, so that a chunk that kills its worker again is known.
        nonlocal pool
        if getattr(pool, "_broken", True):
            pool.shutdown(wait=True, cancel_futures=True)
            pool = new_pool()
        try:
            return pool.submit(_worker_chunk, first_row, sent, job).result()
        except BrokenProcessPool:
            raise WorkerDied(first_row, first_row + len(sent) - 1, _exit_code(pool)) from None

    def submit(first_row: int, sent: list[object]) -> Future[Any]:
        # A pool broken before this chunk was sent fails it like one in flight: it is run again alone.
        try:
            return pool.submit(_worker_chunk, first_row, sent, job)
        except BrokenProcessPool as error:
            failed: Future[Any] = Future()
            failed.set_exception(error)
            return failed

    def result(first_row: int, sent: list[object], future: Future[Any]) -> Any:
        try:
            return future.result()
        except BrokenProcessPool:
            output = retry_alone(first_row, sent)
            # The others in flight that died with the pool are run again alone, in order.
            for index, (other_first, other_sent, other) in enumerate(pending):
                done: Future[Any] = Future()
                try:
                    done.set_result(other.result())
                except (BrokenProcessPool, CancelledError):  # cancelled: queued in the pool that broke
                    done.set_result(retry_alone(other_first, other_sent))
                pending[index] = (other_first, other_sent, done)
            return output

    finished = False
    try:
        for first_row, items in chunks:
            sent = items if job.decisions else [
                _flattened(item, job.on) if type(item) is Member else item for item in items
            ]
            pending.append((first_row, sent, submit(first_row, sent)))
            while len(pending) >= processes * _IN_FLIGHT_PER_WORKER:
                first, sent_items, future = pending.popleft()
                yield len(sent_items), result(first, sent_items, future)
        while pending:
            first, sent_items, future = pending.popleft()
            yield len(sent_items), result(first, sent_items, future)
        finished = True
    finally:
        # The caller stopped early (Ctrl-C, an error, a worker that died twice): drop what
        # is queued and stop the workers now rather than when their chunks are done.
        for _, _, future in pending:
            future.cancel()
        if not finished:
            _stop_workers(pool)
        pool.shutdown(wait=True, cancel_futures=True)


def _show_progress(progress: bool | None) -> bool:
    if progress is not None:
        return progress
    return sys.stderr.isatty()


def evaluate_many(
    members: Iterable[BatchItem] | TableRows,
    on: date,
    *,
    rulebook: Rulebook | None = None,
    processes: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: bool | None = None,
    decisions: bool = False,
    cache: bool = True,
    first_row: int = 1,
    unique_ids: bool = False,
    columnar: bool = True,
) -> Iterator[Result]:
    """Evaluate every member on ``on``; yield one result per input row, in input order.

    ``members`` is any iterable (a list, a generator, a file being read) of
    :class:`~hokensho_rules.Member` or of rows as mappings from column to cell (see
    ``hokensho_rules.membership.columns``), or a :class:`TableRows` from a file reader. It is read
    lazily, ``chunk_size`` rows at a time.

    ``processes``: worker processes (default: every core this process may use); ``1``
    evaluates in this process, and so does an input of known length of one chunk or less. Each worker loads its own Rulebook (``rulebook``'s
    packs and root; default the rules in force). As with any process pool, a script
    calling this with ``processes > 1`` needs the ``if __name__ == "__main__":`` guard.

    ``progress``: a progress bar on stderr (tqdm); default only when stderr is a terminal.
    ``decisions``: also attach each member's full Decision (with explanations; slower).
    ``cache``: use the abstraction cache (same answers; off only to compare).
    ``columnar``: read rows of a table (:class:`TableRows`) a chunk at a time, column by
    column (``columnar.py``; same answers; off only to compare).
    ``first_row``: the number of the first input row (e.g. a partition's offset).
    ``unique_ids``: a row whose member id an earlier row had is an error row
    (``DuplicateId``), not a second answer (the files API and the CLI always do this).

    A worker process that dies is replaced and its chunk run again once; if it dies
    again, :class:`WorkerDied` names the chunk's rows.

    Yields :class:`~hokensho_rules.evaluation.rows.MemberResult` or
    :class:`~hokensho_rules.evaluation.rows.RowError`; never stops for one bad row.
    """
    for result in _evaluate_chunks(members, on, rulebook=rulebook, processes=processes, chunk_size=chunk_size,
                                   progress=progress, decisions=decisions, cache=cache, transform=None,
                                   first_row=first_row, unique_ids=unique_ids, columnar=columnar):
        yield from result


def evaluate_all(
    members: Iterable[BatchItem] | TableRows, on: date, *, rulebook: Rulebook | None = None, **options: Any
) -> Results:
    """:func:`evaluate_many`, every result kept: a list that shows itself in Jupyter
    (answers counted, each member's actions or error). For a membership that fits in
    memory; stream a large one with :func:`evaluate_many`. ``options`` are those of
    :func:`evaluate_many`.
    """
    book = rulebook if rulebook is not None else Rulebook.load()
    return Results.collect(evaluate_many(members, on, rulebook=book, **options), book.law)


def _evaluate_chunks(
    members: Iterable[BatchItem] | TableRows,
    on: date,
    *,
    rulebook: Rulebook | None,
    processes: int | None,
    chunk_size: int,
    progress: bool | None,
    decisions: bool,
    cache: bool,
    transform: Callable[[Sequence[Result]], Any] | None,
    first_row: int = 1,
    unique_ids: bool = False,
    columnar: bool = True,
) -> Iterator[Any]:
    """:func:`evaluate_many`, one output per chunk (``transform`` of its results, in the workers)."""
    if type(on) is not date:
        raise TypeError(f"on must be a datetime.date, got {shown(on)}")
    if isinstance(members, (Member, str, bytes)):
        raise TypeError(f"members must be an iterable of members or rows, got one {type(members).__name__}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    workers = default_processes() if processes is None else processes
    if workers < 1:
        raise ValueError(f"processes must be at least 1, got {processes}")
    book = rulebook if rulebook is not None else Rulebook.load()
    rows: Iterable[Any]
    if isinstance(members, TableRows):
        header, rows, total = members.header, members.rows, members.total
    else:
        header, rows = None, members
        total = len(members) if isinstance(members, Sequence) else None
    if total is not None and total <= chunk_size:
        # One chunk's work: starting worker processes (each loading a Rulebook) would cost more.
        workers = 1
    job = _Job(on, decisions, header, transform, columnar)
    if unique_ids:
        rows = unique_rows(rows, header, first_row, chunk_size)
    numbered: Iterator[tuple[int, list[object]]] = (
        (first_row + i * chunk_size, chunk) for i, chunk in enumerate(_chunks(rows, chunk_size))
    )
    bar = tqdm(total=total, unit=" members", disable=not _show_progress(progress), file=sys.stderr, smoothing=0.1)
    try:
        for size, output in _ordered(book, numbered, job, workers, cache):
            yield output
            bar.update(size)
    finally:
        bar.close()
