"""Loading rule files: malformed files and rulebooks fail with errors naming file, rule and field."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from rule_files import edit_rule
from rule_index import IDS, PART_A, PART_B, RULINGS

import hokensho_rules as hr


def test_every_rule_cites_a_section_of_a_known_source_and_implements_ids_of_the_index(book: hr.Rulebook) -> None:
    for rule in book.rules.values():
        source = book.sources[rule.citation.source]
        assert rule.citation.sections, rule.id
        assert not source.sections or set(rule.citation.section_keys()) <= set(source.sections), rule.id
        assert rule.implements and set(rule.implements) <= IDS, rule.id
        assert rule.title.ja and rule.title.en


def test_every_source_has_a_title_and_a_publisher_in_both_languages(book: hr.Rulebook) -> None:
    for key, source in book.sources.items():
        assert source.title.ja and source.title.en and source.publisher is not None, key


def test_every_id_of_the_seed_and_every_ruling_is_named_by_a_rule_or_a_parameter() -> None:
    seed = hr.Rulebook.load(["seed"])
    named = {i for rule in hr.Rulebook.load().rules.values() for i in rule.implements}
    named |= {i for p in seed.parameters.values() for i in p.implements}
    assert sorted(PART_A - named) == []
    assert sorted(RULINGS - named - set(OUTSIDE_RULES)) == []


# Rulings about what the library does around the rules, each cited by the module that encodes it.
OUTSIDE_RULES = {
    "X-17": "facts/known.py",  # every rule also reads as known on the day
    "X-22": "membership/columns.py",
    "X-23": "render/decision.py",
}


def test_a_ruling_encoded_outside_the_rule_files_is_cited_by_its_module() -> None:
    package = Path(hr.__file__).parent
    for ruling, module in OUTSIDE_RULES.items():
        assert ruling in (package / module).read_text(encoding="utf-8"), (ruling, module)


def test_questions_are_evaluated_after_the_questions_they_read(book: hr.Rulebook) -> None:
    position = {q: i for i, group in enumerate(book.strata) for q in group}
    assert position["member.eligible"] < position["paper_card.usable"]
    assert position["certificate.usable"] < position["certificate.issuance"] < position["certificate.delivery"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"outcome": "maybe"}, "outcome", "'maybe' is not an outcome"),
        ({"question": "paper_card.colour"}, "question", "unknown question"),
        ({"when": [{"fact": "paper_card.colour", "eq": "red"}]}, "when[0].fact", "unknown fact"),
        ({"when": [{"fact": "paper_card.issued_on", "lte": {"param": "nope"}}]}, "when[0].lte", "unknown parameter"),
        ({"when": [{"fact": "paper_card.issued_on", "eq": True}]}, "when[0].eq", "is a date, compared with True"),
        ({"when": [{"fact": "member.kind", "lt": "insured"}]}, "when[0].lt", "only eq and ne apply"),
        ({"when": [{"fact": "member.kind", "eq": "retired"}]}, "when[0].eq", "'retired' is not one of"),
        ({"overrides": ["MN-1"]}, "overrides", "'MN-1' is not a rule of paper_card.usable"),
        ({"citation": {"source": "rumour", "sections": ["x"]}}, "citation.source", "unknown source"),
        ({"citation": {"source": "seed", "sections": ["§99"]}}, "citation.sections", "'seed' has no section '§99'"),
        ({"implements": ["PC-99"]}, "implements", "not ids of the rule index: PC-99"),
    ],
)
def test_a_rule_referencing_something_unknown_names_file_rule_and_field(
    rules_copy: Path, changes: dict[str, object], field: str, message: str
) -> None:
    path = edit_rule(rules_copy, "seed/paper_card.yaml", "PC-2.not_held", **changes)
    with pytest.raises(hr.RuleFileError) as caught:
        hr.Rulebook.load(["seed"], root=rules_copy)
    error = caught.value
    assert (error.path, error.rule_id, error.field) == (path, "PC-2.not_held", field)
    assert message in str(error) and "paper_card.yaml" in str(error) and "PC-2.not_held" in str(error)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": None}, "title"),
        ({"when": [{"fact": "paper_card.issued_on"}]}, "when.0"),
        ({"when": [{"fact": "paper_card.issued_on", "lt": "2024-01-01", "gt": "2020-01-01"}]}, "when.0"),
        ({"in_force": {"since": "2024-12-02"}}, "in_force.since"),
        ({"id": "pc three"}, "id"),
    ],
)
def test_a_malformed_rule_names_file_rule_and_field(rules_copy: Path, changes: dict[str, object], field: str) -> None:
    path = edit_rule(rules_copy, "seed/paper_card.yaml", "PC-3", **changes)
    with pytest.raises(hr.RuleFileError) as caught:
        hr.Rulebook.load(["seed"], root=rules_copy)
    assert caught.value.path == path
    assert caught.value.field == field
    assert caught.value.rule_id in ("PC-3", "pc three")


def test_a_duplicate_rule_id_names_both_files(rules_copy: Path) -> None:
    edit_rule(rules_copy, "seed/paper_card.yaml", "PC-3", id="MN-4")
    with pytest.raises(hr.RuleFileError, match="MN-4.*also used in .*my_number_card.yaml"):
        hr.Rulebook.load(["seed"], root=rules_copy)


def test_questions_reading_each_other_are_a_cycle(rules_copy: Path) -> None:
    edit_rule(rules_copy, "seed/eligibility.yaml", "PC-5", when=[{"outcome": "paper_card.usable", "is": "no"}])
    with pytest.raises(hr.RuleFileError, match="cycle"):
        hr.Rulebook.load(["seed"], root=rules_copy)


def test_invalid_yaml_names_the_file(rules_copy: Path) -> None:
    (rules_copy / "seed" / "broken.yaml").write_text("rules: [\n", encoding="utf-8")
    with pytest.raises(hr.RuleFileError, match="broken.yaml: not valid YAML"):
        hr.Rulebook.load(["seed"], root=rules_copy)


def test_an_unknown_pack_lists_the_available_ones() -> None:
    with pytest.raises(ValueError, match="unknown pack 'B-99'; available: seed"):
        hr.Rulebook.load(["seed", "B-99"])


MEMBER = hr.Member(id="M7", kind="insured", enrolled_on=date(2020, 4, 1), paper_card=hr.PaperCard(issued_on=date(2020, 4, 1)))


def test_two_answers_without_an_override_are_a_conflict(rules_copy: Path) -> None:
    edit_rule(rules_copy, "seed/paper_card.yaml", "PC-4.lost", overrides=None)
    book = hr.Rulebook.load(["seed"], root=rules_copy)
    lost = MEMBER.model_copy(update={"paper_card": hr.PaperCard(issued_on=date(2020, 4, 1), lost_on=date(2025, 1, 5))})
    with pytest.raises(hr.ConflictError) as caught:
        book.evaluate(lost, on=date(2025, 1, 5))
    error = caught.value
    assert (error.member_id, error.question, error.on) == ("M7", "paper_card.usable", date(2025, 1, 5))
    assert set(error.rule_ids) == {"PC-2", "PC-4.lost"}
    assert "M7" in str(error) and "2025-01-05" in str(error) and "PC-4.lost says 'no'" in str(error)


def test_a_question_no_rule_answers_is_a_gap(rules_copy: Path) -> None:
    path = rules_copy / "seed" / "paper_card.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["rules"] = [r for r in data["rules"] if r["id"] != "PC-3"]
    for rule in data["rules"]:
        rule["overrides"] = [o for o in rule.get("overrides", ()) if o != "PC-3"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    book = hr.Rulebook.load(["seed"], root=rules_copy)
    with pytest.raises(hr.GapError, match=r"member M7, question paper_card.usable, on 2026-01-01: no rule"):
        book.evaluate(MEMBER, on=date(2026, 1, 1))


def test_evaluate_rejects_what_is_not_a_member_or_a_date(book: hr.Rulebook) -> None:
    with pytest.raises(TypeError, match="member must be a hokensho_rules.Member, got dict"):
        book.evaluate({"id": "M1"}, on=date(2025, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="on must be a datetime.date, got '2025-01-01'"):
        book.evaluate(MEMBER, on="2025-01-01")  # type: ignore[arg-type]


def test_every_part_b_change_is_its_own_pack_citing_its_own_source() -> None:
    seed = hr.Rulebook.load(["seed"])
    named: set[str] = set()
    for pack in hr.Rulebook.load().packs[1:]:
        book = hr.Rulebook.load(["seed", pack])
        added = [r for r in book.rules.values() if r.id not in seed.rules]
        own_sources = set(book.sources) - set(seed.sources)
        assert added and own_sources, pack
        # A pack cites its own official sources, or the project's rulings that bind every pack.
        index = {key for key, source in seed.sources.items() if source.index}
        assert all(r.citation.source in own_sources | index for r in added), pack
        changes = {i for r in added for i in r.implements if i in PART_B}
        assert len(changes) == 1, (pack, changes)
        named |= changes
    assert named == PART_B


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: hr.Rulebook.load("seed"), TypeError, "list of pack names"),
        (lambda: hr.Rulebook.load([]), ValueError, "packs is empty"),
        (lambda: hr.Rulebook.load(["seed", "b9_rumour"]), ValueError, "unknown pack 'b9_rumour'"),
        (lambda: hr.Rulebook.load(root="/nonexistent"), FileNotFoundError, "'/nonexistent' has no seed/ folder"),
    ],
)
def test_loading_bad_packs_or_roots_is_a_clear_error(call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_a_date_beyond_the_calendar_names_member_question_and_rule(book: hr.Rulebook) -> None:
    member = hr.Member(id="M9", kind="insured", enrolled_on=date(2020, 4, 1))
    with pytest.raises(ValueError, match="member M9, question certificate.issuance, on 9999-01-01: rule EC-1"):
        book.evaluate(member, date(9999, 1, 1))


def test_asking_some_questions_runs_only_what_they_need_and_gives_the_same_answers(book: hr.Rulebook) -> None:
    member = MEMBER.model_copy(update={"my_number_held": True})
    full = book.evaluate(member, date(2024, 10, 23))
    some = book.evaluate(member, date(2024, 10, 23), questions=["notice.status"])
    assert "notice.mailing" in some and "certificate.issuance" not in some
    assert {q: v.outcome for q, v in some.items()} == {q: full[q].outcome for q in some}
    with pytest.raises(ValueError, match="unknown: 'notice.colour'"):
        book.evaluate(member, date(2024, 10, 23), questions=["notice.colour"])
    with pytest.raises(TypeError, match="not a str"):
        book.evaluate(member, date(2024, 10, 23), questions="notice.status")


def test_rules_that_are_exceptions_to_each_other_in_a_circle_are_refused(rules_copy: Path) -> None:
    # Whether a rule stands would depend on itself (see resolve): the loader refuses it.
    edit_rule(rules_copy, "seed/paper_card.yaml", "PC-2", overrides=["PC-4.lost"])
    with pytest.raises(hr.RuleFileError, match="exceptions to each other in a circle: .*PC-") as caught:
        hr.Rulebook.load(["seed"], root=rules_copy)
    assert caught.value.field == "overrides"


@pytest.mark.parametrize(
    ("rule_id", "changes", "field", "message"),
    [
        ("PC-3", {"data": {"colour": "red"}}, "data.colour", "declares no datum 'colour'"),
        ("PC-3", {"data": {"institutions": "some"}}, "data.institutions", "'some' is not a labelled value"),
    ],
)
def test_every_datum_and_text_value_has_labels(
    rules_copy: Path, rule_id: str, changes: dict[str, object], field: str, message: str
) -> None:
    edit_rule(rules_copy, "seed/paper_card.yaml", rule_id, **changes)
    with pytest.raises(hr.RuleFileError, match=message) as caught:
        hr.Rulebook.load(["seed"], root=rules_copy)
    assert (caught.value.rule_id, caught.value.field) == (rule_id, field)


def test_a_fact_with_closed_values_has_a_label_for_each(rules_copy: Path) -> None:
    path = rules_copy / "seed" / "questions.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["facts"]["member.kind"]["values"]["dependant"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(hr.RuleFileError, match="'member.kind' has no label for its values dependant"):
        hr.Rulebook.load(["seed"], root=rules_copy)


def test_a_title_quotes_legal_dates_from_parameters_in_force(book: hr.Rulebook, rules_copy: Path) -> None:
    from hokensho_rules.render.words import rule_title

    assert "{paper_card_abolished_on}" in book.rules["PC-1"].title.ja
    assert rule_title(book.rules["PC-1"], book.law, date(2025, 1, 1), "ja").startswith("令和6年12月2日以降")
    assert rule_title(book.rules["PC-1"], book.law, date(2025, 1, 1), "en").endswith("on or after 2024-12-02")
    edit_rule(rules_copy, "seed/paper_card.yaml", "PC-1", title={"ja": "{no_such_day}以降", "en": "from {no_such_day}"})
    with pytest.raises(hr.RuleFileError, match="quotes no_such_day, not parameters"):
        hr.Rulebook.load(["seed"], root=rules_copy)


def test_nothing_cites_a_design_note_that_is_not_in_the_repository() -> None:
    # The project's design notes are not shipped: a reader can follow a citation only into this repository.
    root = Path(__file__).resolve().parents[1]
    notes = [name + ".md" for name in ("RULES", "ENGINE", "ARCHITECTURE")]  # spelled apart: this file names them
    places = [root / "README.md", root / "pyproject.toml"] + [
        path for folder in ("src", "rules", "tests", "docs", "examples", "benchmarks")
        for path in (root / folder).rglob("*")
        if path.suffix in {".py", ".md", ".yaml", ".yml", ".toml", ".txt"} and "_build" not in path.parts
    ]
    cited = [f"{path.relative_to(root)}: {note}" for path in places for note in notes
             if note in path.read_text(encoding="utf-8")]
    assert not cited, cited
