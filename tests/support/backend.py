"""Which database the server's tests run on: SQLite (default) or PostgreSQL (``KIOSK_TEST_BACKEND``).

``KIOSK_TEST_BACKEND=postgresql pytest tests/server`` runs the whole server suite
with every server (child process or in-process) on a new database of the
session's throwaway PostgreSQL cluster (tests/support/service_fixtures.py),
its schema made by ``db upgrade`` as an admin would.  Tests about the SQLite
file itself (its WAL, its checkpoints, a full disk) are marked ``sqlite_only``
and skipped there, with the reason.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from server.database import Connection
    from tests.support.postgres_service import PostgresCluster

BACKEND_ENV = "KIOSK_TEST_BACKEND"
BACKENDS = ("sqlite", "postgresql")

_cluster: PostgresCluster | None = None


def backend() -> str:
    chosen = os.environ.get(BACKEND_ENV, "sqlite").strip().lower() or "sqlite"
    if chosen not in BACKENDS:
        raise RuntimeError(f"{BACKEND_ENV}={chosen!r}: use one of {', '.join(BACKENDS)}")
    return chosen


def on_postgres() -> bool:
    return backend() == "postgresql"


def use_cluster(cluster: PostgresCluster | None) -> None:
    """Set by tests/conftest.py for each test when the backend is PostgreSQL."""
    global _cluster  # noqa: PLW0603 - one cluster for the session, handed over by a fixture
    _cluster = cluster


def new_database_url(cluster: PostgresCluster | None = None, *, upgraded: bool = True) -> str:
    """A new database on ``cluster`` (by default the session's), with the schema made (as ``db upgrade``)."""
    cluster = cluster or _cluster
    if cluster is None:
        raise RuntimeError("no PostgreSQL cluster: the postgres_cluster fixture was not requested")
    url = cluster.create_database()
    if upgraded:
        from server.database import DatabaseTarget
        from server.schema import upgrade_database

        upgrade_database(DatabaseTarget(url=url))
    return url


def database_url_for_new_server() -> str | None:
    """None on SQLite; on PostgreSQL a new, upgraded database for one server."""
    return new_database_url() if on_postgres() else None


def config_database(tmp_path: Path) -> dict[str, Any]:
    """ServerConfig's database arguments for an in-process server on the chosen backend."""
    return {"db_path": tmp_path / "kiosk.db", "database_url": database_url_for_new_server()}


def hub_connection(path: Path) -> Connection:
    """A writer's connection, as create_app opens it: the SQLite file at ``path``, or a new database."""
    from server.database import DatabaseTarget
    from server.schema import open_database

    url = database_url_for_new_server()
    return open_database(DatabaseTarget(url=url) if url else DatabaseTarget(path=path))


def table_rows(db_path: Path, database_url: str | None) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, read straight from the database (beside a running server), for before/after
    comparisons: the SQLite file read-only, or the PostgreSQL database in a session of its own."""
    if database_url is None:
        import sqlite3

        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        listing = "SELECT name FROM sqlite_master WHERE type = 'table'"
    else:
        from server.database import PgConnection

        conn = PgConnection(database_url, read_only=True)  # type: ignore[assignment]
        listing = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    try:
        # server_processes is the running processes' heartbeat, rewritten every few seconds: not data.
        tables = sorted(row[0] for row in conn.execute(listing) if row[0] != "server_processes")
        return {
            table: sorted(tuple(row) for row in conn.execute(f"SELECT * FROM {table}")) for table in tables
        }
    finally:
        conn.close()
