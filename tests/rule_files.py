"""Rule files written or changed by tests: a copy of the shipped rules to edit, and a
one-question rulebook of test rules (for the engine's and the loader's edges)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import yaml

import hokensho_rules as hr
from hokensho_rules.law.loader import rules_dir


def copy_rules(tmp_path: Path) -> Path:
    """A copy of the shipped rule files under ``tmp_path``, to edit."""
    target = tmp_path / "rules"
    shutil.copytree(rules_dir(), target)
    return target


def edit_rule(root: Path, file: str, rule_id: str, **changes: object) -> Path:
    """Change (or, with None, remove) fields of one rule in ``root/file``; the file's path."""
    path = root / file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rule = next(r for r in data["rules"] if r["id"] == rule_id)
    for key, value in changes.items():
        if value is None:
            rule.pop(key, None)
        else:
            rule[key] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def without_lost_card_override(root: Path) -> Path:
    """``root`` with PC-4.lost's override removed: it then conflicts with PC-2 for :func:`lost_card`."""
    edit_rule(root, "seed/paper_card.yaml", "PC-4.lost", overrides=None)
    return root


def lost_card(member_id: str) -> hr.Member:
    """A member whose paper card was lost on 2025-01-05 (the case PC-4.lost decides)."""
    card = hr.PaperCard(issued_on=date(2020, 4, 1), lost_on=date(2025, 1, 5))
    return hr.Member(id=member_id, kind="insured", enrolled_on=date(2020, 4, 1), paper_card=card)


def eligibility_rule(rid: str, when: list[object], outcome: str = "yes") -> dict[str, object]:
    """A rule of member.eligible for :func:`write_rulebook`."""
    return {"id": rid, "implements": ["T"], "title": {"ja": "規則", "en": "rule"},
            "citation": {"source": "s", "sections": ["1"]}, "question": "member.eligible",
            "when": when, "outcome": outcome}


def write_rulebook(root: Path, rules: list[dict[str, object]], **extra: object) -> Path:
    """``root/seed/test.yaml``: one question (member.eligible), one source, ``rules``; returns ``root``."""
    document = {
        "title": {"ja": "試験", "en": "Test"},
        "sources": {"s": {"title": {"ja": "出典", "en": "Source"}, "index": True,
                           "sections": {"1": {"ja": "1", "en": "1"}, "T": {"ja": "試験", "en": "test"}}}},
        "questions": [{"id": "member.eligible", "title": {"ja": "資格", "en": "Eligible"},
                       "outcomes": {"yes": {"ja": "あり", "en": "yes"}, "no": {"ja": "なし", "en": "no"}}}],
        "facts": {"date": {"ja": "判定日", "en": "date"}, "member.enrolled_on": {"ja": "取得日", "en": "enrolled"},
                  "member.employer": {"ja": "事業所", "en": "employer"}, "member.kind": {"ja": "種別", "en": "kind"}},
        "rules": rules,
        **extra,
    }
    (root / "seed").mkdir(parents=True)
    (root / "seed" / "test.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return root
