"""The impact of a rule change on a membership: hr.impact and `compare FILE --on DAY`.

Real rulebooks, the sample membership, and hand-made members whose answers are known.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

import hokensho_rules as hr
from hokensho_rules.render.impact import render_impact
from hokensho_rules.cli.io import members_of
from hokensho_rules.cli.main import main

SAMPLE = str(Path(__file__).resolve().parents[1] / "examples" / "members_sample.csv")
IN_FORCE = hr.Rulebook.load()
EXTENDED = hr.Rulebook.load(parameters={"temporary_acceptance_until": "2026-12-31"})
WITHOUT_B8 = hr.Rulebook.load([p for p in IN_FORCE.packs if p != "b8_smartphone_card"])
COUNTER = hr.Situation(online_verification=True, smartphone=True, smartphone_reader=True)


def _paper_card_only(member_id: str) -> hr.Member:
    return hr.Member(id=member_id, kind="insured", enrolled_on=date(2020, 4, 1), paper_card={"issued_on": date(2020, 4, 1)})


def _card_on_phone(member_id: str) -> hr.Member:
    return hr.Member(
        id=member_id, kind="insured", enrolled_on=date(2020, 4, 1), my_number_held=True, insurer_registered_on=date(2021, 4, 1),
        my_number_card={"registered_for_insurance_on": date(2022, 1, 10), "on_smartphone_since": date(2025, 10, 1)},
    )


def test_the_end_of_b5_refuses_an_expired_paper_card_that_was_at_the_institutions_discretion() -> None:
    members = [_paper_card_only("M1"), _card_on_phone("M2")]
    result = hr.impact(EXTENDED, IN_FORCE, members, date(2026, 8, 1), situation=COUNTER)
    assert result.members == 2
    by_question = {q.question: q for q in result.by_question()}
    assert by_question["presentation.paper_card"].members == 1
    assert by_question["presentation.paper_card"].transitions == (("may_accept", "refused", 1),)
    assert [r.member_id for r in result if r.question == "presentation.paper_card"] == ["M1"]
    assert result.changed_members == ("M1",)
    # On 2026-07-31, inside B-5 on both sides, nothing changes.
    assert len(hr.impact(EXTENDED, IN_FORCE, members, date(2026, 7, 31), situation=COUNTER)) == 0


def test_b8_is_a_new_question_and_accepts_only_the_card_on_a_phone() -> None:
    members = [_paper_card_only("M1"), _card_on_phone("M2")]
    result = hr.impact(WITHOUT_B8, IN_FORCE, members, date(2026, 1, 10), situation=COUNTER)
    moves = {q.question: q.transitions for q in result.by_question()}
    assert moves == {"presentation.smartphone_card": (("(not asked)", "refused", 1), ("(not asked)", "accepted", 1))}
    text = result.render("en")
    assert "(not asked) → accepted: 1" in text and "packs +b8_smartphone_card" in text


def test_an_action_row_that_only_one_side_has_is_added_or_removed() -> None:
    # Under the seed alone a member enrolled in 2025 without a My Number is not chased
    # for a certificate; where the insurer counts them as ex officio targets, a row is added.
    member = hr.Member(id="M3", kind="insured", enrolled_on=date(2025, 4, 1), my_number_held=False)
    setting = hr.Rulebook.load(parameters={"my_number_unsubmitted_ex_officio": "yes"})
    result = hr.impact(IN_FORCE, setting, [member], date(2025, 6, 1))
    assert [(r.member_id, r.need) for r in result.added] == [("M3", "certificate.issuance")]
    # …and the coverage gap "the member must act" becomes one the insurer closes by issuing.
    assert [(r.member_id, r.verdict.outcome) for r in result.removed] == [("M3", "gap_member_to_act")]
    back = hr.impact(setting, IN_FORCE, [member], date(2025, 6, 1))
    assert ("M3", "certificate.issuance") in [(r.member_id, r.need) for r in back.removed]
    assert {r["change"] for r in back.action_rows()} == {"added", "removed"}


def test_the_same_rulebook_changes_nothing_on_the_sample() -> None:
    members = list(members_of(SAMPLE, None, None, []))
    result = hr.impact(IN_FORCE, hr.Rulebook.load(), members, date(2026, 8, 1))
    assert (result.members, len(result), result.added, result.removed) == (50, 0, (), ())
    assert "答えの変わる加入者はいない" in result.render("ja")


def test_bad_arguments_are_named() -> None:
    with pytest.raises(TypeError, match="before must be a hokensho_rules.Rulebook"):
        hr.impact("seed", IN_FORCE, [], date(2026, 8, 1))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="on must be a datetime.date"):
        hr.impact(IN_FORCE, IN_FORCE, [], "2026-08-01")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="M1"):
        hr.impact(IN_FORCE, IN_FORCE, [_paper_card_only("M1"), _paper_card_only("M1")], date(2026, 8, 1))


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_the_cli_prints_how_many_members_b5s_end_affects_and_lists_them(tmp_path: Path) -> None:
    extended = tmp_path / "b5_extended.yaml"
    extended.write_text("temporary_acceptance_until: 2026-12-31\n", encoding="utf-8")
    members = list(members_of(SAMPLE, None, None, []))
    expected = hr.impact(EXTENDED, IN_FORCE, members, date(2026, 8, 1), situation=hr.Situation(online_verification=True, smartphone=False))
    count = {q.question: q.members for q in expected.by_question()}["presentation.paper_card"]
    assert count > 0
    code, out, err = _run("compare", SAMPLE, "--on", "2026-08-01", "--before-parameters", str(extended),
                          "--counter", "online_verification", "--members", str(tmp_path / "changed.csv"), "--lang", "en")
    assert code == 0, err
    assert f"■ At the counter: the paper card: {count} members" in out
    with open(tmp_path / "changed.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sum(r["question"] == "presentation.paper_card" for r in rows) == count
    assert {r["before_rule"] for r in rows if r["question"] == "presentation.paper_card"} == {"B-5.paper_card"}


def test_the_cli_leaves_a_pack_out_and_names_bad_options(tmp_path: Path) -> None:
    code, out, err = _run("compare", SAMPLE, "--on", "2026-01-10", "--before-packs", "-b8_smartphone_card",
                          "--counter", "online_verification,smartphone,smartphone_reader", "-o", str(tmp_path / "t.csv"))
    assert code == 0, err
    assert (tmp_path / "t.csv").read_text(encoding="utf-8").startswith("質問,加入者数,変更前の答え,変更後の答え,人数")
    code, _, err = _run("compare", SAMPLE, "--on", "2026-01-10", "--counter", "online_verification,wifi")
    assert code == 2 and "wifi" in err
    code, _, err = _run("compare", SAMPLE, "--on", "2026-01-10", "--before-packs", "-b99")
    assert code == 2 and "b99" in err
    code, _, err = _run("compare", SAMPLE)
    assert code == 2 and "--on" in err
    code, _, err = _run("compare", SAMPLE, "--on", "2026-01-10")
    assert code == 0 and "the two sides are the same rulebook" in err


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_impact_reads_as_text_a_table_html_and_a_chart_in_each_language(lang: str) -> None:
    members = [_paper_card_only("M1"), _card_on_phone("M2")]
    result = hr.impact(EXTENDED, IN_FORCE, members, date(2026, 8, 1), situation=COUNTER)
    text = result.render(lang)
    assert ("令和8年8月1日" if lang == "ja" else "2026-08-01") in text.splitlines()[0]
    rows = result.table(lang)
    assert rows and all(len(row) == 5 for row in rows)
    assert "<table>" in result.html(lang) and "<table>" in result._repr_html_()
    chart = result.chart(lang)
    assert chart is not None
    # Several action rows on each side: the text says how many more than it lists.
    many = [hr.Member(id=f"A{i}", kind="insured", enrolled_on=date(2025, 4, 1), my_number_held=False) for i in range(3)]
    setting = hr.Rulebook.load(parameters={"my_number_unsubmitted_ex_officio": "yes"})
    longer = hr.impact(IN_FORCE, setting, many, date(2025, 6, 1))
    assert "… " in render_impact(longer, lang, limit=1)
    assert render_impact(hr.impact(IN_FORCE, IN_FORCE, many, date(2025, 6, 1)), lang)
