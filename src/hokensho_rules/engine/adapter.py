"""The only module that touches durable-rules, and the sharp edges it steers around.

We drive the C core directly: no ``Host``, so no timer threads that could run actions
concurrently; one fixed state per ruleset that is never deleted (deleting a state
that never started an action frees uninitialised memory); each fact is asserted,
its fired rules drained, and exactly the same JSON retracted.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Mapping
from typing import Any

import durable_rules_engine as _core

from ..errors import EngineError
from ..flat import Scalar

__all__ = ["DurableRuleset"]

# The C core keeps process-wide state; one lock makes a ruleset safe to share between
# threads (parallelism is by processes, each with its own rulesets).
_LOCK = threading.Lock()
_NAMES = itertools.count()
_ASSERTED_OK = (0, 1)  # 0: actions pending, 1: nothing fired; 2 would mean "already observed"


class DurableRuleset:
    """A compiled ruleset; :meth:`fire` answers which of its rules a fact satisfies."""

    def __init__(self, definition: Mapping[str, Any]):
        self._json = json.dumps(definition, ensure_ascii=False)
        self._name = f"hokensho_{next(_NAMES)}"
        self._handle = self._create()

    def _create(self) -> int:
        try:
            handle: int = _core.create_ruleset(self._name, self._json)
        except _core.error as error:
            raise EngineError(f"durable-rules refused ruleset {self._name}: {error}") from None
        return handle

    def fire(self, fact: Mapping[str, Scalar]) -> list[str]:
        """Names of the rules whose patterns ``fact`` satisfies, in firing order."""
        text = json.dumps(fact, ensure_ascii=False, separators=(",", ":"))
        with _LOCK:
            try:
                return self._assert_drain_retract(text)
            except BaseException as error:
                # Leave no half-processed fact behind for the next member.
                self._handle = self._create()
                if isinstance(error, _core.error):
                    raise EngineError(f"durable-rules failed on member {fact.get('id')}: {error}") from None
                raise

    def _assert_drain_retract(self, text: str) -> list[str]:
        code, state = _core.assert_fact(self._handle, text)
        if code not in _ASSERTED_OK:
            raise EngineError(f"durable-rules refused a fact (code {code})")
        fired: list[str] = []
        try:
            result = _core.start_action_for_state(self._handle, state)
            message = result[1] if result else None
            while message:
                # A message is {"<rule name>": {...}}: the name is the first key.
                fired.append(message[2 : message.index('"', 2)])
                message = _core.complete_and_start_action(self._handle, state)
        finally:
            _core.retract_fact(self._handle, text)
        return fired
