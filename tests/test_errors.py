"""Every error class of the library survives pickling: a worker process, a Dask task or a
cache hands back the error that was raised, with its message and attributes, never a
``TypeError`` from rebuilding it (the default calls the class with its formatted message)."""

from __future__ import annotations

import errno
import importlib
import inspect
import io
import multiprocessing
import pickle
import pkgutil
from concurrent.futures import ProcessPoolExecutor
from typing import NoReturn

from hypothesis import given
from hypothesis import strategies as st

import hokensho_rules as hr
from hokensho_rules.cli.options import Failed, InputError
from hokensho_rules.facts.errors import (
    ConflictError,
    DecisionError,
    EngineError,
    GapError,
    HokenshoError,
    RuleFileError,
    WorkerDied,
)
from hokensho_rules.law.calendar import WarekiError
from hokensho_rules.law.settings import ParameterError
from hokensho_rules.membership.columns import SchemaError
from hokensho_rules.prove import ProverUnavailable
from hokensho_rules.prove._encode import ProofError
from hokensho_rules.render.atomic import OutputError, Terminated
from hokensho_rules.render.charts import ChartsUnavailable
from hokensho_rules.serve.requests import Problem, RequestError

texts = st.text(max_size=40)
maybe = st.none() | texts
MY_NUMBER = "123456789018"  # its check digit is right
# My Numbers among the texts: a message withholds them, and so must the rebuilt one.
words = texts | st.sampled_from([MY_NUMBER, f"member {MY_NUMBER} on R7"])
decision = dict(member_id=words, question=texts, on=st.dates(), rule_ids=st.lists(texts, max_size=3).map(tuple),
                message=words)

ERRORS: dict[type[BaseException], st.SearchStrategy[BaseException]] = {
    cls: st.builds(cls, **decision) for cls in (DecisionError, ConflictError, GapError)
}
ERRORS |= {cls: st.builds(cls, words) for cls in (HokenshoError, EngineError, ParameterError, SchemaError,
                                                  WarekiError, ProverUnavailable, ProofError, ChartsUnavailable, Failed,
                                                  InputError)}
ERRORS |= {
    RuleFileError: st.builds(RuleFileError, texts.filter(lambda t: "\x00" not in t), words, rule_id=maybe,
                             field=maybe),
    WorkerDied: st.builds(WorkerDied, st.integers(1, 10**7), st.integers(1, 10**7), st.none() | st.integers(-64, 255)),
    OutputError: st.builds(OutputError, texts, st.builds(OSError, st.sampled_from(sorted(errno.errorcode)), texts)),
    Terminated: st.builds(Terminated, st.sampled_from([2, 15])),
    RequestError: st.builds(RequestError, st.lists(st.builds(Problem, field=maybe, member=st.none() | st.integers(1),
                                                             problem=words), min_size=1, max_size=3)),
}


def _public_errors() -> set[type[BaseException]]:
    found: set[type[BaseException]] = set()
    for module in pkgutil.walk_packages(hr.__path__, "hokensho_rules."):
        for name, value in vars(importlib.import_module(module.name)).items():
            if (inspect.isclass(value) and issubclass(value, BaseException) and not name.startswith("_")
                    and value.__module__.startswith("hokensho_rules")):
                found.add(value)
    return found


def test_every_error_class_of_the_package_is_covered() -> None:
    assert _public_errors() == set(ERRORS)


def _pickled(error: BaseException) -> bytes:
    # Importing distributed (hokensho_rules.dask) makes tblib register a reducer for every
    # exception class in copyreg's table; a process without it uses the classes' own.
    stream = io.BytesIO()
    pickler = pickle.Pickler(stream)
    pickler.dispatch_table = {}
    pickler.dump(error)
    return stream.getvalue()


def _same(error: BaseException, back: BaseException) -> None:
    assert type(back) is type(error)
    assert str(back) == str(error) and back.args == error.args
    assert vars(back) == vars(error)


@given(st.one_of(*ERRORS.values()))
def test_an_error_is_the_same_after_pickling(error: BaseException) -> None:
    back = pickle.loads(_pickled(error))
    _same(error, back)
    if isinstance(error, HokenshoError):
        assert MY_NUMBER not in str(back)


def test_an_error_raised_in_a_worker_process_reaches_the_caller_as_it_was() -> None:
    raised = RuleFileError("rules/x.yaml", "bad", rule_id="A-1", field="when.all")
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        back = pool.submit(_raise, raised).exception(timeout=120)
    assert back is not None
    _same(raised, back)


def _raise(error: BaseException) -> NoReturn:
    raise error
