"""Open the database a command was pointed at, and ``kiosk-server db upgrade``.

SQLite keeps doing what it always did: the file is created or upgraded in place
when it is opened (one process owns it).  PostgreSQL is shared by several
processes, so its schema changes only through ``db upgrade`` (server/db_postgres.py).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from server import db, db_postgres
from server.database import Connection, DatabaseTarget, OperationalError, PgConnection, redact


def open_database(target: DatabaseTarget, *, read_only: bool = False) -> Connection:
    """The writer's connection (or a read-only one), with the schema checked; one clear error otherwise."""
    if target.url is None:
        assert target.path is not None
        return db.connect(target.path)
    try:
        conn = PgConnection(target.url, read_only=read_only)
    except OperationalError as exc:
        raise db.DatabaseUnavailableError(str(exc)) from None
    try:
        db_postgres.check(conn, target.url)
    except BaseException:
        conn.close()
        raise
    return conn


def upgrade_database(target: DatabaseTarget) -> str:
    """Create or upgrade the schema; returns one line saying what was done."""
    if target.url is None:
        assert target.path is not None
        before = _file_version(target.path)
        db.connect(target.path).close()
        if before is None:
            return f"created {target.path} (schema version {db.SCHEMA_VERSION})"
        if before == db.SCHEMA_VERSION:
            return f"{target.path} is already at schema version {db.SCHEMA_VERSION}"
        return f"upgraded {target.path} from schema version {before} to {db.SCHEMA_VERSION}"
    try:
        conn = PgConnection(target.url)
    except OperationalError as exc:
        raise db.DatabaseUnavailableError(str(exc)) from None
    try:
        return db_postgres.upgrade(conn, target.url)
    except OperationalError as exc:
        raise db.DatabaseUnavailableError(f"cannot upgrade {redact(target.url)}: {exc}") from None
    finally:
        conn.close()


def _file_version(path: Path) -> int | None:
    """The schema version of an existing file, read without changing it; None if there is none yet."""
    if not path.exists():
        return None
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()
    return None if row is None else int(row[0])
