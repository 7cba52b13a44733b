"""``GET /api/openapi.json``: a valid OpenAPI 3.1 document of every declared route, and a server that keeps it.

Why: the document is generated from kiosk/protocol/api.py and the contract's
models (server/openapi.py); these tests hold it to the route table, to the
models the server validates with, and (schemathesis, a bounded and repeatable
run against a real server process) to what the server really answers: no 500,
no status and no body outside the document.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from kiosk.protocol.api import CANCEL_ORDER, CREATE_ORDER, OPENAPI, ROUTES, START_PAIRING, Route
from kiosk.protocol.requests import CancelOrder, CreateOrder
from server.openapi import REF_TEMPLATE, document
from tests.support.server_process import ServerProcess

REF_PREFIX = REF_TEMPLATE.split("{", 1)[0]
MAX_EXAMPLES = 25  # per operation: about 500 requests in all


def _operation(route: Route) -> dict[str, Any]:
    return document()["paths"][route.template][route.method.lower()]  # type: ignore[no-any-return]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    return document()["components"]["schemas"][schema["$ref"].removeprefix(REF_PREFIX)]  # type: ignore[no-any-return]


def test_the_document_is_valid_openapi_3_1() -> None:
    doc = document()
    validate(doc)  # openapi-spec-validator picks the 3.1 validator from "openapi"
    assert doc["openapi"].startswith("3.1")
    assert doc["info"]["version"]
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": doc["components"]["securitySchemes"]["bearer"]["description"],
    }


def test_every_declared_route_is_described_with_its_method() -> None:
    paths = document()["paths"]
    described = {(method.upper(), path) for path, item in paths.items() for method in item}
    assert described == {(route.method, route.template) for route in ROUTES}
    for route in ROUTES:
        operation = _operation(route)
        assert str(route.status) in operation["responses"]
        assert [p["name"] for p in operation["parameters"] if p["in"] == "path"] == list(route.params)
        assert operation["security"] == ([] if route.public else [{"bearer": []}])
        keyed = any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
        assert keyed is route.keyed, route
        if not route.public:
            assert {"401", "403", "429"} <= operation["responses"].keys(), route


def test_a_writes_request_schema_is_the_model_it_is_validated_with() -> None:
    for route, model in ((CREATE_ORDER, CreateOrder), (CANCEL_ORDER, CancelOrder)):
        body = _operation(route)["requestBody"]["content"]["application/json"]["schema"]
        expected = model.model_json_schema(ref_template=REF_TEMPLATE)
        for name, definition in expected.pop("$defs", {}).items():
            assert document()["components"]["schemas"][name] == definition
        assert _resolve(body) == expected
        assert {"400", "413", "422"} <= _operation(route)["responses"].keys()
    for route in ROUTES:
        content = _operation(route).get("requestBody", {}).get("content", {})
        assert (route.body is None) == (not content), route


def test_each_write_is_validated_with_its_declared_model(server: ServerProcess) -> None:
    """``{}`` is refused naming the declared model's first required field: the handler uses that model."""
    server.create_order()
    for route in ROUTES:
        required = [] if route.body is None else route.body.model_json_schema().get("required", [])
        if not required:
            continue
        response = server.request(route.method, route.path(**dict.fromkeys(route.params, 1)), json={})
        assert response.status_code == 422, (route, response.text)
        assert response.json()["error"] == {
            "code": "missing_field",
            "message": f"{required[0]} is required",
            "field": required[0],
        }, route


def test_the_server_answers_the_document_without_a_token(server: ServerProcess) -> None:
    response = server.request(OPENAPI.method, OPENAPI.path(), token=None)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == document()


def _seed(server: ServerProcess) -> None:
    """Something for the ids to find: two orders (one paid) and a device."""
    first = server.create_order()
    server.create_order(tenant_id=2)
    paid = server.request(
        "POST",
        "/api/payments",
        json={"order_id": first["id"], "amount_paid": 10**6, "payment_method": "cash", "counter_id": 1},
    )
    assert paid.status_code == 201, paid.text
    server.add_device("kasir-9", ["kasir-9"])


def _fuzz(server: ServerProcess, mode: schemathesis.GenerationMode, checks: list[Any]) -> None:
    """Every operation of the served document, with the admin token; each operation's failure is kept."""
    schema = schemathesis.openapi.from_url(f"{server.url}{OPENAPI.path()}")
    auth = {"Authorization": f"Bearer {server.admin_token}"}
    failures: list[str] = []
    operations = 0
    with requests.Session() as session:
        for result in schema.get_all_operations():
            if isinstance(result, Err):  # the document has an operation schemathesis cannot read
                failures.append(f"unreadable operation: {result.err()}")
                continue
            operation = result.ok()
            operations += 1

            @settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                derandomize=True,  # the same examples on every run: CI is repeatable
                database=None,
                phases=[Phase.explicit, Phase.generate, Phase.shrink],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(mode))
            def run(case: schemathesis.Case[Any]) -> None:
                case.call_and_validate(base_url=server.url, session=session, headers=auth, checks=checks)

            try:
                run()
            except Exception as exc:  # one operation's failure must not hide the others'
                if "Unsatisfiable" in type(exc).__name__:
                    continue  # a negative case for an operation that takes nothing (GET /api/health)
                failures.append(f"{operation.label}: {type(exc).__name__}: {exc}")
    assert operations >= len(ROUTES) - 1  # schemathesis leaves out the document's own path
    assert not failures, "\n\n".join(failures)


def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_document(server: ServerProcess) -> None:
    _seed(server)
    _fuzz(
        server,
        schemathesis.GenerationMode.POSITIVE,
        [not_a_server_error, response_schema_conformance, status_code_conformance],
    )


def test_schemathesis_invalid_requests_are_refused_not_failed(server: ServerProcess) -> None:
    """Requests outside the document (wrong types, missing fields, no token): 4xx in the error shape."""
    _seed(server)
    _fuzz(server, schemathesis.GenerationMode.NEGATIVE, [not_a_server_error, response_schema_conformance])


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_prep_report_for_a_day_at_the_calendars_end_is_refused(server: ServerProcess, day: str) -> None:
    """Its bounds overflowed: a 500 (found by schemathesis once ``date`` was described as a date)."""
    response = server.request("GET", f"/api/reports/prep-times?date={day}")
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "date"


@pytest.mark.parametrize("route", [r for r in ROUTES if r.public], ids=lambda r: r.template)
def test_public_routes_need_no_token(server: ServerProcess, route: Route) -> None:
    answer = server.request(route.method, route.path(), token=None)
    if route.body is None or route is START_PAIRING:  # a screen starting to pair may say nothing of itself
        assert answer.status_code == route.status, answer.text
    else:  # refused for its (missing) body, never for its token
        assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_body", answer.text
