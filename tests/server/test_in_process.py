"""Timing rules with an injected clock, on the app factory in-process (no sleeping)."""

from __future__ import annotations

import io
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from server import auth, db
from server.app import create_app
from server.clock import FakeClock
from server.config import ORDERS_PAGE, ServerConfig
from tests.support.backend import config_database, hub_connection
from tests.support.server_process import order_body

ADMIN = {"Authorization": "Bearer in-process-admin"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _client(tmp_path: Path, clock: FakeClock, **overrides: Any) -> FlaskClient:
    config = ServerConfig(
        **config_database(tmp_path),
        admin_token="in-process-admin",
        async_mode="threading",
        clock=clock,
        **overrides,
    )
    app, _ = create_app(config)
    return app.test_client()


@pytest.fixture
def client(tmp_path: Path, clock: FakeClock) -> Iterator[FlaskClient]:
    yield _client(tmp_path, clock, recall_window_s=600)


def _bump(client: FlaskClient, order_id: int, status: str) -> Any:
    return client.patch(f"/api/orders/{order_id}/status", json={"status": status}, headers=ADMIN)


def _completed(client: FlaskClient) -> int:
    order_id: int = client.post("/api/orders", json=order_body(1), headers=ADMIN).get_json()["id"]
    for status in ("preparing", "ready", "completed"):
        assert _bump(client, order_id, status).status_code == 200
    return order_id


def test_recall_within_the_window_is_allowed(client: FlaskClient, clock: FakeClock) -> None:
    order_id = _completed(client)
    clock.advance(599)
    recalled = _bump(client, order_id, "ready")
    assert recalled.status_code == 200 and recalled.get_json()["status"] == "ready"


def test_recall_after_the_window_is_refused_naming_it(client: FlaskClient, clock: FakeClock) -> None:
    order_id = _completed(client)
    clock.advance(601)
    refused = _bump(client, order_id, "ready")
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert (
        error["code"] == "recall_window_passed"
        and "601 s ago" in error["message"]
        and "600 s" in error["message"]
    )


def test_idempotency_keys_expire_after_a_day(client: FlaskClient, clock: FakeClock) -> None:
    headers = {**ADMIN, "Idempotency-Key": "daily"}
    first = client.post("/api/orders", json=order_body(1), headers=headers).get_json()
    clock.advance(23 * 3600)
    assert client.post("/api/orders", json=order_body(1), headers=headers).get_json() == first
    clock.advance(2 * 3600)
    later = client.post("/api/orders", json=order_body(1), headers=headers)
    assert later.status_code == 201 and later.get_json()["id"] != first["id"]


def test_catch_up_pages_and_says_more(tmp_path: Path, clock: FakeClock) -> None:
    client = _client(tmp_path, clock, catch_up_page=3)
    for _ in range(7):
        client.post("/api/orders", json=order_body(1), headers=ADMIN)
    seen: list[int] = []
    after, pages = 0, 0
    while True:
        page = client.get(f"/api/events?room=display&after={after}", headers=ADMIN).get_json()
        pages += 1
        seen += [event["seq"] for event in page["events"]]
        if not page["more"]:
            break
        after = page["events"][-1]["seq"]
    assert seen == [1, 2, 3, 4, 5, 6, 7] and pages == 3 and page["seq"] == 7


def test_timestamps_come_from_the_injected_clock(client: FlaskClient, clock: FakeClock) -> None:
    order = client.post("/api/orders", json=order_body(1), headers=ADMIN).get_json()
    assert order["created_at"] == "2026-11-26T09:00:00.000Z"
    events = client.get("/api/events?room=tenant-1", headers=ADMIN).get_json()["events"]
    assert events[0]["timestamp"] == "2026-11-26T09:00:00.000Z"


def test_generated_admin_token_is_printed_once_and_stored_hashed(tmp_path: Path) -> None:
    conn = hub_connection(tmp_path / "k.db")
    first, second = io.StringIO(), io.StringIO()
    auth.ensure_admin_token(conn, None, out=first)
    auth.ensure_admin_token(conn, None, out=second)
    token = first.getvalue().split("ADMIN TOKEN: ")[1].split()[0]
    assert second.getvalue() == ""
    assert auth.authenticate(conn, token) == auth.ADMIN
    stored = conn.execute("SELECT value FROM meta").fetchall()
    assert all(token not in row[0] for row in stored)


@pytest.mark.sqlite_only("opens an SQLite file; tests/server/test_database.py covers PostgreSQL's check")
def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    db.connect(path).close()
    raw = sqlite3.connect(path)
    raw.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    raw.commit()
    raw.close()
    with pytest.raises(db.SchemaError, match="schema version 99"):
        db.connect(path)


def test_order_history_comes_in_pages_newest_first_and_active_lists_stay_whole(client: FlaskClient) -> None:
    created = [
        client.post("/api/orders", json=order_body(1), headers=ADMIN).get_json()["id"] for _ in range(7)
    ]
    pages: list[list[int]] = []
    query = "/api/orders?limit=3"
    while True:
        page = client.get(query, headers=ADMIN).get_json()
        ids = [order["id"] for order in page["orders"]]
        assert ids == sorted(ids)  # oldest first within a page
        pages.append(ids)
        if not page["more"]:
            assert "next_before" not in page
            break
        assert page["next_before"] == ids[0]
        query = f"/api/orders?limit=3&before={page['next_before']}"
    assert pages == [created[4:], created[1:4], created[:1]]
    # A screen's snapshot is never cut short: ?active without a limit is whole.
    active = client.get("/api/orders?active=1", headers=ADMIN).get_json()
    assert [order["id"] for order in active["orders"]] == created and active["more"] is False


def test_order_history_without_a_limit_is_one_default_page(client: FlaskClient) -> None:
    for _ in range(ORDERS_PAGE + 1):
        assert client.post("/api/orders", json=order_body(2), headers=ADMIN).status_code == 201
    page = client.get("/api/orders", headers=ADMIN).get_json()
    assert len(page["orders"]) == ORDERS_PAGE and page["more"] is True
    assert page["orders"][0]["id"] == page["next_before"] == 2  # the oldest one is on the next page
    whole = client.get("/api/orders?active", headers=ADMIN).get_json()
    assert len(whole["orders"]) == ORDERS_PAGE + 1


@pytest.fixture
def jakarta_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Jakarta")  # UTC+7, no daylight saving
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_orders_today_counts_from_local_midnight_not_utc(tmp_path: Path, jakarta_time: None) -> None:
    # 16:30 UTC on the 25th is 23:30 in Jakarta; 17:30 UTC is 00:30 on the 26th there.
    clock = FakeClock(datetime(2026, 11, 25, 16, 30, tzinfo=UTC))
    client = _client(tmp_path, clock)
    assert client.post("/api/orders", json=order_body(1), headers=ADMIN).status_code == 201
    clock.advance(3600)
    assert client.post("/api/orders", json=order_body(1), headers=ADMIN).status_code == 201
    # Counted by UTC day both were "today" (the 25th); in Jakarta only the second one is.
    assert client.get("/api/stats", headers=ADMIN).get_json()["orders_today"] == 1
