"""The commands of the JSON service: ``serve`` runs it, ``schema`` prints the JSON Schema
of its input (``Member`` and the request bodies) or its whole OpenAPI document."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..serve import SCHEMAS, schemas
from .options import InputError, rulebook_options

_MISSING = "the JSON service needs the serve extra: .venv/bin/pip install '.[serve]'"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--max-body-bytes", type=click.IntRange(min=1), default=8 * 1024 * 1024, show_default=True,
              help="Largest request body accepted (413 beyond).")
@rulebook_options
def serve(host: str, port: int, max_body_bytes: int, packs: str | None, rules_root: Path | None) -> None:
    """Answer over HTTP in JSON: POST /evaluate, /explain, /actions; GET /rules, /rules/ID,
    /health; the OpenAPI document at /openapi.json (docs/serve.md).

    \b
    Example:
      hokensho-rules serve --port 8000
      curl -s localhost:8000/health
    """
    try:
        import uvicorn

        from ..serve.app import create_app
    except ImportError:
        raise InputError(_MISSING) from None
    chosen = tuple(p.strip() for p in packs.split(",") if p.strip()) if packs else None
    try:
        app = create_app(packs=chosen, rules_root=rules_root, max_body_bytes=max_body_bytes)
    except (ValueError, FileNotFoundError) as error:
        raise InputError(str(error)) from None
    uvicorn.run(app, host=host, port=port, log_level="info")


@click.command()
@click.argument("name", type=click.Choice([*SCHEMAS, "openapi"]), default="member")
def schema(name: str) -> None:
    """Print a JSON Schema: of a member (the default), of a request body (evaluate,
    explain, actions), or the service's whole OpenAPI document (openapi).

    \b
    Example:
      hokensho-rules schema > member.schema.json
      hokensho-rules schema evaluate
    """
    if name == "openapi":
        try:
            from ..serve.app import create_app
        except ImportError:
            raise InputError(_MISSING) from None
        document = create_app().openapi()
    else:
        document = schemas(name)
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))
