"""Garbage in: arbitrary JSON at every write endpoint and every join never crashes the server."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.protocol import JoinEvent
from server.jsonio import OrjsonModule
from tests.server.conftest import ClientFactory
from tests.support.server_process import ServerProcess


def _json(floats: st.SearchStrategy[float]) -> st.SearchStrategy[Any]:
    return st.recursive(
        st.none() | st.booleans() | st.integers() | floats | st.text(max_size=30),
        lambda children: (
            st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5)
        ),
        max_leaves=20,
    )


# requests refuses to encode NaN/Infinity; the Socket.IO client (stdlib json) sends them.
JSON = _json(st.floats(allow_nan=False, allow_infinity=False))
SOCKET_JSON = _json(st.floats())
FIELDS = ["tenant_id", "customer_name", "items", "type", "table", "status", "reason", "order_id",
          "amount_paid", "payment_method", "counter_id", "token", "user_id", "data", "severity", "message"]  # fmt: skip
# Bodies shaped like the real ones, with wrong values, catch more than random dicts alone.
BODIES = JSON | st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=6)
ENDPOINTS = [
    ("POST", "/api/orders"),
    ("PATCH", "/api/orders/1/status"),
    ("DELETE", "/api/orders/1"),
    ("POST", "/api/payments"),
    ("POST", "/api/payments/1/refund"),
    ("POST", "/api/qr/scan"),
    ("POST", "/api/notifications"),
    ("POST", "/api/alerts"),
]
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(endpoint=st.sampled_from(ENDPOINTS), body=BODIES)
def test_arbitrary_bodies_get_an_answer_never_a_crash(
    shared_server: ServerProcess, endpoint: tuple[str, str], body: Any
) -> None:
    method, path = endpoint
    response = shared_server.request(method, path, json=body)
    assert response.status_code in (200, 201, 400, 404, 409, 422), response.text
    if response.status_code >= 400:
        error = response.json()["error"]
        assert isinstance(error["code"], str) and error["message"]


@SETTINGS
@given(event=st.sampled_from(list(JoinEvent)), argument=SOCKET_JSON)
def test_arbitrary_join_arguments_are_acknowledged(
    shared_server: ServerProcess, clients: ClientFactory, event: JoinEvent, argument: Any
) -> None:
    client = _client(shared_server, clients)
    ack = client.emit(event.value, argument)
    assert isinstance(ack, dict) and isinstance(ack["ok"], bool)
    if not ack["ok"]:
        assert ack["error"]["code"] in ("invalid_room", "forbidden") and ack["error"]["message"]


_CLIENT: dict[str, Any] = {}


def _client(server: ServerProcess, clients: ClientFactory) -> Any:
    """One connection for all examples (hypothesis reruns the body, not the fixture)."""
    client = _CLIENT.get(server.url)
    if client is None or not client.sio.connected:
        client = _CLIENT[server.url] = clients(server.url, server.add_device("fuzz", ["display", "tenant-1"]))
    return client


def test_socket_json_writes_integers_past_64_bits() -> None:
    """A stdlib peer may send -2**63 - 1 (hypothesis found it); orjson alone refuses to write it back."""
    assert json.loads(OrjsonModule.dumps({"n": [-(2**63) - 1, 2**64]})) == {"n": [-(2**63) - 1, 2**64]}
