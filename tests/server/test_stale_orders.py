"""End of day: abandoned orders are closed as auto_closed, by age, at closing time, or by the admin."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server.app import create_app
from server.clock import FakeClock
from server.config import ServerConfig
from server.stale_orders import ClosingTime, sweep_once
from server.state import server_state
from tests.support.backend import config_database
from tests.support.server_process import ServerProcess, order_body

ADMIN = {"Authorization": "Bearer in-process-admin"}
SIX_HOURS = 6 * 3600.0


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 12, 3, 3, 0, tzinfo=UTC))


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock) -> Flask:
    config = ServerConfig(
        **config_database(tmp_path), admin_token="in-process-admin", async_mode="threading", clock=clock
    )
    made, _ = create_app(config)
    return made


def _order(client: FlaskClient, **overrides: Any) -> dict[str, Any]:
    answer = client.post("/api/orders", json=order_body(1, **overrides), headers=ADMIN)
    assert answer.status_code == 201, answer.get_json()
    return dict(answer.get_json())


def _get(client: FlaskClient, order: dict[str, Any]) -> dict[str, Any]:
    return dict(client.get(f"/api/orders/{order['id']}", headers=ADMIN).get_json())


def _events(client: FlaskClient) -> list[dict[str, Any]]:
    return list(client.get("/api/events?room=display&after=0", headers=ADMIN).get_json()["events"])


def test_orders_open_past_the_age_are_closed_with_one_event_and_one_line(
    app: Flask, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    client, hub = app.test_client(), server_state(app).hub
    old = _order(client)
    preparing = _order(client)
    client.patch(f"/api/orders/{preparing['id']}/status", json={"status": "preparing"}, headers=ADMIN)
    clock.advance(5 * 3600)
    young = _order(client)
    assert sweep_once(hub, SIX_HOURS, None) == 0
    clock.advance(3600 + 1)
    with caplog.at_level(logging.INFO, logger="server.api"):
        assert sweep_once(hub, SIX_HOURS, None) == 2
    lines = [record.getMessage() for record in caplog.records if "auto-closed" in record.getMessage()]
    assert lines == [
        f"auto-closed 2 order(s) open longer than 21600 s: {old['order_number']}, {preparing['order_number']}"
    ]
    for order in (old, preparing):
        closed = _get(client, order)
        assert closed["status"] == "cancelled" and closed["cancel_reason"] == "auto_closed"
        assert closed["cancelled_at"] is not None
    assert _get(client, young)["status"] == "pending"
    active = client.get("/api/orders?active", headers=ADMIN).get_json()["orders"]
    assert [order["id"] for order in active] == [young["id"]]
    cancels = [event for event in _events(client) if event["type"] == "order_cancelled"]
    assert [(event["data"]["id"], event["data"]["reason"]) for event in cancels] == [
        (old["id"], "auto_closed"),
        (preparing["id"], "auto_closed"),
    ]
    assert sweep_once(hub, SIX_HOURS, None) == 0  # nothing twice


def test_a_scheduled_order_ages_from_its_release(app: Flask, clock: FakeClock) -> None:
    client, hub = app.test_client(), server_state(app).hub
    tomorrow = _order(client, fire_at="2026-12-04T03:00:00Z", prep_minutes=30)  # released 02:30 tomorrow
    clock.advance(7 * 3600)
    assert sweep_once(hub, SIX_HOURS, None) == 0
    assert _get(client, tomorrow)["status"] == "pending"


def test_closing_time_closes_every_open_order_once_a_day(app: Flask, clock: FakeClock) -> None:
    client, hub = app.test_client(), server_state(app).hub
    closing_at = (clock.now().astimezone() + timedelta(hours=2)).time()
    closing = ClosingTime(clock_time(closing_at.hour, closing_at.minute))
    first = _order(client)
    assert sweep_once(hub, None, closing) == 0  # not yet
    clock.advance(2 * 3600)
    assert sweep_once(hub, None, closing) == 1
    assert _get(client, first)["cancel_reason"] == "auto_closed"
    late = _order(client)  # taken after closing: left for tomorrow's
    clock.advance(60)
    assert sweep_once(hub, None, closing) == 0
    assert _get(client, late)["status"] == "pending"


def test_closing_time_is_due_once_per_local_day() -> None:
    closing = ClosingTime(clock_time(22, 0))
    evening = datetime(2026, 12, 3, 21, 59).astimezone()
    assert closing.due(evening) is None
    due = closing.due(evening.replace(hour=22, minute=5))
    assert due is not None and (due.hour, due.minute) == (22, 0)
    assert closing.due(evening.replace(hour=23)) is None
    assert closing.due(datetime(2026, 12, 4, 22, 0).astimezone()) is not None


def test_the_admin_closes_stale_orders_through_the_api_and_the_cli(shared_server: ServerProcess) -> None:
    order = shared_server.create_order(51)
    device = shared_server.add_device("stale-kitchen", ["display"])
    refused = shared_server.request(
        "POST", "/api/orders/close-stale", json={"older_than_minutes": 0}, token=device
    )
    assert (
        refused.status_code == 403
        and shared_server.request("GET", f"/api/orders/{order['id']}").json()["status"] == "pending"
    )
    young = shared_server.request("POST", "/api/orders/close-stale", json={})  # the server's 6 h: none yet
    assert young.status_code == 200 and order["order_number"] not in young.json()["closed"]
    bad = shared_server.request("POST", "/api/orders/close-stale", json={"older_than_minutes": -1})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "older_than_minutes"
    done = subprocess.run(
        [sys.executable, "-m", "server", "orders", "close-stale", "--url", shared_server.url,
         "--token", shared_server.admin_token, "--older-than", "0"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("closed ") and order["order_number"] in done.stdout
    closed = shared_server.request("GET", f"/api/orders/{order['id']}").json()
    assert closed["status"] == "cancelled" and closed["cancel_reason"] == "auto_closed"
    wrong = subprocess.run(
        [sys.executable, "-m", "server", "orders", "close-stale", "--url", shared_server.url, "--token", "nope-nope-nope"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert wrong.returncode == 1 and "401" in wrong.stderr


def test_run_refuses_a_closing_time_that_is_not_a_time() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "server", "run", "--closing-time", "10pm"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 2 and "'10pm' is not a time of day such as 22:30" in done.stderr
