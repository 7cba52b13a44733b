"""``GET /api/events`` read in a snapshot of its own (server/event_reads.py): same bytes, no hub lock.

The catch-up used to run under the hub's lock on the writer's connection and
decode every envelope only to encode it again; every screen asks for it after
each reconnect.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import orjson
import pytest

from kiosk.protocol import EVERYONE
from kiosk.protocol.requests import CreateAlert, CreateOrder, validate_body
from server import db, messages, orders
from server.app import create_app
from server.clock import SystemClock
from server.config import CATCH_UP_PAGE, ServerConfig
from server.hub import Hub
from server.state import server_state
from tests.server.conftest import ClientFactory
from tests.support.backend import config_database
from tests.support.server_process import ServerProcess, order_body

ADMIN = "in-process-admin"


def _old_reply(path: Path, room: str, after: int, limit: int = CATCH_UP_PAGE) -> bytes:
    """What the old ``Hub.catch_up`` + route answered: the stored envelopes decoded, then dumped again."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        seq, pruned = int(meta["seq"]), int(meta["pruned_through"])
        if after < pruned:
            return orjson.dumps({"events": [], "seq": seq, "reset": True, "more": False})
        rows = conn.execute(
            "SELECT DISTINCT e.seq, e.envelope FROM events AS e JOIN event_rooms AS r ON r.seq = e.seq "
            "WHERE r.room IN (?, ?) AND e.seq > ? ORDER BY e.seq LIMIT ?",
            (room, EVERYONE, after, limit + 1),
        ).fetchall()
    finally:
        conn.close()
    events = [orjson.loads(envelope) for _, envelope in rows[:limit]]
    return orjson.dumps({"events": events, "seq": seq, "reset": False, "more": len(rows) > limit})


def _interleaved_log(path: Path) -> None:
    """Orders of five tenants with alerts (filed under everyone) in between, past one page."""
    hub = Hub(db.connect(path), SystemClock(), retention_events=100_000)
    try:
        bodies = [validate_body(CreateOrder, order_body(tenant_id=1 + n % 5)) for n in range(5)]
        for batch in range(3):
            with hub.write() as tx:
                for n in range(700):
                    orders.create(tx, bodies[n % 5])
                messages.alert(
                    tx, validate_body(CreateAlert, {"severity": "info", "message": f"batch {batch}"})
                )
    finally:
        hub.close()


@pytest.mark.sqlite_only("compares with the old reply computed from the SQLite file")
def test_pages_room_filtering_and_merge_are_byte_for_byte_the_old_reply(tmp_path: Path) -> None:
    _interleaved_log(tmp_path / "kiosk.db")  # seq 1..2103: 2100 orders, 3 alerts
    server = ServerProcess(tmp_path / "kiosk.db")
    server.start()
    try:
        token = server.add_device("stall-1", ["tenant-1"])
        cases = [("display", 0), ("display", 1000), ("display", 2000), ("display", 2103), ("tenant-1", 0),
                 ("tenant-1", 700), ("tenant-1", 2050), ("tenant-3", 1401)]  # fmt: skip
        for room, after in cases:
            answer = server.request("GET", f"/api/events?room={room}&after={after}")
            assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
            assert answer.content == _old_reply(server.db_path, room, after), (room, after)
        first = server.request("GET", "/api/events?room=display&after=0").json()
        assert [env["seq"] for env in first["events"]] == list(range(1, 1001)) and first["more"] is True
        assert first["seq"] == 2103 and first["reset"] is False
        last = server.request("GET", "/api/events?room=display&after=2000").json()
        assert [env["seq"] for env in last["events"]] == list(range(2001, 2104)) and last["more"] is False
        # tenant-1: its own orders and every alert, in seq order, nothing of another tenant.
        mine = server.request("GET", "/api/events?room=tenant-1&after=690", token=token).json()
        assert {env["type"] for env in mine["events"]} == {"order_created", "alert"}
        assert all(env["type"] == "alert" or env["data"]["tenant_id"] == 1 for env in mine["events"])
        alerts = [env["data"]["message"] for env in mine["events"] if env["type"] == "alert"]
        assert alerts == ["batch 0", "batch 1", "batch 2"]
        seqs = [env["seq"] for env in mine["events"]]
        assert seqs == sorted(seqs) and len(seqs) == 3 + 140 * 2 + 2 and mine["more"] is False
        assert seqs[:4] == [691, 696, 701, 702]  # the first alert between tenant-1's orders
        # Authorisation and validation are the route's, as before.
        assert server.request("GET", "/api/events?room=display&after=0", token=token).status_code == 403
        assert server.request("GET", "/api/events?after=0").status_code == 422
    finally:
        server.stop()


