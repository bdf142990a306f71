"""hokensho_rules.dask on a real LocalCluster of worker processes: the same rows as evaluate_many."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import dask.dataframe as dd
import pandas as pd
import pytest
from distributed import Client, LocalCluster

import hokensho_rules as hr
from hokensho_rules.membership.columns import member_cells
from hokensho_rules.dask import evaluate_dataframe
from hokensho_rules.membership.frames import to_frame
from hokensho_rules.rulebook.book import loaded_rulebook

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
from membership import generate

ON = date(2025, 12, 2)


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    # Two worker processes of one thread each: one Rulebook (engine) per process.
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster, \
            Client(cluster) as connected:
        yield connected


def test_partitions_on_worker_processes_give_exactly_the_rows_of_evaluate_many(client: Client, book: hr.Rulebook) -> None:
    members = generate(400)
    frame = pd.DataFrame([member_cells(m) for m in members])
    frame.loc[123, "enrolled_on"] = "2020-02-30"  # one bad cell: an error row, in place, from a worker too
    distributed = dd.from_pandas(frame, npartitions=5)

    got = evaluate_dataframe(distributed, ON).compute().reset_index(drop=True)

    rows = [dict(zip(frame.columns, row, strict=True)) for row in frame.itertuples(index=False, name=None)]
    expected = to_frame(hr.evaluate_many(rows, ON, rulebook=book, processes=1), book)
    pd.testing.assert_frame_equal(got, expected)
    assert list(got["row"]) == list(range(1, 401)) and got.loc[123, "error_column"] == "enrolled_on"
    # Evaluated in the workers, not here: each worker process loaded its own rulebook.
    workers = client.run(lambda: loaded_rulebook.cache_info().currsize)
    assert len(workers) == 2 and all(size >= 1 for size in workers.values())


def test_the_action_list_too(client: Client, book: hr.Rulebook) -> None:
    frame = pd.DataFrame([member_cells(m) for m in generate(100)])
    got = evaluate_dataframe(dd.from_pandas(frame, npartitions=3), ON, shape="actions").compute()
    expected = to_frame(hr.evaluate_many(generate(100), ON, rulebook=book, processes=1), book, "actions")
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected)
