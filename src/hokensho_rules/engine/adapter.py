"""The only module that touches durable-rules, and the sharp edges it steers around.

We drive the C core directly: no ``Host``, so no timer threads that could run actions
concurrently; one fixed state per ruleset that is never deleted (deleting a state
that never started an action frees uninitialised memory); each fact is asserted,
its fired rules drained, and exactly the same JSON retracted. The C core keeps process-wide state, so its calls
run one at a time under one lock: parallelism takes processes, one engine each.

Only the six entry points bound below are ever called. In particular none of the
``set_*_callback`` functions (storage and queue callbacks) is: they are the only code
in the extension that calls ``PyEval_CallObject``, which Python 3.13 removed, so on
3.13 and later that symbol stays unresolved and calling one would kill the process
(see :func:`_load_core`). ``tests/test_engine_guard.py`` keeps it that way.
"""

from __future__ import annotations

import importlib
import itertools
import json
import os
import sys
import threading
import weakref
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from ..facts.errors import EngineError
from ..facts.record import Value

__all__ = ["ENTRY_POINTS", "DurableRuleset"]

# The extension's functions this module uses; nothing else of it is reachable from here.
ENTRY_POINTS = (
    "create_ruleset",
    "delete_state",
    "delete_ruleset",
    "assert_fact",
    "start_action_for_state",
    "complete_and_start_action",
    "retract_fact",
)


def _load_core() -> ModuleType:
    """Import durable-rules' C extension, with lazy symbol binding on Python 3.13+.

    durable-rules 2.0.28 references ``PyEval_CallObject`` from its storage and queue
    callbacks; 3.13 removed it, so the default eager binding (``RTLD_NOW``) refuses to
    load the extension. With lazy binding an unresolved function is looked up on its
    first call only, and this library never calls one that needs it. Before 3.13 every
    symbol exists, so we keep the interpreter's default there: eager binding would
    still report a broken build at import instead of at some later call.
    """
    lazy = sys.version_info >= (3, 13) and hasattr(sys, "setdlopenflags")
    if not lazy:
        return importlib.import_module("durable_rules_engine")
    old = sys.getdlopenflags()
    # RTLD_LAZY and RTLD_NOW are the two binding modes: swap one for the other and keep
    # the rest of the flags (e.g. RTLD_GLOBAL) as the interpreter set them.
    sys.setdlopenflags((old & ~os.RTLD_NOW) | os.RTLD_LAZY)
    try:
        return importlib.import_module("durable_rules_engine")
    except ImportError as error:
        if "PyEval_CallObject" in str(error):
            raise ImportError(
                f"durable-rules could not be loaded on Python {sys.version_info.major}.{sys.version_info.minor} "
                "with lazy symbol binding; is LD_BIND_NOW set in the environment? Unset it: "
                f"the extension references PyEval_CallObject, which this Python no longer has ({error})"
            ) from error
        raise
    finally:
        sys.setdlopenflags(old)


_core = _load_core()
_create_ruleset: Callable[[str, str], int] = _core.create_ruleset
_delete_state: Callable[[int, str | None], None] = _core.delete_state
_delete_ruleset: Callable[[int], None] = _core.delete_ruleset
_assert_fact: Callable[[int, str], tuple[int, int]] = _core.assert_fact
_start_action_for_state: Callable[[int, int], tuple[str, str] | None] = _core.start_action_for_state
_complete_and_start_action: Callable[[int, int], str | None] = _core.complete_and_start_action
_retract_fact: Callable[[int, str], object] = _core.retract_fact
_CoreError: type[Exception] = _core.error
del _core  # the callbacks must stay out of reach: see the module docstring

