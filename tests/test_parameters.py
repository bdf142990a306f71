"""A user's own parameter values: Rulebook.load(parameters=...), --parameters FILE, the checks.

The cases of tests/cases/insurer_settings.yaml show what each setting changes; this file
checks the mechanism: files and mappings, dated values, the errors (naming the parameter
and what it accepts, in both languages), pickling, the CLI and the rule reference.
"""

from __future__ import annotations

import pickle
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

import hokensho_rules as hr
from hokensho_rules.cli.main import main
from hokensho_rules.facts.privacy import check_digit

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "_ext"))

SAMPLE = str(Path(__file__).resolve().parents[1] / "examples" / "members_sample.csv")

LAPSED = hr.Member(
    id="M1", kind="insured", enrolled_on=date(2025, 1, 6), my_number_held=True, insurer_registered_on=date(2025, 1, 10),
    my_number_card={"registered_for_insurance_on": date(2025, 1, 10), "certificate_expires_on": date(2025, 2, 10)},
)


def test_every_default_is_in_the_rule_files_with_who_may_change_it() -> None:
    book = hr.Rulebook.load()
    params = book.params_on(date(2026, 8, 1))
    assert params["temporary_acceptance_until"] == date(2026, 7, 31)
    assert params["my_number_unsubmitted_ex_officio"] == "no"
    assert params["certificate_after_grace"] == "ex_officio"
    assert params["certificate_renewal_lead_days"] == 60
    for name in ("temporary_acceptance_until", "my_number_unsubmitted_ex_officio", "certificate_after_grace",
                 "certificate_renewal_lead_days"):
        assert book.parameters[name].set_by is not None, name
    assert book.overrides == ()


def test_a_file_and_a_mapping_give_the_same_rulebook(tmp_path: Path) -> None:
    path = tmp_path / "insurer.yaml"
    path.write_text("certificate_after_grace: on_application\ncertificate_renewal_lead_days: 90\n", encoding="utf-8")
    from_file = hr.Rulebook.load(parameters=path)
    from_mapping = hr.Rulebook.load(parameters={"certificate_renewal_lead_days": 90, "certificate_after_grace": "on_application"})
    assert from_file.overrides == from_mapping.overrides
    assert from_file.params_on(date(2026, 1, 1))["certificate_renewal_lead_days"] == 90
    assert from_file.evaluate(LAPSED, date(2026, 1, 10))["certificate.ex_officio_target"].rule_id == "B-4.on_application"
    assert hr.Rulebook.load().evaluate(LAPSED, date(2026, 1, 10))["certificate.ex_officio_target"].rule_id == "B-4.target"


def test_a_json_file_and_a_parameters_key_are_read(tmp_path: Path) -> None:
    path = tmp_path / "insurer.json"
    path.write_text('{"parameters": {"temporary_acceptance_until": "2026-09-30"}}', encoding="utf-8")
    book = hr.Rulebook.load(parameters=path)
    assert book.params_on(date(2026, 8, 1))["temporary_acceptance_until"] == date(2026, 9, 30)


def test_dated_values_apply_from_their_day() -> None:
    book = hr.Rulebook.load(parameters={"temporary_acceptance_until": [
        {"value": "2026-03-31"}, {"since": "2026-03-19", "value": "2026-07-31"}, {"since": "2026-07-20", "value": "2026-12-31"}]})
    assert book.params_on(date(2026, 3, 1))["temporary_acceptance_until"] == date(2026, 3, 31)
    assert book.params_on(date(2026, 4, 1))["temporary_acceptance_until"] == date(2026, 7, 31)
    assert book.params_on(date(2026, 8, 1))["temporary_acceptance_until"] == date(2026, 12, 31)


def test_an_unquoted_yes_in_a_file_is_the_word_yes(tmp_path: Path) -> None:
    path = tmp_path / "insurer.yaml"
    path.write_text("my_number_unsubmitted_ex_officio: yes\n", encoding="utf-8")
    assert hr.Rulebook.load(parameters=path).params_on(date(2026, 1, 1))["my_number_unsubmitted_ex_officio"] == "yes"


@pytest.mark.parametrize(
    ("given", "named", "accepts_en", "accepts_ja"),
    [
        ({"certificate_renewal_lead_days": "ninety"}, "certificate_renewal_lead_days", "a whole number, 0 or more", "0以上の整数"),
        ({"certificate_renewal_lead_days": -1}, "certificate_renewal_lead_days", "a whole number, 0 or more", "0以上の整数"),
        ({"certificate_renewal_lead_days": True}, "certificate_renewal_lead_days", "a whole number, 0 or more", "0以上の整数"),
        ({"temporary_acceptance_until": "2026-02-30"}, "temporary_acceptance_until", "a date", "日付"),
        ({"certificate_after_grace": "sometimes"}, "certificate_after_grace", "one of 'ex_officio', 'on_application'",
         "ex_officio（職権で交付）"),
        ({"my_number_unsubmitted_ex_officio": 1}, "my_number_unsubmitted_ex_officio", "one of 'yes', 'no'", "対象とする"),
    ],
)
def test_a_value_the_parameter_does_not_accept_names_it_and_what_it_accepts(
    given: dict[str, object], named: str, accepts_en: str, accepts_ja: str
) -> None:
    with pytest.raises(hr.ParameterError) as raised:
        hr.Rulebook.load(parameters=given)
    message = str(raised.value)
    assert named in message and accepts_en in message and accepts_ja in message
    assert isinstance(raised.value, ValueError)


