"""The adapter keeps durable-rules' sharp edges (``engine/adapter.py``) out of reach.

Each test names the failure mode it guards against. They drive the real C core, through
the adapter or through a Rulebook, never a mock.
"""

from __future__ import annotations

import ast
import gc
import json
import subprocess
import sys
import textwrap
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from rule_files import eligibility_rule, write_rulebook

import hokensho_rules as hr
from hokensho_rules.engine import adapter
from hokensho_rules.engine.adapter import ENTRY_POINTS, DurableRuleset
from hokensho_rules.engine.compiler import MAX_BRANCHES
from hokensho_rules.facts.record import to_record

SRC = Path(hr.__file__).resolve().parent
ADAPTER = SRC / "engine" / "adapter.py"
RULE = {"r0": {"all": [{"m": {"$and": [{"type": "member"}, {"a": 1}]}}]}}


def _rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20


# --- Python 3.13: lazy binding, and no callback ever reachable ----------------------


def test_the_adapter_reaches_only_its_entry_points_of_the_c_core_and_no_callback() -> None:
    # The callbacks (set_*_callback) call PyEval_CallObject, which 3.13 removed: with
    # lazy binding, calling one would kill the process. Only the names below are bound.
    tree = ast.parse(ADAPTER.read_text(encoding="utf-8"))
    used = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name) and node.value.id == "_core"}
    assert used == {*ENTRY_POINTS, "error"}
    assert not any("callback" in name for name in used)
    assert "callback" not in " ".join(ENTRY_POINTS)
    # Nothing else that durable offers runs actions or timers for us.
    assert not {"assert_facts", "assert_event", "start_timer", "start_action", "abandon_action"} & used
    # The module object itself is dropped once its functions are bound.
    assert not any(type(value).__name__ == "module" and "durable" in getattr(value, "__name__", "")
                   for value in vars(adapter).values())


def test_no_other_module_of_the_library_touches_durable() -> None:
    for path in SRC.rglob("*.py"):
        if path == ADAPTER:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not [n for n in names if n.split(".")[0] in ("durable", "durable_rules_engine")], path


