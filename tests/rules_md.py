"""The ids of RULES.md, for tests that check every one is encoded and tested.

Kept here because the domain notes are not shipped with the code.
"""

from __future__ import annotations


def _ids(prefix: str, count: int) -> set[str]:
    return {f"{prefix}{n}" for n in range(1, count + 1)}


PART_A = (
    _ids("PC-", 7) | _ids("MN-", 4) | _ids("EC-", 6) | _ids("EN-", 6) | _ids("R", 6)
    | _ids("ML-", 3) | _ids("OS-", 3) | _ids("EM-", 3)
)
PART_B = _ids("B-", 7)
