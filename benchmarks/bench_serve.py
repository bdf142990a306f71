"""Throughput of the JSON service: members/s in batched ``POST /evaluate`` requests,
against ``Rulebook.evaluate`` in process on the same members (the ratio).

Run from the repository root with the ``serve`` extra (and httpx: the ``test`` extra)::

    python benchmarks/bench_serve.py --members 2000
    python benchmarks/bench_serve.py --members 2000 --batch 1 --batch 100 --batch 1000

The members are ``bench_evaluate.py``'s generated population (``--seed``), all decided
on one date (``--on``). The server is ``hokensho-rules serve`` started in a subprocess
on a free port, as a user starts it; one client sends the members in requests of
``--batch`` members each, one request after another (keep-alive), and each answer is
read as JSON. What each figure means:

- ``in process``: members/s of ``Rulebook.evaluate(member, on).to_dict()`` (the very
  data the service sends), best of ``--repeat`` passes after a warm-up.
- ``batch N``: members/s through the service, requests of N members: the client's JSON
  encoding, HTTP, the server's validation, evaluation and JSON encoding, and the
  client's decoding. The ratio is against ``in process``.

On a shared 2-core VM the client and the server share the cores, and single passes
vary by ±30 %: compare the ratios.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from bench_evaluate import make_member

from hokensho_rules import Member, Rulebook


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _best(repeat: int, run: Callable[[], None]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    """Print members/s in process and through the service for each batch size, with the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--batch", type=int, action="append", help="members per request (repeatable; default 1, 100, 1000)")
    parser.add_argument("--on", default="2025-12-02")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import httpx  # the test extra; imported here so that the script imports without it

    batches = args.batch or [1, 100, 1000]
    on = date.fromisoformat(args.on)
    rng = random.Random(args.seed)
    members: list[Member] = [make_member(rng, i) for i in range(args.members)]
    payload = [m.model_dump(mode="json", exclude_defaults=True) for m in members]
    book = Rulebook.load()
    for member in members[:200]:
        book.evaluate(member, on)

    def in_process() -> None:
        for member in members:
            book.evaluate(member, on).to_dict()

    local = args.members / _best(args.repeat, in_process)
    print(f"{args.members} members on {on}; in process: {local:,.0f} members/s")

    port = _free_port()
    command = [str(Path(sys.executable).parent / "hokensho-rules"), "serve", "--port", str(port),
               "--max-body-bytes", str(64 * 1024 * 1024)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=600) as client:
            for _ in range(600):
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            client.post("/evaluate", json={"members": payload[:200], "on": args.on}).raise_for_status()
            for size in batches:
                def send(size: int = size) -> None:
                    for start in range(0, len(payload), size):
                        answer = client.post("/evaluate", content=json.dumps(
                            {"members": payload[start:start + size], "on": args.on}).encode(),
                            headers={"Content-Type": "application/json"})
                        answer.raise_for_status()
                        results: list[dict[str, Any]] = answer.json()["results"]
                        assert len(results) == len(payload[start:start + size])

                served = args.members / _best(args.repeat, send)
                print(f"batch {size:>5}: {served:,.0f} members/s through the service, {served / local:.2f} × in process")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