def test_importing_and_evaluating_starts_no_thread_loads_no_host_and_restores_the_dlopen_flags() -> None:
    # Host() starts timer threads that run actions concurrently (``engine/adapter.py``): we use none.
    # The lazy binding (3.13+) is set only around the import of the extension.
    script = textwrap.dedent("""
        import sys, threading
        from datetime import date, timedelta
        flags = sys.getdlopenflags()
        import hokensho_rules as hr
        assert sys.getdlopenflags() == flags, (flags, sys.getdlopenflags())
        member = hr.Member(id="M1", kind="insured", enrolled_on=date(2020, 4, 1))
        hr.Rulebook.load().evaluate(member, date(2025, 12, 2))
        assert threading.active_count() == 1, threading.enumerate()
        assert "durable" not in sys.modules and "durable.engine" not in sys.modules
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert result.stdout.strip() == "ok", result.stderr


@pytest.mark.skipif(sys.version_info < (3, 13), reason="PyEval_CallObject exists before 3.13")
def test_on_3_13_the_extension_needs_lazy_binding_and_says_so_when_refused() -> None:
    # LD_BIND_NOW forces eager binding whatever dlopen is asked: the import must fail
    # with our explanation, which proves the lazy path is what makes 3.13 work.
    script = "import hokensho_rules"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                            env={"LD_BIND_NOW": "1", "PATH": "/usr/bin:/bin"}, check=False)
    assert result.returncode != 0
    assert "LD_BIND_NOW" in result.stderr and "PyEval_CallObject" in result.stderr


# --- the C core's state and memory ------------------------------------------------------


def test_a_state_on_which_no_action_ever_started_is_never_deleted() -> None:
    # delete_state on such a state frees uninitialised pointers (SIGSEGV or free():
    # invalid pointer). A ruleset frees its state only once an action has started.
    quiet = DurableRuleset(RULE)
    assert quiet.fire({"type": "member", "id": "x", "a": 2}) == []
    assert quiet._handle.started is False
    busy = DurableRuleset(RULE)
    assert busy.fire({"type": "member", "id": "x", "a": 1}) == ["r0"]
    assert busy._handle.started is True
    del quiet, busy
    gc.collect()
    # The process is alive and the core still works after both were freed.
    assert DurableRuleset(RULE).fire({"type": "member", "id": "y", "a": 1}) == ["r0"]


def test_a_ruleset_is_freed_when_no_longer_used_so_reloading_does_not_leak() -> None:
    # A compiled ruleset and its state hold about 0.35 MB in the C core; before they
    # were freed, every Rulebook.load() (a re-run notebook cell) kept about 2 MB forever.
    book = hr.Rulebook.load()
    member = hr.Member(id="M1", kind="insured", enrolled_on=date(2020, 4, 1),
                       paper_card=hr.PaperCard(issued_on=date(2020, 4, 1)))
    facts = [(s.engine._json, to_record(member, date(2025, 12, 2))) for s in book.program(book.params_on(date(2025, 12, 2)))]
    for definition, fact in facts:  # warm up the allocator
        DurableRuleset(json.loads(definition)).fire(fact)
    gc.collect()
    before = _rss_mb()
    for _ in range(40):
        for definition, fact in facts:
            DurableRuleset(json.loads(definition)).fire(fact)
        gc.collect()
    assert _rss_mb() - before < 20  # 40 × 6 rulesets would keep about 80 MB


def test_more_than_1024_members_in_a_row_leave_no_state_behind() -> None:
    # More than 1,024 live states is a MemoryError: every member shares one state.
    book = hr.Rulebook.load(["seed"])
    for i in range(1500):
        member = hr.Member(id=f"M{i}", kind="insured", enrolled_on=date(2020, 4, 1))
        assert book.evaluate(member, date(2025, 12, 2))["member.eligible"].outcome == "yes"


# --- facts the engine would mishandle cannot be built -------------------------------------


def _fullest_member() -> hr.Member:
    day = date(2024, 1, 1)
    return hr.Member(
        id="M" * 64, kind="insured", enrolled_on=day, loss_on=date(2030, 1, 1), my_number_held=True,
        insurer_registered_on=day, employer="𠮷" * 200, household="\U00020BB7" * 200,  # a letter (𠮷) outside the BMP: ids are letters and digits
        enrolment_notified_on=day, details_changed_on=day, notice_sent_on=day,
        paper_card=hr.PaperCard(issued_on=day, enrolled_on=day, expires_on=day, lost_on=day, returned_on=day),
        my_number_card=hr.MyNumberCard(registered_for_insurance_on=day, registration_cancelled_on=day,
                                       certificate_expires_on=day, returned_on=day, suspended_on=day),
        certificate=hr.Certificate(issued_on=day, takes_effect_on=day, expires_on=day, returned_on=day),
        requests=hr.Requests(certificate_on_enrolment_form=True, certificate_for_circumstances_on=day),
        abroad=hr.Abroad(departed_on=day, japanese_national=True, continuation_done_on=day),
    )


def test_every_text_a_member_holds_is_bounded_far_below_64_kb() -> None:
    # The engine hashes only len mod 65536 bytes of a string: two long strings that
    # differ late would count as the same fact. Every text field has a bound.
    for model in (hr.Member, hr.PaperCard, hr.MyNumberCard, hr.Certificate, hr.Requests, hr.Abroad, hr.Situation):
        for name, field in model.model_fields.items():
            if "str" in str(field.annotation):
                bounds = [m.max_length for m in field.metadata if hasattr(m, "max_length")]
                assert bounds and bounds[0] <= 200, f"{model.__name__}.{name}"
    with pytest.raises(ValidationError):
        hr.Member(id="M1", kind="insured", enrolled_on=date(2020, 4, 1), employer="x" * 70_000)
    decision = hr.Rulebook.load().evaluate(_fullest_member(), date(2024, 6, 1),
                                           situation=hr.Situation(online_verification=True, smartphone=True))
    assert max(len(v.encode()) for v in decision.record.values() if isinstance(v, str)) <= 800
    assert len(json.dumps(dict(decision.record), ensure_ascii=False).encode()) < 16_384


def test_a_fact_holds_few_keys_and_no_float() -> None:
    # 254+ properties is error 302 (nested keys count); inf and 1e-05 are parse errors
    # 202/204, and NaN is accepted but never matches: a fact holds ints, bools and texts.
    book = hr.Rulebook.load()
    decision = book.evaluate(_fullest_member(), date(2024, 6, 1),
                             situation=hr.Situation(online_verification=True, smartphone=True))
    assert len(decision.record) < 200
    assert all(type(v) in (int, bool, str) for v in decision.record.values())
    for stratum in book.program(book.params_on(date(2024, 6, 1))):
        assert len(stratum._reads) < 200
    for bad in (float("nan"), float("inf"), 1e-05, 1.0):
        with pytest.raises(ValidationError):
            hr.Member.model_validate({"id": "M1", "kind": "insured", "enrolled_on": date(2020, 4, 1),
                                      "voluntary_continuation": bad})


def test_texts_reach_the_engine_as_raw_json_text_with_non_ascii_and_escapes() -> None:
    # The engine compares strings as raw JSON text: rules and facts are both dumped
    # with ensure_ascii=False, so a Japanese or escaped constant matches itself only.
    for text in ("東京本社", 'a"b\\c', "tab\there", "𠮷野家", "é"):
        ruleset = DurableRuleset({"r0": {"all": [{"m": {"$and": [{"type": "member"}, {"employer": text}]}}]}})
        assert ruleset.fire({"type": "member", "id": "x", "employer": text}) == ["r0"], text
        assert ruleset.fire({"type": "member", "id": "x", "employer": text + "x"}) == [], text


def test_a_string_never_compares_with_a_number() -> None:
    # "3" > 1 is true in the engine: the loader refuses a rule comparing a date with a text.
    ruleset = DurableRuleset({"r0": {"all": [{"m": {"$and": [{"type": "member"}, {"$gt": {"n": 1}}]}}]}})
    assert ruleset.fire({"type": "member", "id": "x", "n": "3"}) == ["r0"]  # the sharp edge itself


def test_a_rule_comparing_a_date_with_a_text_is_refused_on_load(tmp_path: Path) -> None:
    root = write_rulebook(tmp_path / "rules", [eligibility_rule("T-1", [{"fact": "member.enrolled_on", "gt": "3"}])])
    with pytest.raises(hr.RuleFileError, match="T-1"):
        hr.Rulebook.load(root=root)


def test_a_rule_file_comparing_japanese_text_decides_as_python_does(tmp_path: Path) -> None:
    root = write_rulebook(tmp_path / "rules", [
        eligibility_rule("T-1", [{"fact": "member.employer", "eq": "東京本社"}]),
        eligibility_rule("T-2", [{"fact": "member.employer", "ne": "東京本社"}], "no"),
        eligibility_rule("T-3", [{"fact": "member.employer", "present": False}], "no"),
    ])
    book = hr.Rulebook.load(root=root)
    for employer, expected in (("東京本社", "T-1"), ("東京支社", "T-2"), ("東京.本社", "T-2"), (None, "T-3")):
        member = hr.Member(id="M1", kind="insured", enrolled_on=date(2020, 4, 1), employer=employer)
        assert book.evaluate(member, date(2025, 1, 1))["member.eligible"].rule_id == expected
    # A quote never reaches the engine: an employer id is letters, digits and . _ : - (facts/member.py).
    with pytest.raises(ValidationError):
        hr.Member(id="M1", kind="insured", enrolled_on=date(2020, 4, 1), employer='東京"本社')


def test_a_ruleset_the_engine_would_never_finish_building_is_refused_on_load(tmp_path: Path) -> None:
    # A network node holds at most 512 children: with more, create_ruleset loops
    # forever (rete.c findAlpha). Run in a child process so that a hang fails the test.
    rules = [eligibility_rule(f"T-{i}", [{"fact": "member.enrolled_on", "gte": date(2000, 1, 1) + timedelta(days=i)}])
             for i in range(MAX_BRANCHES + 1)]
    root = write_rulebook(tmp_path / "rules", rules)
    script = textwrap.dedent(f"""
        import hokensho_rules as hr
        try:
            hr.Rulebook.load(root={str(root)!r})
        except hr.RuleFileError as error:
            print("refused:", error)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert "refused:" in result.stdout and "512" in result.stdout, result.stderr


def test_the_shipped_rulesets_are_far_from_the_engine_s_limits() -> None:
    from hokensho_rules.engine.compiler import branch_count

    book = hr.Rulebook.load()
    for questions in book.strata:
        assert branch_count([r for r in book.rules.values() if r.question in questions]) < MAX_BRANCHES // 4


# --- an engine error --------------------------------------------------------------------


def test_a_fact_the_engine_rejects_is_an_engine_error_and_the_next_fact_is_answered() -> None:
    # inf is not JSON the C parser reads (error 202): a genuine engine error, mid-protocol.
    ruleset = DurableRuleset(RULE)
    assert ruleset.fire({"type": "member", "id": "x", "a": 1}) == ["r0"]
    with pytest.raises(hr.EngineError, match="member x"):
        ruleset.fire({"type": "member", "id": "x", "a": float("inf")})
    assert ruleset.fire({"type": "member", "id": "y", "a": 1}) == ["r0"]
    assert ruleset.fire({"type": "member", "id": "y", "a": 2}) == []


def test_a_ruleset_the_engine_refuses_is_an_engine_error() -> None:
    with pytest.raises(hr.EngineError, match="refused ruleset"):
        DurableRuleset({"r0": {"all": [{"m": {"$unknown_operator": {"a": 1}}}]}})


def test_concurrent_fires_on_one_ruleset_are_serialised() -> None:
    # One lock around assert/drain/retract: threads never see each other's facts.
    ruleset = DurableRuleset(RULE)
    errors: list[str] = []

    def work(k: int) -> None:
        for i in range(300):
            a = (i + k) % 2
            fired = ruleset.fire({"type": "member", "id": f"t{k}-{i}", "a": a})
            if fired != (["r0"] if a == 1 else []):
                errors.append(f"{k}/{i}: {fired}")

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_a_rule_whose_alternatives_hold_at_once_is_listed_once() -> None:
    # The engine fires a rule once per `any` option that holds (it expands `$or` into
    # branches): a power cut with a broken IC chip fired RT-2.cannot_be_read twice, and
    # the verdict named it twice, as concurring with itself.
    member = hr.Member(id="M1", kind="insured", enrolled_on=date(2020, 4, 1),
                       my_number_card=hr.MyNumberCard(registered_for_insurance_on=date(2021, 10, 20)))
    counter = hr.Situation(online_verification=True, smartphone=False, power_cut=True, ic_chip_broken=True,
                           card_reader_out_of_order=True)
    verdict = hr.Rulebook.load().evaluate(member, date(2025, 12, 2), situation=counter)["presentation.my_number_card"]
    ids = [verdict.rule_id, *(r.id for r in verdict.concurring)]
    assert "RT-2.cannot_be_read" in ids
    assert len(ids) == len(set(ids))
    assert verdict.to_dict()["concurring"].count("RT-2.cannot_be_read") <= 1
