"""Shared fixtures: one real Rulebook for the session (loading and compiling is the slow part)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

import hokensho_rules as hr

settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("dev", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci")


@pytest.fixture(scope="session")
def book() -> hr.Rulebook:
    return hr.Rulebook.load()
