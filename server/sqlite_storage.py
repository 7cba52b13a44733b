"""What only an SQLite file needs around the hub: the file guard, the WAL at stop, read connections.

PostgreSQL keeps its own files; its storage (PostgresStorage) refuses nothing
and checkpoints nothing, and its read connections are sessions of their own.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from server.database import Connection, PgConnection
from server.storage_guard import StorageGuard, StorageRefusedError

log = logging.getLogger("server.db")


def open_sqlite_reader(path: Path) -> sqlite3.Connection:
    # check_same_thread=False: a read runs on a native thread of the pool (see server/routes.py).
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)
    conn.row_factory = sqlite3.Row  # as the hub's: the domain modules read columns by name
    conn.execute("PRAGMA query_only=1")
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


class SqliteStorage:
    """The writer's file: checked before each write, its WAL emptied into it at a normal stop."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.path = Path(conn.execute("PRAGMA database_list").fetchone()[2])
        # Right after the writer's connection, while its files are surely the ones on disk.
        self._guard = StorageGuard(self.path)

    def open_reader(self) -> Connection:
        return open_sqlite_reader(self.path)

    def problem(self, conn: Connection) -> StorageRefusedError | None:
        if self._guard.tripped:
            return self._guard.problem()
        problem = self._guard.problem()
        if problem is not None:
            # This connection still holds the old WAL: copy it into the database file now, so that
            # what was answered before the deletion does not depend on a clean stop.
            _busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            log.warning(
                "copied %d of %d WAL frames into %s before refusing writes", copied, frames, self.path
            )
        return problem

    def close(self, conn: Connection, busy_reads: int) -> None:
        # A reader in another process makes TRUNCATE wait: not past the stop's few seconds.
        conn.execute("PRAGMA busy_timeout=2000")
        busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            log.warning(
                "WAL checkpoint at stop: %d of %d frames copied into %s (another process is reading "
                "it%s); the rest is copied at the next start",
                copied,
                frames,
                self.path,
                f"; {busy_reads} read(s) of this server had not finished" if busy_reads else "",
            )
        else:
            log.info("WAL checkpointed into %s (%d frames) and emptied at stop", self.path, copied)


class PostgresStorage:
    """PostgreSQL guards its own files; reads get sessions of their own, read-only."""

    path: Path | None = None

    def __init__(self, conn: PgConnection) -> None:
        self._url = conn.url

    def open_reader(self) -> Connection:
        return PgConnection(self._url, read_only=True)

    def problem(self, conn: Connection) -> StorageRefusedError | None:
        return None

    def close(self, conn: Connection, busy_reads: int) -> None:
        if busy_reads:
            log.warning("%d read(s) of this server had not finished at stop", busy_reads)
