"""A row's problem in a clerk's words, in Japanese and English: what is wrong and what is allowed.

Never a regular expression, never pydantic's own wording: each kind of problem the
models or the file readers find has its sentence here, naming the column as the
file's header writes it. Values are not quoted in these sentences (a RowError holds
the value, shortened and withheld when it may be a My Number: ``facts/privacy.py``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

__all__ = ["MAX_LINE", "MY_NUMBER", "Problem", "cell_count", "cell_problem", "decision_problem", "line_too_long",
           "not_json", "validation_problem"]

MAX_LINE = 1 << 17
"""The longest line (in characters) a membership file may hold: 131,072, the CSV module's
own limit for one cell. A member's row is a few hundred characters."""


class Problem(NamedTuple):
    """One problem, in English and in Japanese."""

    en: str
    ja: str


# What each id column allows, in words (the patterns are in facts/member.py).
_ALLOWED = {
    "id": Problem("a member id is 1 to 64 characters: letters A–Z a–z, digits 0–9 and . _ : -",
                  "加入者番号は半角英数字と . _ : - の1〜64文字で書いてください"),
    "employer": Problem("an employer id is 1 to 200 characters: letters or digits (Japanese too) and . _ : -, "
                        "starting with a letter or digit",
                        "事業所は文字・数字（日本語も可）と . _ : - の1〜200文字で、先頭は文字か数字にしてください"),
    "household": Problem("a household id is 1 to 200 characters: letters or digits (Japanese too) and . _ : -, "
                         "starting with a letter or digit",
                         "世帯は文字・数字（日本語も可）と . _ : - の1〜200文字で、先頭は文字か数字にしてください"),
}

MY_NUMBER = Problem(
    "this looks like a My Number (12 digits with a valid check digit); hokensho-rules never takes one: "
    "write the insurer's own id. The value is not shown",
    "個人番号（マイナンバー）と思われる12桁の番号です。個人番号は使えません。保険者の番号を書いてください（値は表示しません）",
)

_ORDER = re.compile(r"^(?P<later>[\w.]+)=(?P<b>[\d-]+) must be (?P<rel>on or after|after) (?P<earlier>[\w.]+)=(?P<a>[\d-]+)$")


def line_too_long() -> Problem:
    """A line longer than :data:`MAX_LINE` characters."""
    return Problem(f"the line is longer than {MAX_LINE:,} characters: not a member's row; check the export",
                   f"行が長すぎます（{MAX_LINE:,}文字を超えています）。会員の行ではありません。出力元を確認してください")


def not_json(reason: str) -> Problem:
    """A JSON line that is not one JSON object; ``reason`` is ``malformed``, ``nested`` or ``not_object``."""
    if reason == "nested":
        return Problem("the line is nested too deeply to be a member: one flat JSON object per line is expected",
                       "入れ子が深すぎます。1行に1つの平らなJSONオブジェクトを書いてください")
    if reason == "not_object":
        return Problem('the line is JSON but not an object: write one object per line, like {"id": "M1", …}',
                       '1行に1つのJSONオブジェクト（{"id": "M1", …} の形）を書いてください')
    return Problem('the line is not valid JSON: write one object per line, like {"id": "M1", …}',
                   'JSONとして読めません。1行に1つのJSONオブジェクト（{"id": "M1", …} の形）を書いてください')


def cell_count(found: int, expected: int) -> Problem:
    """A CSV row with more or fewer cells than the header has columns."""
    return Problem(f"{found} cells for {expected} columns: every row needs one cell per column of the header",
                   f"列の数が合いません（{expected}列に対して{found}個）。見出しの列ごとに1つずつ値を書いてください")


def cell_problem(kind: str) -> Problem:
    """A cell that cannot be read as its column's kind (``date``, ``bool``, ``kind``, ``text``, ``datetime``)."""
    return {
        "date": Problem("not a date: write 2020-04-01, 2020/04/01 or 令和2年4月1日",
                        "日付として読めません。2020-04-01、2020/04/01 または 令和2年4月1日 の形で書いてください"),
        "datetime": Problem("a date without a time is expected", "時刻のない日付を書いてください"),
        "bool": Problem("not a flag: write true/false, 1/0 or 有/無", "有無として読めません。true/false、1/0 または 有/無 で書いてください"),
        "kind": Problem("not a kind: write insured/dependant or 被保険者/被扶養者",
                        "区分として読めません。被保険者/被扶養者（insured/dependant）で書いてください"),
        "text": Problem("a text is expected here, not a number, list or object",
                        "ここには文字を書いてください（数値・リスト・オブジェクトは使えません）"),
    }[kind]


def validation_problem(detail: Mapping[str, Any], column: str, header_of: Mapping[str, str]) -> Problem:
    """The clerk's words for one of pydantic's error details about ``column`` (as the file writes it).

    ``header_of`` maps a field (``loss_on``, ``paper_card.issued_on``) to the file's header for it.
    """
    kind = str(detail.get("type", ""))
    field = ".".join(str(part) for part in detail.get("loc", ()))
    context = detail.get("ctx") or {}
    if kind == "my_number":
        return MY_NUMBER
    if kind == "missing":
        document = field.split(".")[0] if "." in field else None
        when_en = f" when any {document}.* cell is filled" if document else ""
        when_ja = f"（{document}.* の列のどれかに値があるとき）" if document else ""
        return Problem(f"{column} is required{when_en}", f"「{column}」は必須です{when_ja}")
    if kind in ("string_pattern_mismatch", "string_too_long", "string_too_short") and field in _ALLOWED:
        return _ALLOWED[field]
    if kind == "string_too_long":
        limit = context.get("max_length")
        return Problem(f"at most {limit} characters are allowed", f"{limit}文字以内で書いてください")
    if kind == "string_too_short":
        return Problem("an empty value is not allowed here", "空にはできません")
    if kind == "id_character":
        return Problem("control characters and line breaks are not allowed", "制御文字や改行は使えません")
    message = str(detail.get("msg", "")).removeprefix("Value error, ")
    order = _ORDER.match(message)
    if order:
        later = header_of.get(order["later"], order["later"])
        earlier = header_of.get(order["earlier"], order["earlier"])
        relation_ja = "以降" if order["rel"] == "on or after" else "より後"
        return Problem(f"{later} ({order['b']}) must be {order['rel']} {earlier} ({order['a']})",
                       f"「{later}」（{order['b']}）は「{earlier}」（{order['a']}）{relation_ja}の日付にしてください")
    if kind == "value_error":
        # The models' own checks (facts/member.py) already speak in fields and values.
        return Problem(message, f"項目の組み合わせが正しくありません: {message}")
    return Problem(f"{column}: this value is not allowed here", f"「{column}」のこの値は使えません")


_DECISION_JA = {
    "ConflictError": "規則どうしの答えが食い違い、この加入者は判定できません。規則ファイルを確認してください",
    "GapError": "答えを出す規則がなく、この加入者は判定できません。入力の日付と規則ファイルを確認してください",
    "EngineError": "規則エンジンがこの加入者の内容を受け付けませんでした",
    "SchemaError": "この行の項目名が使えません。hokensho-rules columns で使える列を確認してください",
}


def decision_problem(kind: str, english: str) -> str:
    """The Japanese words for a row that was read but could not be decided (``kind``: the error's
    class name); the English message, which names the rules or the column, follows in brackets."""
    ja = _DECISION_JA.get(kind, "この加入者は判定できません（日付が暦の範囲を超えるなど）")
    return f"{ja}（{english}）"
