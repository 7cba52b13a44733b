"""A percent-encoded slash or backslash in the path is 404: it never reaches another route.

The WSGI servers hand the app the decoded path, so ``/api%2Forders`` was
answered as ``/api/orders`` and ``PATCH /api/orders/1%2Fstatus`` changed the
order's status.  The requests go out through ``http.client`` so the bytes on
the wire are exactly ``%2F`` (requests would normalise the path).
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.server.conftest import ClientFactory
from tests.support.server_process import ServerProcess


@pytest.fixture(scope="module", params=["gevent", "eventlet", "threading"])
def mode_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """One server per async mode: each WSGI server names the raw path in its own way."""
    folder: Path = tmp_path_factory.mktemp(f"encoded-{request.param}")
    process = ServerProcess(folder / "kiosk.db", extra_args=["--async-mode", request.param])
    process.start()
    yield process
    process.stop()


def _raw(server: ServerProcess, method: str, target: str, body: Any = None) -> tuple[int, Any]:
    """``method target`` with the target sent byte for byte; the status and the decoded JSON body."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        conn.putheader("Authorization", f"Bearer {server.admin_token}")
        data = b"" if body is None else orjson.dumps(body)
        if body is not None:
            conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(len(data)))
        conn.endheaders(data)
        answer = conn.getresponse()
        raw = answer.read()
        is_json = answer.getheader("Content-Type") == "application/json"
        return answer.status, orjson.loads(raw) if is_json else raw
    finally:
        conn.close()


@pytest.mark.parametrize(
    "method, target, body",
    [
        ("GET", "/api%2Forders?active", None),
        ("GET", "/api%2forders", None),
        ("GET", "/api/orders%2F1", None),
        ("GET", "/api/orders%5C1", None),
        ("GET", "%2Fapi/health", None),
        ("PATCH", "/api/orders/1%2Fstatus", {"status": "preparing"}),
        ("PATCH", "/api/orders/1%2fstatus", {"status": "preparing"}),
        ("DELETE", "/api/orders/1%2F..%2Fpayments", {"reason": "habis"}),
        ("POST", "/api%5Corders", None),
        ("POST", "/api%5corders", None),
    ],
)
def test_an_encoded_separator_in_the_path_is_404_and_changes_nothing(
    mode_server: ServerProcess, method: str, target: str, body: Any
) -> None:
    server = mode_server
    if not server.request("GET", "/api/orders/1").ok:
        server.create_order(1)
    before = server.request("GET", "/api/orders").json()
    status, answer = _raw(server, method, target, body if body is not None else {"tenant_id": 1})
    unknown = server.request("GET", "/api/no-such-endpoint")
    assert (status, answer) == (404, unknown.json()), (method, target)
    assert answer["error"]["code"] == "not_found"
    assert server.request("GET", "/api/orders").json() == before  # nothing changed, seq included


def test_plain_paths_and_encoded_query_strings_still_work(mode_server: ServerProcess) -> None:
    server = mode_server
    order = server.create_order(2)
    assert _raw(server, "GET", "/api/orders?active")[0] == 200
    status, listed = _raw(server, "GET", "/api/orders?active=1&x=%2F%5C")
    assert status == 200 and order["id"] in [o["id"] for o in listed["orders"]]
    status, changed = _raw(server, "PATCH", f"/api/orders/{order['id']}/status", {"status": "preparing"})
    assert status == 200 and changed["status"] == "preparing"
    assert _raw(server, "GET", "/api/events?room=tenant-2&after=0&note=a%2Fb")[0] == 200
    # Other escapes in the path are fine: ``%6F`` is an ``o``.
    assert _raw(server, "GET", "/api/%6Frders?active")[0] == 200
    # Socket.IO's long-polling handshake carries only a query string after its path.
    status, handshake = _raw(server, "GET", "/socket.io/?EIO=4&transport=polling&t=a%2Fb")
    assert status == 200 and b'"sid"' in handshake


def test_a_screen_still_connects_and_gets_events(mode_server: ServerProcess, clients: ClientFactory) -> None:
    server = mode_server
    screen = clients(server.url, server.admin_token)
    assert screen.emit("join-display")["ok"]
    order = server.create_order(3)
    assert any(env["data"].get("id") == order["id"] for _, env in screen.wait_count(1))
