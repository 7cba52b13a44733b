"""The two databases behind one interface: SQLite (embedded, the default) and PostgreSQL (a cluster).

Why a thin layer of our own and no ORM: the SQL is already portable
(``ON CONFLICT … DO UPDATE``, ``RETURNING``, ``IN`` lists), and SQLAlchemy
Core measured 2.4–4.4× the client CPU of raw psycopg for the order
transaction, whose hold time is the cluster-wide write lock.  What differs is
small and lives here: placeholders (``?`` and ``:name`` become ``%s`` and
``%(name)s``, translated once per statement and cached), rows read by index
and by name as ``sqlite3.Row`` does, the errors (psycopg's are raised as
sqlite3's ``IntegrityError``/``OperationalError``, so every ``except`` in the
domain modules holds for both), and how a write or a snapshot begins.

psycopg is imported only when a ``--database-url`` asks for it: it is the
optional extra ``cluster``, and the embedded server never loads it.
"""

from __future__ import annotations

import functools
import logging
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit, urlunsplit

log = logging.getLogger("server.db")

Dialect = Literal["sqlite", "postgresql"]
IntegrityError = sqlite3.IntegrityError  # raised by both back ends (psycopg's are re-raised as these)
OperationalError = sqlite3.OperationalError

CLUSTER_EXTRA_HINT = "pip install 'kiosk[cluster]' (from a checkout: pip install -e '.[cluster]')"
# A writer waits at most this long for a row lock (the seq head) before the request fails as busy.
LOCK_TIMEOUT_MS = 5000
# A transaction left open by a stuck process is ended by PostgreSQL, releasing the seq head.
IDLE_IN_TRANSACTION_TIMEOUT_MS = 30000
CONNECT_TIMEOUT_S = 5


class Row(Protocol):
    """A result row: ``row[0]`` and ``row["name"]`` (sqlite3.Row, and _PgRow below)."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def keys(self) -> list[str]: ...


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """What the domain modules use of a connection: sqlite3.Connection has it, PgConnection too."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Any: ...

    @property
    def in_transaction(self) -> bool: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class DatabaseTarget:
    """Where the data lives: an SQLite file (``--db``) or a PostgreSQL URL (``--database-url``)."""

    path: Path | None = None
    url: str | None = None

    @property
    def dialect(self) -> Dialect:
        return "sqlite" if self.url is None else "postgresql"

    def describe(self) -> str:
        """For logs and errors: the file, or the URL without its password."""
        return str(self.path) if self.url is None else redact(self.url)


def redact(url: str) -> str:
    """``postgresql://kiosk:secret@db/kiosk`` → ``postgresql://kiosk:***@db/kiosk``: logs never hold a password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


def dialect_of(conn: object) -> Dialect:
    return "postgresql" if isinstance(conn, PgConnection) else "sqlite"


def in_list(values: Sequence[object]) -> tuple[str, list[object]]:
    """``IN (…)`` text and parameters for ``values``; never ``IN ()``, which PostgreSQL refuses.

    An empty list gives ``IN (NULL)``: true for no row on both back ends.
    """
    if not values:
        return "(NULL)", []
    return "(" + ", ".join("?" * len(values)) + ")", list(values)


_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@functools.lru_cache(maxsize=1024)
def to_psycopg(sql: str) -> str:
    """SQLite's placeholders as psycopg's: ``?`` → ``%s``, ``:name`` → ``%(name)s`` (``%`` doubled first).

    No statement of ours has a ``?`` or ``:word`` inside a string literal; ``::type``
    casts in the PostgreSQL-only statements are left alone.
    """
    text = sql.replace("%", "%%").replace("?", "%s")
    return _NAMED.sub(r"%(\1)s", text)


class _PgRow:
    """A row read by position or by column name, like sqlite3.Row."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: dict[str, int], values: Sequence[Any]) -> None:
        self._index = index
        self._values = values

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def keys(self) -> list[str]:
        return list(self._index)

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._index, self._values, strict=False))!r})"


