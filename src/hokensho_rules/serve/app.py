"""The FastAPI application of ``hokensho-rules serve``: the library's answers as JSON.

Every answer is the Python API's own: ``POST /evaluate`` returns, per member,
:meth:`Decision.to_dict <hokensho_rules.Decision.to_dict>` of
:meth:`Rulebook.evaluate <hokensho_rules.Rulebook.evaluate>`; ``/explain`` its
``explain(lang)``; ``/actions`` the rows of :meth:`Rulebook.actions
<hokensho_rules.Rulebook.actions>`. Nothing is kept between requests: the rulebooks,
loaded once per set of packs, are immutable, and each request's members are decided
and forgotten.

Bodies are read here, up to ``max_body_bytes`` (413 beyond), and validated by
:func:`hokensho_rules.serve.requests.parse`; an error is JSON,
``{"error": "...", "problems": [{"field": ..., "member": ..., "problem": ...}]}``,
with the command line's words and never a value that could be a My Number.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import date
from importlib.metadata import version
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.exceptions import HTTPException

from ..facts.errors import DecisionError, RuleFileError
from ..facts.privacy import redact, shown
from ..law.schema import ParamRef, Rule
from ..render.words import Lang, rule_title
from ..rulebook.book import Rulebook
from .requests import ActionsRequest, EvaluateRequest, ExplainRequest, Problem, RequestError, parse

__all__ = ["DEFAULT_MAX_BODY_BYTES", "create_app"]

# 8 MiB: about 30,000 members of a few hundred bytes each, more than MAX_MEMBERS.
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
_MODELS: tuple[type[BaseModel], ...] = (EvaluateRequest, ExplainRequest, ActionsRequest)


class _Refused(Exception):
    def __init__(self, status: int, error: str, problems: list[Problem]) -> None:
        super().__init__(error)
        self.status, self.error, self.problems = status, error, problems


def _error(status: int, error: str, problems: list[Problem]) -> JSONResponse:
    return JSONResponse({"error": redact(error), "problems": [p.model_dump() for p in problems]}, status_code=status)


class _Books:
    """The rulebooks requests name, each loaded once (a Rulebook never changes)."""

    def __init__(self, packs: tuple[str, ...] | None, root: Path | None) -> None:
        self.root = root
        self.default = Rulebook.load(packs, root=root)
        self._loaded: dict[tuple[str, ...], Rulebook] = {self.default.packs: self.default}
        self._lock = threading.Lock()

    def get(self, packs: list[str] | None) -> Rulebook:
        if packs is None:
            return self.default
        key = tuple(p.strip() for p in packs if p.strip())
        with self._lock:
            if key not in self._loaded:
                try:
                    book = Rulebook.load(key, root=self.root)
                except (RuleFileError, ValueError, FileNotFoundError) as error:
                    raise _Refused(422, str(error), [Problem(field="packs", problem=str(error))]) from None
                self._loaded[key] = self._loaded[book.packs] = book
            return self._loaded[key]


def _bound(value: date | ParamRef | None, book: Rulebook) -> Any:
    if value is None or isinstance(value, date):
        return value.isoformat() if value else None
    return {"param": value.param, "values": [{"value": str(v.value), "since": v.since.isoformat() if v.since else None}
                                             for v in book.parameters[value.param].values]}


def _rule(rule: Rule, book: Rulebook, full: bool) -> dict[str, Any]:
    langs: tuple[Lang, ...] = ("ja", "en")
    out: dict[str, Any] = {
        "id": rule.id, "question": rule.question, "outcome": rule.outcome,
        # The values a title quotes: the latest known, as `rules show` prints them.
        "title": {lang: rule_title(rule, book.law, date.max, lang) for lang in langs},
        "implements": list(rule.implements),
        "citation": {"source": rule.citation.source, "sections": list(rule.citation.sections)},
    }
    if full:
        source = book.sources[rule.citation.source]
        in_force = rule.in_force
        out["citation"]["title"] = {"ja": source.title.ja, "en": source.title.en}
        out["citation"]["url"] = source.url
        out["in_force"] = {"from": _bound(in_force.from_, book), "after": _bound(in_force.after, book),
                           "until": _bound(in_force.until, book), "before": _bound(in_force.before, book)}
        out["overrides"], out["refines"], out["fallback"] = list(rule.overrides), list(rule.refines), rule.fallback
        path = book.origin[rule.id]
        out["file"] = f"{path.parent.name}/{path.name}"
    return out


def _schemas(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """The OpenAPI document, with the request models' JSON Schemas (bodies are read by hand)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            _, defs = models_json_schema([(m, "validation") for m in _MODELS], ref_template="#/components/schemas/{model}")
            document.setdefault("components", {}).setdefault("schemas", {}).update(defs.get("$defs", {}))
            app.openapi_schema = document
        return app.openapi_schema

    return openapi


