"""The fleet view: what each screen reports about itself, and who is online (``GET /api/devices``)."""

from __future__ import annotations

import time
from typing import Any

from tests.server.conftest import ClientFactory
from tests.support.server_process import ServerProcess

REPORT = {
    "app_version": "1.4.0",
    "room": "display",
    "applied_seq": 1,
    "orders_on_screen": 1,
    "sound_muted": True,
    "last_error": "<b>connection refused</b> at 09:01",
}


def _devices(server: ServerProcess) -> dict[str, dict[str, Any]]:
    answer = server.request("GET", "/api/devices")
    assert answer.status_code == 200, answer.text
    return {device["name"]: device for device in answer.json()["devices"]}


def test_a_screen_reports_and_the_admin_sees_it_online_with_its_lag(
    server: ServerProcess, clients: ClientFactory
) -> None:
    token = server.add_device("kitchen-1", ["display"])
    server.add_device("stall-9", ["tenant-9"])  # never connects
    server.create_order()
    server.create_order()
    screen = clients(server.url, token)
    assert screen.join("display")["ok"]
    assert screen.emit("screen:status", REPORT) == {"ok": True, "kept": True}
    devices = _devices(server)
    kitchen = devices["kitchen-1"]
    assert kitchen["online"] is True and kitchen["address"] == "127.0.0.1"
    assert (kitchen["app_version"], kitchen["applied_seq"], kitchen["lag"]) == ("1.4.0", 1, server.seq() - 1)
    assert kitchen["orders_on_screen"] == 1 and kitchen["sound_muted"] is True
    assert kitchen["last_error"] == "<b>connection refused</b> at 09:01"  # text, shown as text by the console
    assert devices["stall-9"]["online"] is False and devices["stall-9"]["app_version"] is None
    screen.disconnect()
    deadline = time.monotonic() + 5
    while _devices(server)["kitchen-1"]["online"] and time.monotonic() < deadline:
        time.sleep(0.05)  # polling interval of a deadline-bounded wait (the disconnect is noted async)
    assert _devices(server)["kitchen-1"]["online"] is False


def test_bad_reports_are_refused_in_the_ack_and_a_loop_costs_no_writes(
    server: ServerProcess, clients: ClientFactory
) -> None:
    token = server.add_device("till-2", ["kasir-2"])
    screen = clients(server.url, token)
    for bad, field in (
        ({**REPORT, "applied_seq": "5"}, "applied_seq"),
        ({**REPORT, "extra": 1}, "extra"),
        ({**REPORT, "last_error": "bell\x07"}, "last_error"),
        ("not an object", "status"),
    ):
        ack = screen.emit("screen:status", bad)
        assert (
            ack["ok"] is False and ack["error"]["code"] == "invalid_body" and field in ack["error"]["message"]
        )
    assert screen.emit("screen:status", REPORT)["kept"] is True
    assert screen.emit("screen:status", {**REPORT, "applied_seq": 99})["kept"] is False  # within 5 s
    assert _devices(server)["till-2"]["applied_seq"] == 1
    admin = clients(server.url, server.admin_token)
    refused = admin.emit("screen:status", REPORT)
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"


def test_only_the_admin_sees_the_fleet(server: ServerProcess) -> None:
    token = server.add_device("kitchen-3", ["display"])
    assert server.request("GET", "/api/devices", token=token).status_code == 403
    assert server.request("GET", "/api/devices", token=None).status_code == 401
