"""The JSON service, against a real server: ``hokensho-rules serve`` started in a
subprocess on a free port, called with a real HTTP client (httpx) and with curl.

Its verdicts are the Python API's own, for every member of the shipped sample file;
errors are JSON naming the field in the command line's words; a My Number is refused
and never echoed; a body over the limit is refused; nothing is kept between requests.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

import hokensho_rules as hr
from hokensho_rules.membership.files import read_members
from hokensho_rules.membership.columns import parse_row

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "members_sample.csv"
MY_NUMBER = "123456789018"  # 12 digits with a valid check digit (tests/test_privacy.py)
LIMIT = 200_000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = _free_port()
    command = [str(Path(sys.executable).parent / "hokensho-rules"), "serve", "--port", str(port),
               "--max-body-bytes", str(LIMIT)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{process.stdout.read() if process.stdout else ''}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def sample_members() -> list[hr.Member]:
    with read_members(str(SAMPLE)) as table:
        members = [parse_row(table.header, list(row), n) for n, row in enumerate(table.rows, start=1)]
    assert all(isinstance(m, hr.Member) for m in members)
    return members  # type: ignore[return-value]


def as_json(member: hr.Member) -> dict[str, Any]:
    return member.model_dump(mode="json", exclude_defaults=True)


def test_health_names_the_version_and_the_rulebook(server: str) -> None:
    health = httpx.get(f"{server}/health").json()
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert health["status"] == "ok" and health["version"] == version
    assert health["packs"][0] == "seed" and health["rules"] == len(hr.Rulebook.load().rules)


def test_evaluate_gives_the_python_api_verdicts_for_every_member_of_the_sample(server: str, book: hr.Rulebook) -> None:
    members = sample_members()
    on = date(2025, 12, 2)
    answer = httpx.post(f"{server}/evaluate", json={"members": [as_json(m) for m in members], "on": "令和7年12月2日"},
                        timeout=120)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["on"] == "2025-12-02" and len(body["results"]) == len(members) == 50
    for member, result in zip(members, body["results"], strict=True):
        assert result == {"ok": True, **book.evaluate(member, on).to_dict()}
    verdict = body["results"][0]["verdicts"]["paper_card.usable"]
    assert {"outcome", "rule_id", "citation", "data", "implements"} <= set(verdict)


def test_one_member_with_a_situation_and_other_packs(server: str) -> None:
    member = hr.Member(id="M0001", kind="insured", enrolled_on=date(2020, 4, 1),
                       paper_card=hr.PaperCard(issued_on=date(2020, 4, 1)))
    counter = hr.Situation(online_verification=True, smartphone=False, power_cut=True)
    body = httpx.post(f"{server}/evaluate", json={"member": as_json(member), "on": "2025-12-02", "packs": ["seed"],
                                                  "situation": counter.model_dump(mode="json")}).json()
    seed = hr.Rulebook.load(["seed"])
    assert body["packs"] == ["seed"]
    assert body["results"] == [{"ok": True, **seed.evaluate(member, date(2025, 12, 2), situation=counter).to_dict()}]
    assert any(q.startswith("presentation.") for q in body["results"][0]["verdicts"])


def test_explain_in_japanese_and_english_is_the_library_text(server: str, book: hr.Rulebook) -> None:
    member = sample_members()[41]
    for lang in ("ja", "en"):
        body = httpx.post(f"{server}/explain", json={"member": as_json(member), "on": "2025-12-02", "lang": lang}).json()
        assert body["text"] == book.evaluate(member, date(2025, 12, 2)).explain(lang)
    assert "令和7年12月2日" in httpx.post(f"{server}/explain", json={"member": as_json(member), "on": "2025-12-02"}).json()["text"]


def test_actions_are_the_action_list_rows(server: str, book: hr.Rulebook) -> None:
    members = sample_members()
    body = httpx.post(f"{server}/actions", json={"members": [as_json(m) for m in members], "on": "2025-11-01"}).json()
    expected = book.actions(members, date(2025, 11, 1))
    assert body["actions"] == [a.to_dict() for a in expected] and body["actions"]
    assert body["text"] == expected.render("ja")


def test_rules_and_one_rule(server: str, book: hr.Rulebook) -> None:
    listed = httpx.get(f"{server}/rules").json()
    assert [r["id"] for r in listed] == list(book.rules)
    one = httpx.get(f"{server}/rules/PC-3").json()
    assert one["id"] == "PC-3" and one["question"] == "paper_card.usable" and one["title"]["ja"] and one["title"]["en"]
    assert one["citation"]["title"]["ja"] and one["file"].endswith(".yaml")
    assert len(httpx.get(f"{server}/rules", params={"packs": "seed"}).json()) < len(listed)
    missing = httpx.get(f"{server}/rules/PC-99")
    assert missing.status_code == 404
    assert missing.json()["error"].startswith("no rule 'PC-99' in packs seed, ")


def test_an_invalid_member_is_an_error_naming_the_member_and_the_field(server: str) -> None:
    good = {"id": "M1", "kind": "insured", "enrolled_on": "2020-04-01"}
    bad = {"id": "M2", "kind": "insured", "enrolled_on": "2020-04-01", "loss_on": "2019-01-01"}
    answer = httpx.post(f"{server}/evaluate", json={"members": [good, bad, {"kind": "insured"}], "on": "2025-12-02"})
    assert answer.status_code == 422
    problems = answer.json()["problems"]
    assert {"field": "loss_on", "member": 2, "problem": "loss_on=2019-01-01 must be after enrolled_on=2020-04-01"} in problems
    # The command line's words for a missing field ("X is required").
    assert {"field": "id", "member": 3, "problem": "id is required"} in problems
    assert "member 2, field loss_on: " in answer.json()["error"]
    bad_date = httpx.post(f"{server}/evaluate", json={"member": good, "on": "2025-13-45"})
    assert bad_date.status_code == 422 and bad_date.json()["problems"][0]["field"] == "on"
    assert httpx.post(f"{server}/evaluate", json={"on": "2025-12-02"}).json()["problems"][0]["problem"] \
        == "give member (one) or members (a list), not both and not neither"
    assert httpx.post(f"{server}/evaluate", json={"member": good, "on": "2025-12-02", "packs": ["nonesuch"]}) \
        .json()["problems"][0]["field"] == "packs"
    not_json = httpx.post(f"{server}/evaluate", content=b"{not json")
    assert not_json.status_code == 400 and not_json.json()["error"].startswith("request: the body is not JSON")


def test_a_my_number_is_refused_and_never_echoed(server: str) -> None:
    for member in ({"id": MY_NUMBER, "kind": "insured", "enrolled_on": "2020-04-01"},
                   {"id": "M1", "kind": "insured", "enrolled_on": "2020-04-01", "my_number": MY_NUMBER},
                   {"id": "M1", "kind": "insured", "enrolled_on": MY_NUMBER, "household": "1234 5678 9018"}):
        answer = httpx.post(f"{server}/evaluate", json={"members": [member], "on": "2025-12-02"})
        assert answer.status_code == 422
        assert MY_NUMBER not in answer.text and "9018" not in answer.text
        assert answer.json()["problems"][0]["member"] == 1
    refused = httpx.post(f"{server}/evaluate", json={"member": {"id": "M1", "kind": "insured", "enrolled_on": "2020-04-01",
                                                                "my_number": MY_NUMBER}, "on": "2025-12-02"}).json()
    assert refused["problems"][0]["field"] == "my_number" and "never takes a My Number" in refused["problems"][0]["problem"]
    rule = httpx.get(f"{server}/rules/{MY_NUMBER}")
    assert rule.status_code == 404 and MY_NUMBER not in rule.text


def test_a_body_over_the_limit_is_refused(server: str) -> None:
    member = {"id": "M1", "kind": "insured", "enrolled_on": "2020-04-01"}
    big = json.dumps({"members": [member] * 5000, "on": "2025-12-02"}).encode()
    assert len(big) > LIMIT
    answer = httpx.post(f"{server}/evaluate", content=big)
    assert answer.status_code == 413 and f"larger than {LIMIT:,} bytes" in answer.json()["error"]


def test_nothing_is_kept_between_requests(server: str) -> None:
    # The same request gives the same answer before and after requests about other members,
    # an invalid one and one under other packs.
    request = {"member": as_json(sample_members()[0]), "on": "2025-12-02"}
    first = httpx.post(f"{server}/evaluate", json=request).json()
    httpx.post(f"{server}/evaluate", json={"members": [as_json(m) for m in sample_members()[1:]], "on": "2024-12-02"})
    httpx.post(f"{server}/evaluate", json={"member": {"id": "M1"}, "on": "2025-12-02"})
    httpx.post(f"{server}/evaluate", json={**request, "packs": ["seed"]})
    assert httpx.post(f"{server}/evaluate", json=request).json() == first


def test_the_openapi_document_carries_the_member_schema(server: str) -> None:
    document = httpx.get(f"{server}/openapi.json").json()
    assert {"/evaluate", "/explain", "/actions", "/rules", "/rules/{rule_id}", "/health"} <= set(document["paths"])
    assert document["components"]["schemas"]["Member"]["properties"]["id"]["maxLength"] == 64
    body = document["paths"]["/evaluate"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/EvaluateRequest"}


def test_the_schema_command_prints_the_member_json_schema() -> None:
    command = Path(sys.executable).parent / "hokensho-rules"
    done = subprocess.run([str(command), "schema"], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == hr.Member.model_json_schema()


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_curl_line_of_the_docs_gives_the_python_verdicts(server: str, book: hr.Rulebook) -> None:
    page = (ROOT / "docs" / "serve.md").read_text(encoding="utf-8")
    line = next(x for x in page.splitlines() if x.startswith("curl ") and "/evaluate" in x)
    done = subprocess.run(["bash", "-c", line.replace("http://127.0.0.1:8000", server)], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    member = hr.Member(id="M0001", kind="insured", enrolled_on=date(2020, 4, 1),
                       paper_card=hr.PaperCard(issued_on=date(2020, 4, 1)))
    assert json.loads(done.stdout)["results"] == [{"ok": True, **book.evaluate(member, date(2025, 12, 2)).to_dict()}]