def _body_of(model: type[BaseModel]) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def create_app(*, packs: tuple[str, ...] | None = None, rules_root: Path | None = None,
               max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> FastAPI:
    """The service for the rulebook of ``packs`` (default: seed and every later change)
    of ``rules_root`` (default: the shipped rules); a request may name other packs."""
    books = _Books(packs, rules_root)
    app = FastAPI(
        title="hokensho-rules", version=version("hokensho-rules"),
        description="Which Japanese health-insurance document applies to a member on a date, "
                    "decided by cited rules. Every verdict names its rule and citation.",
    )
    app.openapi = _schemas(app)  # type: ignore[method-assign]

    @app.exception_handler(_Refused)
    async def refused(request: Request, error: _Refused) -> JSONResponse:
        return _error(error.status, error.error, error.problems)

    @app.exception_handler(RequestError)
    async def invalid(request: Request, error: RequestError) -> JSONResponse:
        return _error(400 if error.problems[0].problem.startswith("the body is not JSON") else 422, str(error), error.problems)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        return _error(error.status_code, str(error.detail), [])

    async def body(request: Request) -> bytes:
        length = request.headers.get("content-length", "")
        too_large = _Refused(413, f"the body is larger than {max_body_bytes:,} bytes: send fewer members per request",
                             [Problem(field=None, problem=f"more than {max_body_bytes:,} bytes")])
        if length.isdecimal() and int(length) > max_body_bytes:
            raise too_large
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_body_bytes:
                raise too_large
            chunks.append(chunk)
        return b"".join(chunks)

    def decide(request: EvaluateRequest) -> dict[str, Any]:
        book = books.get(request.packs)
        results: list[dict[str, Any]] = []
        for number, member in enumerate(request.all_members(), start=1):
            try:
                decision = book.evaluate(member, request.on, situation=request.situation)
            except DecisionError as error:
                # As the command line's error rows: in place, and the others go on.
                results.append({"ok": False, "member": number, "member_id": member.id,
                                "error": type(error).__name__, "problem": redact(str(error))})
            else:
                results.append({"ok": True, **decision.to_dict()})
        return {"on": request.on.isoformat(), "packs": list(book.packs), "results": results}

    @app.post("/evaluate", openapi_extra=_body_of(EvaluateRequest), tags=["decide"])
    async def evaluate(request: Request) -> JSONResponse:
        """Every question's verdict for one member (``member``) or many (``members``) on
        ``on``: outcome, data (deadlines…), the deciding rule's id and citation."""
        # Already JSON data: sent as it is, without FastAPI's encoder walking it again.
        return JSONResponse(await run_in_threadpool(decide, parse(EvaluateRequest, await body(request))))

    def explained(request: ExplainRequest) -> dict[str, Any]:
        book = books.get(request.packs)
        try:
            decision = book.evaluate(request.member, request.on, situation=request.situation)
        except DecisionError as error:
            raise _Refused(422, str(error), [Problem(field="member", member=1, problem=str(error))]) from None
        return {"member_id": request.member.id, "on": request.on.isoformat(), "lang": request.lang,
                "text": decision.explain(request.lang)}

    @app.post("/explain", openapi_extra=_body_of(ExplainRequest), tags=["decide"])
    async def explain(request: Request) -> JSONResponse:
        """One member's decision as the text a clerk reads, in Japanese (令和 dates) or English."""
        # Already JSON data: sent as it is, without FastAPI's encoder walking it again.
        return JSONResponse(await run_in_threadpool(explained, parse(ExplainRequest, await body(request))))

    def listed(request: ActionsRequest) -> dict[str, Any]:
        book = books.get(request.packs)
        try:
            found = book.actions(request.all_members(), request.on)
        except (DecisionError, ValueError) as error:
            raise _Refused(422, str(error), [Problem(field="members", problem=str(error))]) from None
        return {"on": request.on.isoformat(), "packs": list(book.packs), "actions": [a.to_dict() for a in found],
                "text": found.render(request.lang)}

    @app.post("/actions", openapi_extra=_body_of(ActionsRequest), tags=["decide"])
    async def actions(request: Request) -> JSONResponse:
        """The insurer's action list: who must be issued, return, be sent … by when, and which rule says so."""
        # Already JSON data: sent as it is, without FastAPI's encoder walking it again.
        return JSONResponse(await run_in_threadpool(listed, parse(ActionsRequest, await body(request))))

    def packs_of(packs: str | None) -> list[str] | None:
        return [p for p in packs.split(",")] if packs else None

    @app.get("/rules", tags=["rules"])
    def rules(packs: str | None = None) -> list[dict[str, Any]]:
        """Every rule of the rulebook (``packs``: comma-separated, default the server's): id,
        question, outcome, titles in Japanese and English, index ids, citation."""
        book = books.get(packs_of(packs))
        return [_rule(rule, book, full=False) for rule in book.rules.values()]

    @app.get("/rules/{rule_id}", tags=["rules"])
    def rule(rule_id: str, packs: str | None = None) -> dict[str, Any]:
        """One rule: titles, citation with its source, period in force, exceptions, file."""
        book = books.get(packs_of(packs))
        found = book.rules.get(rule_id)
        if found is None:
            message = f"no rule {shown(rule_id)} in packs {', '.join(book.packs)}"  # the words of `rules show`
            raise _Refused(404, message, [Problem(field="rule_id", problem=message)])
        return _rule(found, book, full=True)

    @app.get("/health", tags=["service"])
    def health() -> Mapping[str, Any]:
        """Whether the service answers, its version and its default rulebook."""
        book = books.default
        return {"status": "ok", "version": app.version, "packs": list(book.packs), "rules": len(book.rules)}

    return app
