"""Duplicate member ids in one input: the first row with an id is decided, every later one is an error row.

A membership file is one row per member; two rows with one id would give two answers,
two action rows, two envelopes, with nothing to say which is right. So the later rows
are error rows of kind ``DuplicateId`` naming the first row (the policy of the files
API and the CLI; ``evaluate_many(..., unique_ids=True)``). Ids are compared as the
``id`` cell's text, trimmed.

What is kept of each id seen is its 128-bit BLAKE2b digest and its first row, 24 bytes in
numpy arrays, not the text in a dict (about 120 bytes): a run over 1,000,000 members
holds 24 MB for it, not 120. Two different ids share a digest with a probability of
about n²/2¹²⁹, 10⁻²⁷ for a million ids, far below that of a disk's silent error.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from ..evaluation.rows import RowError
from ..facts.member import Member
from ..facts.privacy import contains_my_number
from .columns import Header, SchemaError

__all__ = ["unique_rows"]

_DUPLICATE = ("member id {id} is also on row {first}: each member must appear once; this later row is not decided",
              "加入者番号 {id} は {first}行目にもあります。同じ加入者は1行にしてください（この行は判定しません）")


def unique_rows(rows: Iterable[Any], header: Header | None, first_row: int, block: int) -> Iterator[Any]:
    """``rows``, each later row with an id already seen replaced by its error row (``DuplicateId``).

    Rows are looked up ``block`` at a time (the batch's chunk size: it reads that many anyway).
    """
    seen = _Seen()
    position = [c.name for c in header.columns].index("id") if header is not None else None
    keys: dict[tuple[str, ...], str | None] = {}
    iterator = iter(rows)
    number = first_row
    while batch := list(itertools.islice(iterator, block)):
        ids = [_id_of(row, position, keys) for row in batch]
        firsts = seen.add(ids, number)
        for row, member_id, first in zip(batch, ids, firsts):
            if first is None or member_id is None:
                yield row
            else:
                shown_id = None if contains_my_number(member_id) else member_id
                en, ja = (text.format(id=shown_id or "(not shown)", first=first) for text in _DUPLICATE)
                yield RowError(number, shown_id, en, "DuplicateId", problem_ja=ja)
            number += 1


def _digests(ids: list[str | None]) -> list[bytes | None]:
    blake2b = hashlib.blake2b
    return [None if member_id is None else blake2b(member_id.encode("utf-8", "surrogatepass"), digest_size=16).digest()
            for member_id in ids]


class _Seen:
    """The ids seen so far: runs of digests, each run sorted by the digest's first half.

    A run is merged with the one before it when that one is at most twice its size, so
    there are about log₂(ids / block) runs, and each id is re-sorted about as many times.
    """

    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (first halves, sorted; second halves; rows)

    def add(self, ids: list[str | None], number: int) -> list[int | None]:
        """The earlier row of each id of a block starting at row ``number`` (None: the id's first row, or no id)."""
        digests = _digests(ids)
        first_of: dict[bytes, int] = {}
        for index, digest in enumerate(digests):
            if digest is not None:
                first_of.setdefault(digest, number + index)
        if first_of:
            names = list(first_of)
            halves = np.frombuffer(b"".join(names), dtype="<u8").reshape(-1, 2)
            rows = np.fromiter(first_of.values(), dtype=np.int64, count=len(names))
            earlier = self._earlier(halves[:, 0], halves[:, 1])
            for index in np.flatnonzero(earlier >= 0).tolist():
                first_of[names[index]] = int(earlier[index])
            fresh = earlier < 0
            if fresh.any():
                self._push(halves[fresh, 0], halves[fresh, 1], rows[fresh])
        return [None if digest is None or first_of[digest] == number + index else first_of[digest]
                for index, digest in enumerate(digests)]

    def _earlier(self, high: np.ndarray, low: np.ndarray) -> np.ndarray:
        """The first row of each digest in the runs, -1 where it is in none."""
        earlier = np.full(len(high), -1, dtype=np.int64)
        order = np.argsort(high)  # sorted needles: each search walks the run forwards
        high, low = high[order], low[order]
        for run_high, run_low, run_rows in self._runs:
            at = np.minimum(np.searchsorted(run_high, high), len(run_high) - 1)
            same = run_high[at] == high
            hit = same & (run_low[at] == low)
            earlier[order[hit]] = run_rows[at[hit]]
            # Two ids whose digests share a first half (about one pair in 2⁶⁴): look further along.
            for index in np.flatnonzero(same & ~hit).tolist():
                end = np.searchsorted(run_high, high[index], "right")
                match = np.flatnonzero(run_low[at[index]:end] == low[index])
                if match.size:
                    earlier[order[index]] = run_rows[at[index] + match[0]]
        return earlier

    def _push(self, high: np.ndarray, low: np.ndarray, rows: np.ndarray) -> None:
        self._runs.append(_sorted([high, low, rows]))
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]):
            self._runs.append(_sorted([np.concatenate(pair) for pair in zip(self._runs.pop(-2), self._runs.pop())]))


def _sorted(columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The run of ``columns`` (first halves, second halves, rows) sorted by first half; each column is let go once
    taken, so that merging the largest runs holds little more than the merged run."""
    order = np.argsort(columns[0])
    high, low, rows = (columns.pop(0)[order] for _ in range(3))
    return high, low, rows


def _id_of(row: Any, position: int | None, keys: dict[tuple[str, ...], str | None]) -> str | None:
    """The id cell of a row (a Member, cells, or a mapping), as text; None when there is none."""
    if position is not None and type(row) is list and len(row) > position and type(row[position]) is str:
        return row[position].strip() or None  # a file's row of text cells: most of them
    if isinstance(row, Member):
        return row.id
    cell: object = None
    if isinstance(row, Mapping):
        names = tuple(str(k) for k in row)
        if names not in keys:
            try:
                resolved = Header.resolve(names)
                keys[names] = names[[c.name for c in resolved.columns].index("id")]
            except SchemaError:
                keys[names] = None
        key = keys[names]
        cell = row.get(key) if key is not None else None
    elif position is not None and isinstance(row, (list, tuple)) and len(row) > position:
        cell = row[position]
    if isinstance(cell, bool) or cell is None:
        return None
    text = str(int(cell)) if isinstance(cell, float) and cell.is_integer() else str(cell).strip()
    return text or None
