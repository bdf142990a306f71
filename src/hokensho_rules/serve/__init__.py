"""The JSON service: the library's answers over HTTP, for systems not written in Python.

``hokensho-rules serve`` (the ``serve`` extra: FastAPI and uvicorn) runs
:func:`hokensho_rules.serve.app.create_app`: ``POST /evaluate``, ``/explain`` and
``/actions``, ``GET /rules``, ``/rules/{id}`` and ``/health``, with its OpenAPI
document at ``/openapi.json``; ``docs/serve.md`` shows ``curl`` and Java calls.
This module imports neither: :func:`schemas` (``hokensho-rules schema``) needs pydantic
alone.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ..facts.member import Member
from ..facts.privacy import shown
from .requests import ActionsRequest, EvaluateRequest, ExplainRequest

__all__ = ["SCHEMAS", "schemas"]

# The models whose JSON Schema `hokensho-rules schema` prints, by the name it takes.
SCHEMAS: dict[str, type[BaseModel]] = {"member": Member, "evaluate": EvaluateRequest, "explain": ExplainRequest, "actions": ActionsRequest}


def schemas(name: str = "member") -> dict[str, Any]:
    """The JSON Schema of ``Member`` (or of a request body: ``evaluate``, ``explain``,
    ``actions``), generated from the pydantic models the library validates with."""
    if name not in SCHEMAS:
        raise ValueError(f"no schema {shown(name)}; schemas: {', '.join(SCHEMAS)}")
    return SCHEMAS[name].model_json_schema()
