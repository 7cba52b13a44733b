"""The schema, the SQLite file's connection settings and the meta table.

One connection per process, used under a lock by the hub: writes are
serialised anyway, and one writer is what keeps the event seq gapless.  WAL
lets the CLI (``devices add``) write to the same file while the server runs.
The schema is written once, in SQLite's words; server/db_postgres.py derives
PostgreSQL's from it, and server/schema.py opens either.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from server.database import Connection, begin_write

log = logging.getLogger("server.db")

# 2: idempotency.request_hash; 3: item ids, stations, item status, priority, times; 4: server_processes;
# 5: pairings, device_status, console_sessions
SCHEMA_VERSION = 5
MAX_ROW_ID = 2**63 - 1  # SQLite's INTEGER PRIMARY KEY

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_number TEXT NOT NULL UNIQUE,
    tenant_id INTEGER NOT NULL,
    customer_name TEXT NOT NULL,
    type TEXT NOT NULL,
    table_label TEXT,
    total_amount INTEGER NOT NULL,
    items_count INTEGER NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    qr_token TEXT NOT NULL UNIQUE,
    payment_status TEXT NOT NULL,
    cancel_reason TEXT,
    picked_up_at TEXT,
    completed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    priority TEXT NOT NULL DEFAULT 'normal',
    fire_at TEXT,
    prep_minutes INTEGER,
    preparing_at TEXT,
    ready_at TEXT,
    cancelled_at TEXT,
    ready_s REAL
);
CREATE INDEX IF NOT EXISTS orders_by_tenant ON orders (tenant_id, id);
CREATE INDEX IF NOT EXISTS orders_by_status ON orders (status, id);
CREATE TABLE IF NOT EXISTS order_items (
    order_id INTEGER NOT NULL REFERENCES orders (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    qty INTEGER NOT NULL,
    price INTEGER NOT NULL,
    notes TEXT NOT NULL,
    modifiers TEXT NOT NULL,
    id INTEGER NOT NULL DEFAULT 0,
    station TEXT,
    category TEXT,
    allergens TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'pending',
    void_reason TEXT,
    added_at TEXT,
    started_at TEXT,
    done_at TEXT,
    done_s REAL,
    PRIMARY KEY (order_id, position)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tenant_numbers (
    tenant_id INTEGER PRIMARY KEY,
    last_number INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id INTEGER NOT NULL UNIQUE REFERENCES orders (id),
    counter_id INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    amount_paid INTEGER NOT NULL,
    change INTEGER NOT NULL,
    payment_method TEXT NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    refund_reason TEXT,
    refunded_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS payments_by_counter ON payments (counter_id, id);
CREATE TABLE IF NOT EXISTS notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS devices (
    name TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    rooms TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    envelope TEXT NOT NULL
);
-- The customer board's view of an event filed for the board room, same seq (kiosk/protocol/board.py).
CREATE TABLE IF NOT EXISTS board_envelopes (
    seq INTEGER PRIMARY KEY,
    envelope TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS event_rooms (
    room TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (room, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idempotency (
    principal TEXT NOT NULL,
    key TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    request_hash TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (principal, key)
) WITHOUT ROWID;
-- Each running server process, its heartbeat and its delivery counters, for the cluster's stats.
CREATE TABLE IF NOT EXISTS server_processes (
    id TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    state TEXT NOT NULL
);
-- Screens showing a pairing code, until the admin approves it and the screen takes its token.
CREATE TABLE IF NOT EXISTS pairings (
    code TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    address TEXT,
    app_version TEXT NOT NULL,
    hostname TEXT NOT NULL,
    status TEXT NOT NULL,
    name TEXT,
    rooms TEXT,
    claimed_at TEXT
);
-- What each device's screen last reported about itself (server/fleet.py).
CREATE TABLE IF NOT EXISTS device_status (
    name TEXT PRIMARY KEY,
    online INTEGER NOT NULL,
    since TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    address TEXT,
    state TEXT NOT NULL
);
-- The admin console's signed-in sessions (server/console_sessions.py): only the cookie's hash.
CREATE TABLE IF NOT EXISTS console_sessions (
    id_hash TEXT PRIMARY KEY,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    address TEXT
);
"""


class DatabaseUnavailableError(RuntimeError):
    """The database cannot be opened for writing; the message says what and where, in one line."""


