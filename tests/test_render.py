"""The rendering layer's words and tables: labels from the rules, dates as 令和, lists cut to a page.

With ``tests/test_explanations.py`` these cover the explanation code; ``test_coverage``
(``tests/test_render_coverage.py``) measures that coverage and fails under 90 %.
"""

from __future__ import annotations

from datetime import date

import pytest

import hokensho_rules as hr
from hokensho_rules.render import words

BOOK = hr.Rulebook.load()
LAW = BOOK.law


def test_a_deadline_is_overdue_due_today_or_some_days_away() -> None:
    on = date(2025, 12, 2)
    assert words.days_left(date(2025, 12, 1), on, "ja") == "期限超過・1日経過"
    assert words.days_left(on, on, "en") == "due today"
    assert words.days_left(date(2025, 12, 12), on, "ja") == "あと10日"


def test_dates_are_wareki_in_japanese_and_iso_in_english_and_before_meiji_iso_in_both() -> None:
    assert words.show_date(date(2025, 12, 2), "ja") == "令和7年12月2日"
    assert words.show_date(date(2025, 12, 2), "en") == "2025-12-02"
    assert words.show_date(date(1800, 1, 1), "ja") == "1800-01-01"


def test_values_are_read_in_words_from_the_rules_labels() -> None:
    assert words.fact_value(LAW, "member.kind", "dependant", "ja") == "被扶養者"
    assert words.fact_value(LAW, "member.voluntary_continuation", True, "en") == "yes"
    assert words.fact_value(LAW, "paper_card", True, "ja") == "あり"
    assert words.fact_value(LAW, "member.loss_on", None, "en") == "none"
    assert words.fact_value(LAW, "paper_card.usable", "no", "ja") == "使用できない"
    assert words.fact_value(LAW, "enrolment_notification.due.form", "dependant_change", "ja") == "被扶養者異動届"
    assert words.fact_label(LAW, "certificate.issuance.deadline", "en") == "to be issued by"
    assert words.fact_label(LAW, "coverage.route", "ja") == "保険診療を受ける手段があるか"
    assert words.value_label(LAW, "paper_card.usable", "institutions", "all", "en") == "every institution"


def test_a_title_keeps_what_is_no_parameter_and_fills_a_text_parameter() -> None:
    on = date(2025, 1, 1)
    assert words.fill("{no_such} / {paper_card_abolished_on}", LAW, on, "en") == "{no_such} / 2024-12-02"
    assert words.fill("{certificate_max_years}年", LAW, on, "ja") == "5年"


def test_a_language_is_ja_or_en() -> None:
    assert words.check_lang("en") == "en"
    with pytest.raises(ValueError, match="lang must be 'ja' or 'en', got 'fr'"):
        words.check_lang("fr")


def _members(count: int) -> list[hr.Member]:
    return [
        hr.Member(id=f"M{i:03d}", kind="insured", enrolled_on=date(2020, 4, 1), employer="E1",
                  paper_card=hr.PaperCard(issued_on=date(2020, 4, 1)))
        for i in range(count)
    ]


def test_an_action_list_is_a_clerks_list_in_each_language() -> None:
    actions = BOOK.actions(_members(3), date(2025, 12, 2))
    ja = actions.render("ja", limit=2)
    assert ja.splitlines()[0] == f"令和7年12月2日 時点の対応一覧（{len(actions)} 件）"
    assert "令和7年12月1日（期限超過・1日経過） | M000 | 資格確認書を職権で交付する（受診手段の空白） | EC-1.no_paper_card" in ja
    assert ja.splitlines()[-1] == f"… 他 {len(actions) - 2} 件"
    en = actions.render("en")
    assert "2025-12-01 (days overdue: 1) | M000 | issue an eligibility certificate ex officio (coverage gap)" in en
    assert actions.counts("ja")["資格確認書を職権で交付する"] == 3
    with pytest.raises(TypeError, match="limit"):
        actions.render("ja", limit=True)
    with pytest.raises(ValueError, match="limit"):
        actions.render("ja", limit=-1)


def test_a_comparison_says_which_data_differ_and_shows_a_table() -> None:
    member = hr.Member(id="M1", kind="insured", enrolled_on=date(2020, 4, 1),
                       paper_card=hr.PaperCard(issued_on=date(2020, 4, 1), expires_on=date(2025, 3, 31)))
    comparison = hr.compare(hr.Rulebook.load(["seed"]), BOOK, member, date(2024, 10, 1), date(2026, 1, 1))
    usable = next(row for row in comparison if row.question == "paper_card.usable")
    assert usable.data["usable_until"] == (date(2025, 12, 1), date(2025, 3, 31))
    assert usable.to_dict()["data_differ"] == ["replaced_on", "usable_until"]
    assert "使用できる最後の日 令和7年3月31日；代わりの書類が有効になる日 令和7年4月1日 [B-1.until_expiry]" in comparison.render("ja")
    page = comparison._repr_html_()
    assert "<table>" in page and "seed+b1_paper_card_expiry" in page


def test_a_timeline_says_what_changes_when_and_by_which_rule() -> None:
    member = _members(1)[0]
    line = BOOK.timeline(member, date(2024, 12, 1), date(2025, 12, 31))
    ja, en = line.render("ja"), line.render("en")
    assert ja.splitlines()[0] == "加入者 M000：令和6年12月1日から令和7年12月31日までの変化"
    assert "  令和7年12月2日　健康保険証を使用できるか：使用できる → 使用できない（PC-3「" in ja
    assert en.splitlines()[0] == "Member M000: changes from 2024-12-01 to 2025-12-31"
    assert '  2025-12-02  Is the paper card usable: usable → not usable (PC-3 "' in en
    quiet = BOOK.timeline(member, date(2026, 6, 1), date(2026, 6, 2)).render("en")
    assert "Changes: none" in quiet
    page = line._repr_html_()
    assert page.count("<tr>") == 1 + sum(len(runs) for _, runs in line.items())


def test_a_mailing_plan_counts_envelopes_per_employer_and_who_is_left_out() -> None:
    members = [m.model_copy(update={"my_number_held": True}) for m in _members(3)]
    members.append(hr.Member(id="V1", kind="insured", enrolled_on=date(2024, 4, 1), my_number_held=True,
                             voluntary_continuation=True))  # within B-10's 2 years on 2025-07-01
    plan = hr.plan_mailing(members, BOOK, on=date(2025, 7, 1))
    ja, en = plan.render("ja"), plan.render("en")
    assert ja.splitlines()[0].endswith("（令和7年7月1日 時点の規定）")
    assert "  E1: 加入者 3 人・封筒 3 通 → 定形外封筒 1" in ja
    assert "Mailed directly by the insurer" in en
    assert "<table>" in plan._repr_html_()
    later = hr.plan_mailing(members, BOOK, on=date(2025, 7, 1), mailing="on_enrolment")
    assert len(later.left_out) == len(members)
    assert later.render("en").splitlines()[-1].startswith(f"Not in this mailing: {len(members)} members")