# The C core keeps process-wide state; one lock makes a ruleset safe to share between
# threads (parallelism is by processes, each with its own rulesets).
_LOCK = threading.Lock()
_NAMES = itertools.count()
_ASSERTED_OK = (0, 1)  # 0: actions pending, 1: nothing fired; 2 would mean "already observed"
# What the C core's error codes (rules.h) mean for a rulebook, for the messages.
_CODES = {
    "112": "too many rulesets alive in this process",
    "113": "a rule's branch has more than 31 expressions (nest `any` less deeply, or split the rule)",
    "202": "the fact is not JSON the engine reads",
    "204": "the fact is not JSON the engine reads",
    "302": "the fact has more than 254 properties",
    "303": "more than 64 conditions hold at once at one level of the ruleset (fewer rules or `any` options per question)",
}


def _explained(error: Exception) -> str:
    text = str(error)
    code = text.rsplit(" ", 1)[-1]
    return f"{text}: {_CODES[code]}" if code in _CODES else text


class _Handle:
    """A ruleset handle, and whether an action was ever started on its one state."""

    __slots__ = ("number", "started")

    def __init__(self, number: int):
        self.number = number
        self.started = False


def _release(handle: _Handle) -> None:
    """Free a ruleset in the C core: its state, then the ruleset itself.

    Runs when a DurableRuleset is garbage collected (or replaced after an error), so
    that re-loading a Rulebook, as a re-run notebook cell does, does not keep every old
    compiled ruleset and its state (about 2 MB a Rulebook) for the life of the process.
    ``delete_ruleset`` frees the ruleset but not its states, so the state goes first;
    ``createStateNode`` leaves the state's action context uninitialised until an action
    starts, so a state on which none ever started is left alone (deleting it would
    free garbage pointers). No lock: the handle is unreachable by then, each C
    call runs whole under the GIL, and a finalizer may run inside ``fire`` on this
    thread while _LOCK is held.
    """
    try:
        if handle.started:
            _delete_state(handle.number, None)  # None: the default state "0", the one we use
        _delete_ruleset(handle.number)
    except _CoreError:  # already gone: nothing to free
        pass


class DurableRuleset:
    """A compiled ruleset; :meth:`fire` answers which of its rules a fact satisfies."""

    def __init__(self, definition: Mapping[str, Any]):
        self._json = json.dumps(definition, ensure_ascii=False)
        self._name = f"hokensho_{next(_NAMES)}"
        self._handle = self._create()

    def _create(self) -> _Handle:
        try:
            handle = _Handle(_create_ruleset(self._name, self._json))
        except _CoreError as error:
            raise EngineError(f"durable-rules refused ruleset {self._name}: {_explained(error)}") from None
        self._release = weakref.finalize(self, _release, handle)
        self._release.atexit = False  # the process frees everything when it ends
        return handle

    def fire(self, fact: Mapping[str, Value]) -> list[str]:
        """Names of the rules whose patterns ``fact`` satisfies, in firing order."""
        text = json.dumps(fact, ensure_ascii=False, separators=(",", ":"))
        with _LOCK:
            try:
                return self._assert_drain_retract(text)
            except BaseException as error:
                # Leave no half-processed fact behind for the next member: a new handle
                # replaces the old one, which is freed.
                old = self._release
                self._handle = self._create()
                old()
                if isinstance(error, _CoreError):
                    raise EngineError(f"durable-rules failed on member {fact.get('id')}: {_explained(error)}") from None
                raise

    def _assert_drain_retract(self, text: str) -> list[str]:
        handle = self._handle
        code, state = _assert_fact(handle.number, text)
        if code not in _ASSERTED_OK:
            raise EngineError(f"durable-rules refused a fact (code {code})")
        fired: list[str] = []
        try:
            result = _start_action_for_state(handle.number, state)
            if result:
                handle.started = True
            message = result[1] if result else None
            while message:
                # A message is {"<rule name>": {...}}: the name is the first key.
                fired.append(message[2 : message.index('"', 2)])
                message = _complete_and_start_action(handle.number, state)
        finally:
            _retract_fact(handle.number, text)
        return fired
