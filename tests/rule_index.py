"""The ids of the project's rule index (``rules/seed/index.yaml``), grouped by kind.

Tests that check every id is encoded and tested read them from the project's own files.
"""

from __future__ import annotations

import re

import hokensho_rules as hr

_INDEX = next(source for source in hr.Rulebook.load(["seed"]).sources.values() if source.index)
IDS = frozenset(_INDEX.sections)


def _kind(pattern: str) -> frozenset[str]:
    return frozenset(i for i in IDS if re.fullmatch(pattern, i))


PART_B = _kind(r"B-\d+")  # later official changes, one pack each
INTERPRETATIONS = _kind(r"I-\d+")
RULINGS = _kind(r"X-\d+")  # rulings after the first legal review
PART_A = IDS - PART_B - INTERPRETATIONS - RULINGS  # what the seed notice says
