"""Shared fixtures: one real Rulebook for the session (loading and compiling is the slow part)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from rule_files import copy_rules, without_lost_card_override

import hokensho_rules as hr

settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("quick", settings.get_profile("ci"), max_examples=100)
settings.register_profile("dev", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# CI runs "ci" on Python 3.11 and "quick" (the same examples, fewer) on the others, whose
# risks are the engine's build and binding, not what Hypothesis finds. "dev" draws anew.
settings.load_profile(os.environ.get("HOKENSHO_HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def book() -> hr.Rulebook:
    return hr.Rulebook.load()


@pytest.fixture()
def rules_copy(tmp_path: Path) -> Path:
    """A copy of the shipped rule files, to edit."""
    return copy_rules(tmp_path)


@pytest.fixture(scope="session")
def conflicting_book(tmp_path_factory: pytest.TempPathFactory) -> hr.Rulebook:
    """The seed with PC-4.lost's override removed: a lost card is a conflict (rule_files.lost_card)."""
    root = without_lost_card_override(copy_rules(tmp_path_factory.mktemp("conflict")))
    return hr.Rulebook.load(["seed"], root=root)


# Figures a test measured, shown at the end of the run so CI reports them.
REPORTS = pytest.StashKey[list[str]]()


@pytest.fixture
def report(request: pytest.FixtureRequest) -> list[str]:
    return request.config.stash.setdefault(REPORTS, [])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    lines = config.stash.get(REPORTS, [])
    if lines:
        terminalreporter.section("measured")
        for line in lines:
            terminalreporter.write_line(line)
