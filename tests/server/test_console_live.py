"""The console's live side: the panel (``GET /api/live``) and its stream of server-sent events."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import orjson
import requests

from server.live_panel import SeqRate
from tests.server.conftest import ClientFactory
from tests.server.test_console import _signed_in
from tests.support.server_process import ServerProcess


def test_the_rate_is_the_head_seq_against_a_minute_ago() -> None:
    now = [1000.0]
    rate = SeqRate(lambda: now[0])
    assert rate.per_minute(10) is None  # not watched for a minute yet
    for seq in range(11, 23):
        now[0] += 5
        rate.sample(seq)
    assert rate.per_minute(22) == 12  # 12 events in exactly 60 s
    now[0] += 30
    assert rate.per_minute(52) == 36  # against seq 16, sampled 60 s ago: not against the first sample


def test_the_panel_counts_open_orders_per_tenant_and_keeps_refusals_and_alerts(
    server: ServerProcess, clients: ClientFactory
) -> None:
    for tenant in (1, 1, 2):
        server.create_order(tenant)
    done = server.create_order(3)
    assert server.request("DELETE", f"/api/orders/{done['id']}", json={"reason": "test"}).status_code == 200
    assert server.request("GET", "/api/orders/999999").status_code == 404
    token = server.add_device("till-5", ["kasir-5"])
    till = clients(server.url, token)
    assert till.join("kasir-6")["ok"] is False
    alert = {"severity": "warning", "message": "<b>Gas</b> low"}
    assert server.request("POST", "/api/alerts", json=alert).status_code == 201
    panel = server.request("GET", "/api/live")
    assert panel.status_code == 200, panel.text
    body = panel.json()
    assert body["orders_open"] == {"1": 2, "2": 1}
    assert body["events_per_minute"] is None  # a server younger than a minute has no rate yet
    assert body["connections"] == 1 and "kasir-6" not in body["rooms"]  # the refused join joined nothing
    refused = [(r["who"], r["what"], r["status"], r["code"]) for r in body["refusals"]]
    assert refused[:2] == [
        ("till-5", "join", 403, "forbidden"),
        ("admin", "GET /api/orders/999999", 404, "not_found"),
    ]
    assert body["alerts"][0]["message"] == "<b>Gas</b> low"  # as text; the page shows it with textContent
    assert server.request("GET", "/api/live", token=token).status_code == 403


def _events(answer: requests.Response) -> Iterator[tuple[str, Any]]:
    """(event, data) from a server-sent event stream; comments skipped."""
    name, data = "message", b""
    for line in answer.iter_lines():
        if line.startswith(b"event: "):
            name = line[7:].decode()
        elif line.startswith(b"data: "):
            data = line[6:]
        elif not line and data:
            yield name, orjson.loads(data)
            name, data = "message", b""


def _next(events: Iterator[tuple[str, Any]], wanted: str, within: float) -> Any:
    deadline = time.monotonic() + within
    for name, data in events:
        if name == wanted:
            return data
        if time.monotonic() > deadline:
            break
    raise AssertionError(f"no {wanted!r} event within {within} s")


def test_the_stream_sends_each_page_then_each_change_and_ends_at_sign_out(server: ServerProcess) -> None:
    assert requests.get(f"{server.url}/admin/stream", timeout=10).status_code == 401
    browser, csrf = _signed_in(server)
    with browser.get(f"{server.url}/admin/stream", stream=True, timeout=10) as answer:
        assert answer.status_code == 200
        assert answer.headers["Content-Type"].startswith("text/event-stream")
        events = _events(answer)
        first = {name: data for name, data in (next(events) for _ in range(3))}
        assert set(first) == {"devices", "live", "pairings"}
        assert first["devices"]["devices"] == []
        began = time.monotonic()
        server.add_device("kitchen-7", ["display"])
        changed = _next(events, "devices", within=10)
        assert [d["name"] for d in changed["devices"]] == ["kitchen-7"]
        assert time.monotonic() - began < 5  # pushed within a second or two of the change
        browser.post(f"{server.url}/admin/logout", data={"csrf": csrf}, allow_redirects=False)
        assert _next(events, "signed-out", within=10) == {}