def _row_factory(cursor: Any) -> Any:
    description = cursor.description or ()
    index = {column.name: position for position, column in enumerate(description)}

    def make(values: Sequence[Any]) -> _PgRow:
        return _PgRow(index, values)

    return make


class PgConnection:
    """One psycopg connection that speaks as sqlite3's: placeholders, rows, errors, explicit BEGIN.

    Autocommit, with transactions begun by the caller (``BEGIN`` … ``COMMIT``), as the hub does
    on SQLite.  A connection that broke (PostgreSQL restarted, a network cut) is opened again at
    the next statement outside a transaction; inside one, the statement fails and the write with it.
    """

    def __init__(self, url: str, *, read_only: bool = False) -> None:
        self.url = url
        self._read_only = read_only
        self._psycopg = import_psycopg()
        self._conn = self._connect()

    def _connect(self) -> Any:
        options = (
            f"-c lock_timeout={LOCK_TIMEOUT_MS}"
            f" -c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_TIMEOUT_MS} -c TimeZone=UTC"
        )
        try:
            conn = self._psycopg.connect(
                self.url,
                autocommit=True,
                row_factory=_row_factory,
                connect_timeout=CONNECT_TIMEOUT_S,
                options=options,
                keepalives=1,
                keepalives_idle=30,
                keepalives_interval=10,
                keepalives_count=3,
                application_name="kiosk-server",
            )
        except self._psycopg.Error as exc:
            raise OperationalError(f"cannot connect to {redact(self.url)}: {_first_line(exc)}") from None
        if self._read_only:
            conn.execute("SET default_transaction_read_only = on")
        return conn

    @property
    def in_transaction(self) -> bool:
        status = self._conn.info.transaction_status
        return bool(status != self._psycopg.pq.TransactionStatus.IDLE) and not self._conn.broken

    def execute(self, sql: str, parameters: Any = None, /) -> Any:
        self._reconnect_if_broken()
        try:
            if parameters is None or (not parameters and not isinstance(parameters, dict)):
                return self._conn.execute(sql)  # no parameters: psycopg sends the text as it is
            return self._conn.execute(to_psycopg(sql), parameters)
        except self._psycopg.Error as exc:
            raise _neutral(self._psycopg, exc) from exc

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Any:
        self._reconnect_if_broken()
        cursor = self._conn.cursor()
        try:
            cursor.executemany(to_psycopg(sql), list(parameters))
        except self._psycopg.Error as exc:
            raise _neutral(self._psycopg, exc) from exc
        return cursor

    def _reconnect_if_broken(self) -> None:
        if self._conn.broken or self._conn.closed:
            log.warning("the connection to %s was lost; connecting again", redact(self.url))
            self._conn = self._connect()

    def close(self) -> None:
        self._conn.close()


def _neutral(psycopg: Any, exc: Exception) -> Exception:
    """psycopg's error as the sqlite3 class every ``except`` of ours names, with its first line."""
    text = _first_line(exc)
    if isinstance(exc, psycopg.IntegrityError):
        return IntegrityError(text)
    if isinstance(exc, psycopg.OperationalError | psycopg.errors.LockNotAvailable):
        return OperationalError(text)
    return sqlite3.DatabaseError(text)


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def import_psycopg() -> Any:
    """psycopg, or one line naming the extra to install."""
    try:
        import psycopg  # noqa: PLC0415 - the optional extra, only for --database-url
    except ImportError:
        raise OperationalError(
            f"--database-url needs the PostgreSQL driver, which is not installed: {CLUSTER_EXTRA_HINT}"
        ) from None
    return psycopg


def begin_write(conn: Connection) -> None:
    """Start a write: SQLite's BEGIN IMMEDIATE takes the file's write lock; PostgreSQL's writes
    serialise on the seq head row instead (server/hub.py), in READ COMMITTED."""
    conn.execute("BEGIN IMMEDIATE" if dialect_of(conn) == "sqlite" else "BEGIN")


def begin_snapshot(conn: Connection) -> None:
    """Start a read that sees one committed state throughout (WAL on SQLite; REPEATABLE READ on PostgreSQL)."""
    conn.execute(
        "BEGIN" if dialect_of(conn) == "sqlite" else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
    )
