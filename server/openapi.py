"""``GET /api/openapi.json``: the REST API as an OpenAPI 3.1 document, built from the contract itself.

Why: a hand-written description drifts from what the server does the day a
field or a route changes.  This one is generated, once per process, from the
route table of kiosk/protocol/api.py (each ``Route`` names the request model
the server validates its body with, its success model and status, its query
parameters and its own refusals) and from the pydantic models' JSON Schemas,
so the document cannot say anything the code does not.  Pydantic writes JSON
Schema 2020-12, which is what OpenAPI 3.1 schemas are.  The error shape is the
one every refusal has (server/errors.py): ``{"error": {"code", "message", "field"?}}``.
"""

from __future__ import annotations

import functools
import importlib.metadata
from collections.abc import Callable
from typing import Any

import orjson
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from kiosk.protocol import api
from kiosk.protocol.api import ROUTES, ErrorDetail, QueryKind, Route
from kiosk.protocol.limits import MAX_IDEMPOTENCY_KEY

REF_TEMPLATE = "#/components/schemas/{model}"

# What each refusal means, as server/web.py, server/errors.py and the handlers answer it.
_REFUSALS = {
    400: "the body is empty or not JSON (`invalid_body`, `malformed_json`)",
    401: "no token, not a bearer token, or an unknown or revoked one (`unauthorized`)",
    403: "this token may not do this (`forbidden`)",
    404: "no such order, line, payment, QR token or device (`not_found`, `unknown_qr`)",
    409: "not in this state: a transition, a payment or a refund that cannot be (`invalid_transition`, ...)",
    413: "the body is larger than 1 MiB (`body_too_large`)",
    422: "a field, query parameter or Idempotency-Key is invalid (`missing_field`, `invalid_field`, ...)",
    410: "gone: it expired or was already used (pairing)",
    429: "too many unknown tokens from this address, or whole lists asked too often; see Retry-After",
}


_QUERY_SCHEMAS: dict[QueryKind, dict[str, Any]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "date": {"type": "string", "format": "date"},
    "date-time": {"type": "string", "format": "date-time"},
}


class Error(BaseModel):
    """Every refusal's body: ``{"error": {"code", "message", "field"?}}``."""

    error: ErrorDetail


def operation_ids() -> dict[Route, str]:
    """Each declared route's name in kiosk/protocol/api.py (``CREATE_ORDER`` -> ``create_order``)."""
    names = {route: name.lower() for name, route in vars(api).items() if isinstance(route, Route)}
    return {route: names[route] for route in ROUTES}


def refusals(route: Route) -> list[int]:
    """The error statuses the server really answers on ``route``."""
    found = set(route.refusals)
    if not route.public:
        found |= {401, 403, 429}
    if route.body is not None:
        found |= {400, 413, 422}
    if route.query or route.keyed:
        found.add(422)
    return sorted(found)


@functools.cache
def document() -> dict[str, Any]:
    """The whole document, built once (the route table and the models do not change while running)."""
    modes: dict[type[BaseModel], JsonSchemaMode] = {Error: "serialization"}
    for route in ROUTES:
        if route.reply is not None:
            modes[route.reply] = "serialization"
    for route in ROUTES:
        if route.body is not None:
            modes[route.body] = "validation"  # a model both sent and answered is described as sent
    refs, definitions = models_json_schema(list(modes.items()), ref_template=REF_TEMPLATE)
    schemas: dict[str, Any] = definitions.get("$defs", {})

    def ref(model: type[BaseModel]) -> dict[str, Any]:
        return dict(refs[(model, modes[model])])

    paths: dict[str, dict[str, Any]] = {}
    for route, operation_id in operation_ids().items():  # templates are already in OpenAPI's {param} form
        paths.setdefault(route.template, {})[route.method.lower()] = _operation(
            route, operation_id, None if route.body is None else ref(route.body), ref
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Kiosk server REST API",
            "version": package_version(),
            "description": "Generated from kiosk/protocol/api.py and the contract's models (server/openapi.py).",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A device token (`kiosk-server devices add`) or the admin token",
                }
            },
        },
        "security": [{"bearer": []}],
    }


def _operation(
    route: Route,
    operation_id: str,
    body_schema: dict[str, Any] | None,
    ref: Callable[[type[BaseModel]], dict[str, Any]],
) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": _path_schema(name)} for name in route.params
    ]
    parameters += [
        {"name": name, "in": "query", "required": False, "schema": _QUERY_SCHEMAS[kind]}
        for name, kind in route.query
    ]
    if route.keyed:
        parameters.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "A retry with the same key and body replays the first answer",
                "schema": {"type": "string", "minLength": 1, "maxLength": MAX_IDEMPOTENCY_KEY},
            }
        )
    success: dict[str, Any] = {
        "application/json": {"schema": ref(route.reply) if route.reply is not None else {"type": "object"}}
    }
    if route is api.PREP_TIMES:
        success["text/csv"] = {"schema": {"type": "string"}}  # ?format=csv
    responses: dict[str, Any] = {str(route.status): {"description": "done", "content": success}}
    for status in refusals(route):
        responses[str(status)] = {
            "description": _REFUSALS[status],
            "content": {"application/json": {"schema": ref(Error)}},
        }
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "parameters": parameters,
        "responses": responses,
        "security": [] if route.public else [{"bearer": []}],
    }
    if body_schema is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body_schema}},
        }
    return operation


def _path_schema(name: str) -> dict[str, Any]:
    """As the Flask rule matches it (``Route.flask_rule``): ``<int:..._id>`` digits, else one segment."""
    if name.endswith("_id"):
        return {"type": "integer", "minimum": 0}
    return {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}


@functools.cache
def document_json() -> bytes:
    return orjson.dumps(document())


def package_version() -> str:
    try:
        return importlib.metadata.version("kiosk")
    except importlib.metadata.PackageNotFoundError:
        return "0"