class SchemaError(DatabaseUnavailableError):
    """The file was written by a newer server; refusing beats corrupting it."""


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the database file with the schema in place.

    A file that cannot be opened for writing (a read-only disk, a folder of
    another user) is one clear error, not a traceback from the first PRAGMA.
    """
    try:
        return _open(path)
    except (sqlite3.OperationalError, OSError) as exc:
        writable = os.access(path.parent if path.parent.exists() else path.parent.parent, os.W_OK)
        hint = (
            "check the disk and the file"
            if writable
            else "its folder is not writable (read-only disk or wrong user?)"
        )
        raise DatabaseUnavailableError(f"cannot open the database {path}: {exc}; {hint}") from None


def _open(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE in the hub).
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode survives a process kill (only an OS crash may lose the last commits).
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=10000")
    _migrate(conn, path)
    return conn


@contextmanager
def transaction(conn: Connection) -> Iterator[Connection]:
    """One write transaction: COMMIT if the block ends normally, ROLLBACK if it raises (then re-raise).

    Why one helper: four places wrote BEGIN IMMEDIATE / COMMIT by hand and
    two of them left the transaction open when the block failed (the admin
    token at start, a device revocation that failed other than by an unknown
    name).  A COMMIT that failed on a full disk was already rolled back by
    SQLite: a second ROLLBACK would hide the real error behind "no
    transaction is active", so it is sent only while a transaction is open.
    """
    begin_write(conn)
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


# Created after the tables are brought up to date: an older file gains their columns first.
INDEXES = """
CREATE INDEX IF NOT EXISTS orders_by_created ON orders (created_at);
"""

# Schema 3's new columns, for a file made by an older server (ALTER TABLE keeps every row).
_V3_COLUMNS = {
    "orders": (
        "priority TEXT NOT NULL DEFAULT 'normal'",
        "fire_at TEXT",
        "prep_minutes INTEGER",
        "preparing_at TEXT",
        "ready_at TEXT",
        "cancelled_at TEXT",
        "ready_s REAL",
    ),
    "order_items": (
        "id INTEGER NOT NULL DEFAULT 0",
        "station TEXT",
        "category TEXT",
        "allergens TEXT NOT NULL DEFAULT '[]'",
        "status TEXT NOT NULL DEFAULT 'pending'",
        "void_reason TEXT",
        "added_at TEXT",
        "started_at TEXT",
        "done_at TEXT",
        "done_s REAL",
    ),
}


def _migrate(conn: sqlite3.Connection, path: Path) -> None:  # SQLite: at every open, as before
    with transaction(conn):
        for statement in SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        found = get_meta(conn, "schema_version")
        if found is None:
            stamp_new(conn)
            log.info("created a new database at %s (schema version %d)", path, SCHEMA_VERSION)
        elif int(found) > SCHEMA_VERSION:
            raise SchemaError(
                f"{path} has schema version {found}, this server knows up to {SCHEMA_VERSION}: "
                "upgrade the server or point --db at another file"
            )
        elif int(found) < SCHEMA_VERSION:
            _upgrade(conn, int(found), path)
        for statement in INDEXES.split(";"):
            if statement.strip():
                conn.execute(statement)
        # A write now, so that a read-only file fails here, at start, rather than at the first order.
        conn.execute("UPDATE meta SET value = value WHERE key = 'schema_version'")


def _upgrade(conn: sqlite3.Connection, found: int, path: Path) -> None:
    """Bring an older file up to SCHEMA_VERSION, step by step, inside the caller's transaction."""
    if found < 2:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(idempotency)")}
        if "request_hash" not in columns:
            # Keys stored before version 2 have no hash (''): they replay as before until they expire.
            conn.execute("ALTER TABLE idempotency ADD COLUMN request_hash TEXT NOT NULL DEFAULT ''")
    if found < 3:
        for table, added in _V3_COLUMNS.items():
            present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            for column in added:
                if column.split()[0] not in present:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
        # Lines of older orders get the ids new orders get: 1, 2, … in ticket order.
        conn.execute("UPDATE order_items SET id = position + 1 WHERE id = 0")
    set_meta(conn, "schema_version", str(SCHEMA_VERSION))
    log.info("upgraded %s from schema version %d to %d", path, found, SCHEMA_VERSION)


def stamp_new(conn: Connection) -> None:
    """A new database's meta rows: this schema's version, an empty event log."""
    set_meta(conn, "schema_version", str(SCHEMA_VERSION))
    set_meta(conn, "seq", "0")
    set_meta(conn, "pruned_through", "0")


def get_meta(conn: Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_meta(conn: Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
