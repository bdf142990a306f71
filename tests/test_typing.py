"""The public API is typed: mypy --strict finds nothing in the package."""

from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[1]


def test_the_package_is_mypy_strict_clean() -> None:
    stdout, stderr, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), str(ROOT / "src" / "hokensho_rules")])
    assert status == 0, stdout + stderr
