"""The WAL file: emptied and closed on SIGTERM; a WAL deleted under a running server stops its writes.

Why: the server kept writing into a WAL that had been deleted (the inode
lives on while it is open), answered 201, and at the next start those
orders were gone: 122-300 acknowledged orders per run, with
``integrity_check`` still "ok".  Now a stop checkpoints everything into the
database file and closes every connection, and a write first checks that
the files it writes are still the ones on disk.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from kiosk.protocol.requests import CreateAlert, validate_body
from server import db, messages
from server.clock import SystemClock
from server.hub import Hub
from server.storage_guard import StorageRefusedError
from tests.support.server_process import ServerProcess, order_body

pytestmark = pytest.mark.sqlite_only("the WAL file and its deletion")

REPLACED = "storage_replaced"


def _wal(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + "-wal")


def _post_until(
    server: ServerProcess, seconds: float
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """POST orders for ``seconds``: (acknowledged orders, refusal bodies); anything else fails the test."""
    acknowledged: list[dict[str, object]] = []
    refused: list[dict[str, object]] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = server.request("POST", "/api/orders", json=order_body())
        if answer.status_code == 201:
            acknowledged.append(answer.json())
        else:
            assert answer.status_code == 503, answer.text
            refused.append(answer.json())
    return acknowledged, refused


def test_sigterm_empties_the_wal_and_a_restart_has_every_order(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "kiosk.db", log_path=tmp_path / "server.log")
    server.start()
    acknowledged, refused = _post_until(server, 1.0)
    assert acknowledged and not refused
    server.stop()
    wal = _wal(server.db_path)
    # Everything is in the database file: nothing waits in a WAL that a backup copy or a deletion would miss.
    assert not wal.exists() or wal.stat().st_size == 0, wal.stat().st_size
    assert "WAL checkpointed" in server.log_path.read_text()
    server.start()
    try:
        ids = {order["id"] for order in server.request("GET", "/api/orders?limit=5000").json()["orders"]}
        assert {order["id"] for order in acknowledged} <= ids
    finally:
        server.stop()


def test_a_deleted_wal_stops_writes_and_loses_no_acknowledged_order(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "kiosk.db", log_path=tmp_path / "server.log")
    server.start()
    try:
        before, refused_before = _post_until(server, 0.5)
        assert before and not refused_before
        _wal(server.db_path).unlink()
        after, refused = _post_until(server, 1.5)
        # The deletion is noticed at the next write: at most the one racing with the unlink gets through.
        assert len(after) <= 1, f"{len(after)} orders acknowledged into a deleted WAL"
        assert refused, "writes went on into a deleted WAL"
        assert {body["error"]["code"] for body in refused} == {REPLACED}  # type: ignore[index]
        message = refused[0]["error"]["message"]  # type: ignore[index]
        assert "restart the server" in message, message
        # Reads go on from the same files.
        first = before[0]
        assert (
            server.request("GET", f"/api/orders/{first['id']}").json()["order_number"]
            == first["order_number"]
        )
        assert server.request("GET", "/api/orders?active").status_code == 200
    finally:
        server.stop()
    log = server.log_path.read_text()
    assert log.count("-wal was deleted while the server ran: refusing every write") == 1, log[-3000:]
    assert "Traceback" not in log
    server.start()
    try:
        found = {
            order["id"]: order["order_number"]
            for order in server.request("GET", "/api/orders?limit=5000").json()["orders"]
        }
        lost = [
            order["order_number"]
            for order in before + after
            if found.get(order["id"]) != order["order_number"]
        ]
        assert not lost, f"{len(lost)} acknowledged orders lost: {lost[:10]}"
        # A restart opens a WAL of its own again: writes work.
        assert server.request("POST", "/api/orders", json=order_body()).status_code == 201
    finally:
        server.stop()


# -- the guard in-process, for the cases a running server makes slow to set up ----------------------


@pytest.fixture
def hub(tmp_path: Path) -> Hub:
    return Hub(db.connect(tmp_path / "kiosk.db"), SystemClock(), retention_events=1000)


def _alert(hub: Hub) -> None:
    with hub.write() as tx:
        messages.alert(tx, validate_body(CreateAlert, {"severity": "info", "message": "lunch rush"}))


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_a_file_replaced_under_the_hub_refuses_writes_and_keeps_refusing(
    hub: Hub, tmp_path: Path, suffix: str
) -> None:
    _alert(hub)
    target = tmp_path / f"kiosk.db{suffix}"
    stranger = tmp_path / "restored-from-backup"
    stranger.write_bytes(target.read_bytes())
    stranger.replace(target)  # a new file (new inode) under the old name, as a restore does
    for _ in range(2):
        with pytest.raises(StorageRefusedError) as refused:
            _alert(hub)
        assert refused.value.code == REPLACED
        assert str(target) in refused.value.message and "restart the server" in refused.value.message
    with hub.read() as conn:  # reads go on
        assert conn.execute("SELECT COUNT(*) FROM alerts").fetchone()[0] == 1
    hub.close()


def test_close_checkpoints_everything_and_a_write_after_it_is_refused(hub: Hub, tmp_path: Path) -> None:
    for _ in range(50):
        _alert(hub)
    assert _wal(tmp_path / "kiosk.db").stat().st_size > 0
    hub.close()
    wal = _wal(tmp_path / "kiosk.db")
    assert not wal.exists() or wal.stat().st_size == 0
    with pytest.raises(StorageRefusedError) as refused:
        _alert(hub)
    assert refused.value.code == "server_stopping"
    check = sqlite3.connect(tmp_path / "kiosk.db")
    try:
        assert check.execute("SELECT COUNT(*) FROM alerts").fetchone()[0] == 50
    finally:
        check.close()


def test_close_waits_for_a_write_in_progress(hub: Hub) -> None:
    """A stop that lands mid-request: the request's transaction finishes (or never starts), whole."""
    entered, release = threading.Event(), threading.Event()

    def slow_write() -> None:
        with hub.write() as tx:
            messages.alert(tx, validate_body(CreateAlert, {"severity": "info", "message": "slow"}))
            entered.set()
            release.wait(5)

    writer = threading.Thread(target=slow_write)
    writer.start()
    assert entered.wait(5)
    closer = threading.Thread(target=hub.close)
    closer.start()
    closer.join(0.2)
    assert closer.is_alive(), "close did not wait for the open write"
    release.set()
    writer.join(5)
    closer.join(5)
    assert not closer.is_alive()
