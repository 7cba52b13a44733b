"""A database written by an older server is upgraded in place when this one opens it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from server import db, order_rows

pytestmark = pytest.mark.sqlite_only("an SQLite file of an older schema upgraded in place")


def make_version_1(path: Path) -> None:
    """The file a version-1 server left: no idempotency.request_hash, one stored key."""
    conn = db.connect(path)
    conn.execute("ALTER TABLE idempotency DROP COLUMN request_hash")
    conn.execute(
        "INSERT INTO idempotency (principal, key, method, path, status, body, created_at) "
        "VALUES ('admin', 'k1', 'POST', '/api/orders', 201, '{}', '2026-12-01T00:00:00Z')"
    )
    db.set_meta(conn, "schema_version", "1")
    conn.close()


def test_a_version_1_file_gains_the_request_hash_and_keeps_its_keys(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    make_version_1(path)
    conn = db.connect(path)
    assert db.get_meta(conn, "schema_version") == str(db.SCHEMA_VERSION)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(idempotency)")}
    assert "request_hash" in columns
    row = conn.execute("SELECT key, request_hash FROM idempotency").fetchone()
    assert tuple(row) == ("k1", "")  # an old key has no hash: it replays as before until it expires
    conn.close()
    again = db.connect(path)  # opening an upgraded file again changes nothing
    assert db.get_meta(again, "schema_version") == str(db.SCHEMA_VERSION)
    again.close()


def test_a_file_from_a_newer_server_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    conn = db.connect(path)
    db.set_meta(conn, "schema_version", str(db.SCHEMA_VERSION + 1))
    conn.close()
    with pytest.raises(db.SchemaError, match="upgrade the server"):
        db.connect(path)
    assert sqlite3.connect(path).execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[
        0
    ] == str(db.SCHEMA_VERSION + 1)


def make_version_2(path: Path) -> None:
    """The file a version-2 server left: one order of two lines, no item ids, stations or times."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript((Path(__file__).parent / "data" / "schema_v2.sql").read_text())
    conn.executescript(
        """
        INSERT INTO meta (key, value) VALUES ('schema_version', '2'), ('seq', '1'), ('pruned_through', '0');
        INSERT INTO orders (id, order_number, tenant_id, customer_name, type, table_label, total_amount,
            items_count, status, version, qr_token, payment_status, created_at, updated_at)
        VALUES (1, 'T1-001', 1, 'Budi', 'dine_in', NULL, 55000, 3, 'preparing', 2, 'q_x', 'unpaid',
            '2026-12-02T03:00:00.000Z', '2026-12-02T03:01:00.000Z');
        INSERT INTO order_items (order_id, position, name, qty, price, notes, modifiers)
        VALUES (1, 0, 'Nasi Goreng', 2, 25000, 'pedas', '[]'), (1, 1, 'Es Teh', 1, 5000, '', '[]');
        """
    )
    conn.close()


def test_a_version_2_file_gains_line_ids_stations_and_times_and_keeps_its_orders(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    make_version_2(path)
    conn = db.connect(path)
    assert db.get_meta(conn, "schema_version") == str(db.SCHEMA_VERSION)
    order, _ = order_rows.load(conn, 1)
    assert [(item.id, item.name, item.status.value, item.station) for item in order.items] == [
        (1, "Nasi Goreng", "pending", None),
        (2, "Es Teh", "pending", None),
    ]
    assert order.priority.value == "normal" and order.fire_at is None and order.status.value == "preparing"
    indexes = {row[1] for row in conn.execute("PRAGMA index_list(orders)")}
    assert "orders_by_created" in indexes
    conn.close()
    again = db.connect(path)  # opening it again changes nothing
    assert order_rows.load(again, 1)[0] == order
    again.close()


def test_a_version_3_file_from_the_one_process_server_gains_the_process_table_and_keeps_its_log(
    tmp_path: Path,
) -> None:
    """The file today's single-process servers write (schema 3): ``db upgrade`` and the next start take it."""
    path = tmp_path / "v3.db"
    conn = db.connect(path)
    conn.execute("DROP TABLE server_processes")
    conn.execute("INSERT INTO events (seq, event_id, type, envelope) VALUES (1, 'e1', 'alert', '{}')")
    db.set_meta(conn, "seq", "1")
    db.set_meta(conn, "schema_version", "3")
    conn.close()
    from server.database import DatabaseTarget
    from server.schema import upgrade_database

    assert upgrade_database(DatabaseTarget(path=path)) == (
        f"upgraded {path} from schema version 3 to {db.SCHEMA_VERSION}"
    )
    again = db.connect(path)
    tables = {row[0] for row in again.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "server_processes" in tables
    assert (
        db.get_meta(again, "seq") == "1" and again.execute("SELECT count(*) FROM events").fetchone()[0] == 1
    )
    again.close()