def test_live_events_replayed_byte_for_byte(server: ServerProcess, clients: ClientFactory) -> None:
    """The reply splices the stored texts: exactly the envelopes a connected screen was sent."""
    steady = clients(server.url, server.admin_token)
    assert steady.emit("join-tenant", 2)["ok"]
    for tenant in (1, 2, 2):
        server.create_order(tenant, customer_name='Ñoño "ékstra" ☕ \\ <b>&</b>', table=None)
    server.request("POST", "/api/alerts", json={"severity": "warning", "message": "listrik\npadam 😀"})
    server.request("POST", "/api/notifications", json={"user_id": 3, "type": "x", "data": {"n": 1.5}})
    live = [env for _, env in steady.wait_seq(4)]
    for after in (0, 1, 3, 4, 5):
        answer = server.request("GET", f"/api/events?room=tenant-2&after={after}")
        expected = [env for env in live if env["seq"] > after]
        assert answer.content == orjson.dumps({"events": expected, "seq": 5, "reset": False, "more": False})


@pytest.mark.sqlite_only("compares with the old reply computed from the SQLite file")
def test_reset_past_the_retention_is_the_old_reply(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "k.db", extra_args=["--retention-events", "5"])
    server.start()
    try:
        for _ in range(20):
            server.create_order(1)
        pruned = server.request("GET", "/api/stats").json()["pruned_through"]
        assert 0 < pruned <= 15
        stale = server.request("GET", f"/api/events?room=display&after={pruned - 1}")
        assert stale.content == b'{"events":[],"seq":20,"reset":true,"more":false}'
        for after in (pruned, 19, 20):
            answer = server.request("GET", f"/api/events?room=display&after={after}")
            assert answer.content == _old_reply(server.db_path, "display", after)
            assert orjson.loads(answer.content)["reset"] is False
    finally:
        server.stop()


@pytest.fixture
def app_and_hub(tmp_path: Path) -> Any:
    config = ServerConfig(**config_database(tmp_path), admin_token=ADMIN, async_mode="threading")
    app, _ = create_app(config)
    hub: Hub = server_state(app).hub
    yield app, hub
    hub.close()


@pytest.mark.sqlite_only("traces SQL through sqlite3's trace callback")
def test_a_write_goes_through_while_a_catch_up_reads_and_the_reply_is_one_moment(app_and_hub: Any) -> None:
    """The lock is free while the page is read: a write started mid-read commits before the reply.

    The writer's connection (the hub's, used only under its lock) runs no query of the log.
    """
    app, hub = app_and_hub
    client = app.test_client()
    headers = {"Authorization": f"Bearer {ADMIN}"}
    for tenant in (1, 2, 3):
        assert client.post("/api/orders", json=order_body(tenant), headers=headers).status_code == 201
    written = threading.Event()
    writer_sql: list[str] = []
    reader_sql: list[str] = []

    def write_now() -> None:
        with hub.write() as tx:
            messages.alert(tx, validate_body(CreateAlert, {"severity": "info", "message": "mid-read"}))
        written.set()

    def on_read_connection(statement: str) -> None:
        reader_sql.append(statement)
        if "event_rooms" in statement and not written.is_set():
            writer = threading.Thread(target=write_now)
            writer.start()
            writer.join(10)  # a catch-up holding the hub's lock would keep it waiting (deadlock: 10 s)

    hub._conn.set_trace_callback(writer_sql.append)
    for conn in hub.reads._free:
        conn.set_trace_callback(on_read_connection)
    try:
        answer = client.get("/api/events?room=display&after=0", headers=headers)
    finally:
        hub._conn.set_trace_callback(None)
        for conn in hub.reads._free:
            conn.set_trace_callback(None)
    assert written.is_set(), "no write went through during the catch-up's read: it held the hub's lock"
    assert not [sql for sql in writer_sql if "event" in sql and "INSERT" not in sql], writer_sql
    assert any("event_rooms" in sql for sql in reader_sql)
    body = orjson.loads(answer.data)
    # The snapshot did not move: three orders and seq 3, not the alert committed meanwhile (seq 4).
    assert [env["seq"] for env in body["events"]] == [1, 2, 3] and body["seq"] == 3
    assert hub.seq == 4
    after = client.get("/api/events?room=display&after=3", headers=headers).get_json()
    assert [env["data"]["message"] for env in after["events"]] == ["mid-read"] and after["seq"] == 4
