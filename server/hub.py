"""The one place where state changes: a write commits the entity and its events together.

Every change runs in ``hub.write()``: under one lock, inside one SQLite
transaction, the entity rows and the event-log rows (seq = counter + 1) are
written; after COMMIT, still holding the lock, the events are handed to the
emitter in seq order (emitting never blocks: see server/broadcast.py).  So the
log has no gaps, a screen sees events in seq order, and a refused request
leaves nothing behind.

On PostgreSQL, shared by several processes, the lock is per process: what
keeps seq gapless across them is the first statement of every write, which
locks the ``seq`` row of ``meta`` until COMMIT (``SELECT … FOR UPDATE``).  A
rollback leaves the row as it was, and a write that waited for the lock reads
the seq its predecessor committed, so commit order is seq order.

Before each write the hub checks that its files are still the ones on disk
(server/storage_guard.py, SQLite only); large reads and the catch-up take a
connection of their own from ``hub.reads`` and no lock (server/read_pool.py);
``close()`` on a normal stop copies the whole WAL into the database file and
closes every connection.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from kiosk.protocol import EVERYONE, Envelope, Event
from kiosk.protocol.rooms import board
from server.clock import Clock
from server.database import Connection, PgConnection, dialect_of
from server.db import get_meta, set_meta, transaction
from server.read_pool import ReadPool
from server.sequencer import Part
from server.sqlite_storage import PostgresStorage, SqliteStorage
from server.storage_guard import StorageRefusedError

log = logging.getLogger("server.db")

BOARD_ROOM = board()
PRUNE_BATCH = 256  # events past the retention that start a prune
PRUNE_MAX_ROWS = 4 * PRUNE_BATCH  # events one write deletes at most

# Part: (socket event name, envelope, rooms), rooms None for every connected socket.  Plain data, so
# that a part can travel to another process (server/redis_manager.py) as it is.
# Called after COMMIT with each seq's parts, in seq order (an event for the board room has two parts).
Emitter = Callable[[int, list[Part]], None]


@dataclass
class Tx:
    """An open write: the connection plus the events it will publish on commit."""

    conn: Connection
    clock: Clock
    _seq: int
    outbox: list[Part] = field(default_factory=list)

    def publish(
        self,
        event: Event,
        rooms: list[str],
        data: dict[str, Any],
        *,
        board_data: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """File an event in the log (same transaction) and queue it for emitting after COMMIT.

        With ``board_data`` the customer board's room gets the same event (same seq and
        event_id) carrying only that: its envelope is kept apart (``board_envelopes``), so
        neither the broadcast nor the board's catch-up ever reads the full one.
        """
        self._seq += 1
        now = self.clock.now()
        envelope = Envelope(
            event_id=uuid.uuid4().hex, seq=self._seq, type=event.type, timestamp=now, data=data
        ).model_dump(mode="json")
        self.conn.execute(
            "INSERT INTO events (seq, event_id, type, envelope) VALUES (?, ?, ?, ?)",
            (self._seq, envelope["event_id"], event.type, orjson.dumps(envelope).decode()),
        )
        filed = rooms if board_data is None else [*rooms, BOARD_ROOM]
        self.conn.executemany(
            "INSERT INTO event_rooms (room, seq) VALUES (?, ?)", [(room, self._seq) for room in filed]
        )
        set_meta(self.conn, "seq", str(self._seq))
        self.outbox.append((event.value, envelope, None if rooms == [EVERYONE] else rooms))
        if board_data is not None:
            board_envelope = {**envelope, "data": board_data}
            self.conn.execute(
                "INSERT INTO board_envelopes (seq, envelope) VALUES (?, ?)",
                (self._seq, orjson.dumps(board_envelope).decode()),
            )
            self.outbox.append((event.value, board_envelope, [BOARD_ROOM]))
        return envelope

    @property
    def seq(self) -> int:
        return self._seq


class Hub:
    def __init__(
        self,
        conn: Connection,
        clock: Clock,
        *,
        retention_events: int,
        emitter: Emitter | None = None,
    ) -> None:
        self._conn = conn
        self._clock = clock
        self._lock = threading.RLock()
        self._retention = max(1, retention_events)
        # Prune in small batches, each inside an ordinary write: a tenth of the retention at once
        # (10 000 events) made one write in 10 000 take ~90 ms, holding every other write (and,
        # on PostgreSQL, the cluster's seq lock) that long.  A backlog (a lowered retention) is
        # worked off PRUNE_MAX_ROWS at a time, never in one long delete.
        self._prune_slack = min(PRUNE_BATCH, max(1, self._retention // 10))
        self._prune_logged = False
        self.emitter: Emitter | None = emitter
        self.dialect = dialect_of(conn)
        self._seq = int(get_meta(conn, "seq") or 0)
        self._pruned_through = int(get_meta(conn, "pruned_through") or 0)
        # Right after the writer's connection, while its files are surely the ones on disk.
        self._storage: SqliteStorage | PostgresStorage = (
            PostgresStorage(conn) if isinstance(conn, PgConnection) else SqliteStorage(conn)  # type: ignore[arg-type]
        )
        self.db_path: Path | None = self._storage.path
        self.reads = ReadPool(self._storage.open_reader)
        # The seq a joining screen is told it has everything up to.  Alone, the last seq this
        # process committed; in a cluster, what its sequencer has delivered (server/cluster.py).
        self.watermark: Callable[[], int] | None = None
        self._closed = False

    @property
    def seq(self) -> int:
        if self.watermark is not None:
            return self.watermark()
        with self._lock:
            return self._seq

    @property
    def written_seq(self) -> int:
        """The last seq this process committed (or found at start)."""
        with self._lock:
            return self._seq

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def pruned_through(self) -> int:
        with self._lock:
            return self._pruned_through

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """Reads share the lock so a snapshot and its seq are consistent with each other."""
        with self._lock:
            yield self._conn

    def check_storage(self) -> StorageRefusedError | None:
        """The refusal every write gets now, if any; on the first, what was written is checkpointed."""
        with self._lock:
            return self._check_storage()

    def _check_storage(self) -> StorageRefusedError | None:
        if self._closed:
            return StorageRefusedError(
                "server_stopping", "the server is stopping; nothing was saved; try again when it is back"
            )
        return self._storage.problem(self._conn)

    @contextmanager
    def write(self) -> Iterator[Tx]:
        with self._lock:
            problem = self._check_storage()
            if problem is not None:
                raise problem
            with transaction(self._conn):
                tx = Tx(self._conn, self._clock, self._head())
                yield tx
                pruned = self._maybe_prune(tx)
            self._seq = tx.seq
            if pruned is not None:
                self._pruned_through = pruned
                # one line at the first prune, not one per batch (every few hundred events)
                log.log(
                    logging.DEBUG if self._prune_logged else logging.INFO,
                    "event log pruned through seq %d (keeping the last %d, pruned as it grows)",
                    pruned,
                    self._retention,
                )
                self._prune_logged = True
            self._emit(tx.outbox)

    def _head(self) -> int:
        """The seq this write starts from.  On PostgreSQL the row stays locked until COMMIT: the
        cluster's writes queue here, one at a time, each seeing its predecessor's seq."""
        if self.dialect == "sqlite":
            return self._seq
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'seq' FOR UPDATE").fetchone()
        self._pruned_through = int(get_meta(self._conn, "pruned_through") or 0)
        return int(row[0])

    def close(self) -> None:
        """On a normal stop: wait for the write in progress, empty the WAL into the file, close.

        Without it the last second of orders (not yet checkpointed) lived
        only in the ``-wal`` file, which a backup copy of the ``.db`` misses
        and a deleted WAL takes with it.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            busy_reads = self.reads.close()
            self._storage.close(self._conn, busy_reads)
            self._conn.close()

    def _emit(self, outbox: list[Part]) -> None:
        if self.emitter is None:
            return
        for seq, parts in by_seq(outbox):
            try:
                self.emitter(seq, parts)
            except Exception:
                # The event is committed; a screen that missed it gets it through catch-up.
                log.exception("emitting seq %s (%s) failed", seq, parts[0][0])

    def _maybe_prune(self, tx: Tx) -> int | None:
        if tx.seq - self._pruned_through <= self._retention + self._prune_slack:
            return None
        through = min(tx.seq - self._retention, self._pruned_through + PRUNE_MAX_ROWS)
        tx.conn.execute("DELETE FROM event_rooms WHERE seq <= ?", (through,))
        tx.conn.execute("DELETE FROM events WHERE seq <= ?", (through,))
        tx.conn.execute("DELETE FROM board_envelopes WHERE seq <= ?", (through,))
        set_meta(tx.conn, "pruned_through", str(through))
        return through


def by_seq(outbox: list[Part]) -> list[tuple[int, list[Part]]]:
    """The outbox's parts grouped by seq, in order (a board event's two parts share one seq)."""
    grouped: list[tuple[int, list[Part]]] = []
    for part in outbox:
        seq = int(part[1]["seq"])
        if grouped and grouped[-1][0] == seq:
            grouped[-1][1].append(part)
        else:
            grouped.append((seq, [part]))
    return grouped
