"""A database written by an older server is upgraded in place when this one opens it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from server import db


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