def test_an_unknown_parameter_is_named_with_the_closest_one() -> None:
    with pytest.raises(hr.ParameterError, match="did you mean 'certificate_renewal_lead_days'"):
        hr.Rulebook.load(parameters={"certificate_renewal_lead_dys": 90})


def test_a_parameter_of_a_pack_not_loaded_is_unknown() -> None:
    with pytest.raises(hr.ParameterError, match="unknown parameter 'temporary_acceptance_until'"):
        hr.Rulebook.load(["seed"], parameters={"temporary_acceptance_until": "2026-09-30"})


def test_a_later_dated_value_needs_its_since() -> None:
    with pytest.raises(hr.ParameterError, match=r"temporary_acceptance_until'\[1\]"):
        hr.Rulebook.load(parameters={"temporary_acceptance_until": [{"value": "2026-03-31"}, {"value": "2026-07-31"}]})


def test_a_my_number_in_a_bad_value_is_not_shown() -> None:
    my_number = "12345678901" + str(check_digit("12345678901"))
    with pytest.raises(hr.ParameterError) as raised:
        hr.Rulebook.load(parameters={"certificate_after_grace": my_number})
    assert my_number not in str(raised.value)


def test_a_file_that_is_not_yaml_is_a_parameter_error(tmp_path: Path) -> None:
    path = tmp_path / "insurer.yaml"
    path.write_text("certificate_after_grace: [unclosed\n", encoding="utf-8")
    with pytest.raises(hr.ParameterError, match="insurer.yaml"):
        hr.Rulebook.load(parameters=path)


def test_a_rulebook_with_parameters_pickles_with_them() -> None:
    book = hr.Rulebook.load(parameters={"certificate_after_grace": "on_application"})
    again = pickle.loads(pickle.dumps(book))
    assert again.overrides == book.overrides
    assert again.evaluate(LAPSED, date(2026, 1, 10))["certificate.ex_officio_target"].rule_id == "B-4.on_application"
    decision = book.evaluate(LAPSED, date(2026, 1, 10))
    assert pickle.loads(pickle.dumps(decision)).law.overrides == book.overrides


def test_the_explanation_says_what_the_setting_is() -> None:
    book = hr.Rulebook.load(parameters={"certificate_after_grace": "on_application"})
    decision = book.evaluate(LAPSED, date(2026, 1, 10))
    ja = decision.explain("ja", detail="full")
    en = decision.explain("en", detail="full")
    assert "保険者の設定「猶予期間の終了で利用登録が解除された方への資格確認書の交付」が「申請により交付」" in ja
    assert "the insurer's setting" in en and "“on application”" in en
    # Under the default the on-application rule did not apply, and the sentence says what is so.
    default = hr.Rulebook.load().evaluate(LAPSED, date(2026, 1, 10)).explain("en", detail="full")
    assert "B-4.on_application" in default and "“ex officio”" in default


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_the_cli_takes_a_parameter_file_on_every_command_that_loads_a_rulebook(tmp_path: Path) -> None:
    path = tmp_path / "insurer.yaml"
    path.write_text("certificate_renewal_lead_days: 90\n", encoding="utf-8")
    code, out, err = _run("rules", "parameters", "--parameters", str(path), "--lang", "en")
    assert code == 0, err
    assert "certificate_renewal_lead_days: 90 [from the parameter file]" in out
    code, out, err = _run("rules", "check", "--parameters", str(path))
    assert code == 0, err
    code, out, err = _run("explain", SAMPLE, "--id", "M00001", "--on", "2026-08-01", "--parameters", str(path))
    assert code == 0, err


def test_the_cli_refuses_a_bad_value_with_exit_2_naming_the_parameter(tmp_path: Path) -> None:
    path = tmp_path / "insurer.yaml"
    path.write_text("certificate_after_grace: sometimes\n", encoding="utf-8")
    code, _, err = _run("evaluate", SAMPLE, "--on", "2026-08-01", "-o", str(tmp_path / "r.csv"), "-p", "1",
                        "--parameters", str(path))
    assert code == 2
    assert "certificate_after_grace" in err and "one of 'ex_officio', 'on_application'" in err


def test_the_rule_reference_documents_who_may_change_each_setting() -> None:
    from rulebook_pages import Reference

    page = Reference().parameters_page()
    assert "--parameters insurer.yaml" in page
    section = page.split("## `certificate_after_grace`", 1)[1].split("\n## ", 1)[0]
    assert "Who may change it: 保険者" in section and "Accepts: one of 'ex_officio', 'on_application'" in section
    end = page.split("## `temporary_acceptance_until`", 1)[1].split("\n## ", 1)[0]
    assert "Confidence: **medium**" in end


def test_the_front_page_lists_everything_not_confirmed_and_each_pack_page_its_age() -> None:
    from rulebook_pages import Reference, unconfirmed

    reference = Reference()
    front = (Path(__file__).resolve().parents[1] / "docs" / "index.md").read_text(encoding="utf-8")
    for line in unconfirmed(reference.law):
        name = line.split(" (**", 1)[0].strip("`")
        assert name in front, f"docs/index.md does not name {name} among what is not confirmed"
    pages = reference.pages()
    for pack in reference.law.packs[1:]:
        assert "| source | published | last checked by the project |" in pages[pack], pack
    assert "| 2025-08-28 | 2026-12-06 |" in pages["b8_smartphone_card"]
