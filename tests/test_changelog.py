"""The changelog names the version pyproject.toml states, and keeps rule changes apart
from code changes in every release."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHANGELOG = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def _releases() -> list[tuple[str, str]]:
    parts = re.split(r"^## \[([^\]]+)\]", CHANGELOG, flags=re.M)[1:]
    return list(zip(parts[::2], parts[1::2], strict=True))


def test_the_latest_release_is_the_version_of_the_package() -> None:
    stated = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    releases = [name for name, _ in _releases()]
    assert releases[0] == "Unreleased" and releases[1] == stated == version("hokensho-rules")
    assert re.search(rf"^## \[{re.escape(stated)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", CHANGELOG, re.M)


def test_every_release_says_apart_what_changed_in_the_rules_and_in_the_code() -> None:
    for name, body in _releases():
        assert body.index("### Rules") < body.index("### Code"), name
