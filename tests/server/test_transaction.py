"""One write transaction helper: committed when the block ends, rolled back (and re-raised) when it fails."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from server.db import transaction

pytestmark = pytest.mark.sqlite_only("sqlite3's transaction helper on a file")


def _conn(tmp_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(tmp_path / "t.db", isolation_level=None)
    conn.execute("CREATE TABLE t (n INTEGER)")
    return conn


def test_a_block_that_ends_is_committed(tmp_path: Path) -> None:
    conn = _conn(tmp_path)
    with transaction(conn):
        conn.execute("INSERT INTO t VALUES (1)")
        assert conn.in_transaction
    assert not conn.in_transaction
    assert conn.execute("SELECT n FROM t").fetchall() == [(1,)]


def test_a_block_that_fails_is_rolled_back_and_the_error_goes_on(tmp_path: Path) -> None:
    conn = _conn(tmp_path)
    with pytest.raises(KeyError, match="boom"), transaction(conn):
        conn.execute("INSERT INTO t VALUES (2)")
        raise KeyError("boom")
    assert not conn.in_transaction  # before: two of the four hand-written blocks left it open
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (0,)
    with transaction(conn):  # and the connection takes the next transaction
        conn.execute("INSERT INTO t VALUES (3)")
    assert conn.execute("SELECT n FROM t").fetchall() == [(3,)]


def test_a_block_that_ended_the_transaction_itself_is_not_rolled_back_twice(tmp_path: Path) -> None:
    """As SQLite does when a COMMIT fails on a full disk: the real error must not become "no transaction"."""
    conn = _conn(tmp_path)
    with pytest.raises(OSError, match="disk full"), transaction(conn):
        conn.execute("ROLLBACK")
        raise OSError("disk full")
