"""A user's own parameter values (an insurer's settings, a what-if), read and checked.

Every parameter of ``rules/`` has a default there, with its citation; a parameter file
(YAML or JSON, ``name: value``) or a mapping given to ``Rulebook.load(parameters=...)``
replaces the values of the parameters it names. A value is one value (it then applies
on every day) or a list of dated values as in a rule file
(``[{value: 2026-03-31}, {since: 2026-03-19, value: 2026-07-31}]``). Each is checked
against what the parameter accepts — a date, a whole number (0 or more), or one of its
choices — and a wrong one raises :class:`ParameterError` naming the parameter, what it
accepts and what was given, in Japanese and English.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import yaml

from ..facts.errors import HokenshoError, RuleFileError
from ..facts.privacy import shown
from .loader import read_yaml
from .schema import Parameter

__all__ = ["Overrides", "ParameterError", "accepts", "apply_overrides", "read_overrides"]

Value = date | int | str
# Per parameter, its dated values (None: from the beginning); hashable, so a Law with
# overrides can be cached and pickled by reference.
Overrides = tuple[tuple[str, tuple[tuple[date | None, Value], ...]], ...]


class ParameterError(HokenshoError, ValueError):
    """A parameter value given by the user that the parameter does not accept."""


def accepts(parameter: Parameter) -> tuple[str, str]:
    """What ``parameter`` accepts, in Japanese and English."""
    if parameter.kind == "date":
        return "日付（例: 2026-07-31）", "a date (e.g. 2026-07-31)"
    if parameter.kind == "number":
        return "0以上の整数", "a whole number, 0 or more"
    if not parameter.choices:
        return "文字列", "a text"
    listed = ", ".join(f"{key!r}" for key in parameter.choices)
    labels = "、".join(f"{key}（{label.ja}）" for key, label in parameter.choices.items())
    return f"次のいずれか: {labels}", f"one of {listed}"


def _fail(name: str, parameter: Parameter, got: object, where: str) -> ParameterError:
    ja, en = accepts(parameter)
    return ParameterError(
        f"{where}parameter {name!r} ({parameter.title.en}) accepts {en}; got {shown(got)} / "
        f"パラメータ {name}（{parameter.title.ja}）に指定できるのは{ja}です（指定された値: {shown(got)}）"
    )


def _value(name: str, parameter: Parameter, raw: object, where: str) -> Value:
    kind = parameter.kind
    if kind == "date":
        day = _day(raw)
        if day is not None:
            return day
    elif kind == "number":
        if type(raw) is int and raw >= 0:
            return raw
    else:
        # YAML 1.1 reads an unquoted yes / no as a boolean: take it as the word.
        if type(raw) is bool and ("yes" if raw else "no") in parameter.choices:
            return "yes" if raw else "no"
        if isinstance(raw, str) and raw and (raw in parameter.choices or not parameter.choices):
            return raw
    raise _fail(name, parameter, raw, where)


def _day(raw: object) -> date | None:
    if type(raw) is date:
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            return None
    return None


def _dated(name: str, parameter: Parameter, raw: object, where: str) -> tuple[tuple[date | None, Value], ...]:
    if not isinstance(raw, list):
        return ((None, _value(name, parameter, raw, where)),)
    values: list[tuple[date | None, Value]] = []
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping) or "value" not in item or set(item) - {"since", "value"}:
            raise ParameterError(
                f"{where}parameter {name!r}[{i}] must be {{since: DAY, value: VALUE}} (the first without since); "
                f"got {shown(item)} / パラメータ {name} の{i + 1}番目は {{since: 日付, value: 値}} の形で指定してください"
            )
        since = _day(item.get("since"))
        if (since is None) != (i == 0):
            raise ParameterError(
                f"{where}parameter {name!r}[{i}]: since={shown(item.get('since'))}; the first value takes no since, "
                f"each later one a date (e.g. 2026-03-19) / パラメータ {name}: 最初の値以外は since に日付を指定してください"
            )
        values.append((since, _value(name, parameter, item["value"], where)))
    if not values:
        raise ParameterError(f"{where}parameter {name!r} got an empty list / パラメータ {name} の値がありません")
    return tuple(values)


def read_overrides(source: Mapping[str, object] | str | Path, parameters: Mapping[str, Parameter]) -> Overrides:
    """The overrides that ``source`` (a mapping, or the path of a YAML or JSON file) gives.

    Raises :class:`ParameterError` for a parameter that the loaded packs do not have or a
    value it does not accept; a file that cannot be read as YAML raises RuleFileError.
    """
    where = ""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"parameters={shown(str(path))}: no such file")
        try:
            raw: object = read_yaml(path)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = f" line {mark.line + 1}" if mark is not None else ""
            raise ParameterError(f"{path.name}:{line} is not YAML or JSON / YAML・JSONとして読めません") from None
        where = f"{path.name}: "
        if raw is None:
            raw = {}
    else:
        raw = source
    if isinstance(raw, Mapping) and set(raw) == {"parameters"} and isinstance(raw["parameters"], Mapping):
        raw = raw["parameters"]
    if not isinstance(raw, Mapping):
        raise ParameterError(
            f"{where}parameters must be a mapping of parameter name to value, got {shown(raw)} / "
            "パラメータは「名前: 値」の形で指定してください"
        )
    found: list[tuple[str, tuple[tuple[date | None, Value], ...]]] = []
    for name, value in raw.items():
        parameter = parameters.get(name) if isinstance(name, str) else None
        if parameter is None:
            close = difflib.get_close_matches(str(name), list(parameters), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ParameterError(
                f"{where}unknown parameter {shown(name)}{hint}: the loaded packs have {len(parameters)} parameters "
                f"(hokensho-rules rules parameters lists them) / パラメータ {shown(name)} は読み込んだ規則にありません"
            )
        found.append((name, _dated(name, parameter, value, where)))
    return tuple(sorted(found))


def apply_overrides(parameters: Mapping[str, Parameter], overrides: Overrides, path: Path) -> dict[str, Parameter]:
    """``parameters`` with the values ``overrides`` gives (checked again as the schema checks a file)."""
    out = dict(parameters)
    for name, values in overrides:
        try:
            out[name] = Parameter.model_validate(
                {**parameters[name].model_dump(by_alias=True),
                 "values": [{"value": v} if s is None else {"since": s, "value": v} for s, v in values]}
            )
        except ValueError as error:
            raise ParameterError(f"parameter {name!r}: {error} / パラメータ {name} の値が正しくありません") from None
        except KeyError:
            raise RuleFileError(path, f"parameter {name!r} is not defined") from None
    return out
