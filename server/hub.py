"""The one place where state changes: a write commits the entity and its events together.

Every change runs in ``hub.write()``: under one lock, inside one SQLite
transaction, the entity rows and the event-log rows (seq = counter + 1) are
written; after COMMIT, still holding the lock, the events are handed to the
emitter in seq order (emitting never blocks: see server/broadcast.py).  So the
log has no gaps, a screen sees events in seq order, and a refused request
leaves nothing behind.

Before each write the hub checks that its files are still the ones on disk
(server/storage_guard.py); large reads and the catch-up take a connection of
their own from ``hub.reads`` and no lock (server/read_pool.py); ``close()`` on
a normal stop copies the whole WAL into the database file and closes every
connection.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from kiosk.protocol import Envelope, Event
from kiosk.protocol.rooms import board
from server.clock import Clock
from server.db import get_meta, set_meta, transaction
from server.read_pool import ReadPool
from server.storage_guard import StorageGuard, StorageRefusedError

log = logging.getLogger("server.db")

BOARD_ROOM = board()

# (event, envelope, rooms) — rooms == [EVERYONE] means every connected socket.
Emitter = Callable[[Event, dict[str, Any], list[str]], None]


@dataclass
class Tx:
    """An open write: the connection plus the events it will publish on commit."""

    conn: sqlite3.Connection
    clock: Clock
    _seq: int
    outbox: list[tuple[Event, dict[str, Any], list[str]]] = field(default_factory=list)

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
        self.outbox.append((event, envelope, rooms))
        if board_data is not None:
            board_envelope = {**envelope, "data": board_data}
            self.conn.execute(
                "INSERT INTO board_envelopes (seq, envelope) VALUES (?, ?)",
                (self._seq, orjson.dumps(board_envelope).decode()),
            )
            self.outbox.append((event, board_envelope, [BOARD_ROOM]))
        return envelope

    @property
    def seq(self) -> int:
        return self._seq


class Hub:
    def __init__(
        self,
        conn: sqlite3.Connection,
        clock: Clock,
        *,
        retention_events: int,
        emitter: Emitter | None = None,
    ) -> None:
        self._conn = conn
        self._clock = clock
        self._lock = threading.RLock()
        self._retention = max(1, retention_events)
        # Prune in batches (a tenth of the retention) rather than one row per event.
        self._prune_slack = max(1, self._retention // 10)
        self.emitter: Emitter | None = emitter
        self._seq = int(get_meta(conn, "seq") or 0)
        self._pruned_through = int(get_meta(conn, "pruned_through") or 0)
        self.db_path = Path(conn.execute("PRAGMA database_list").fetchone()[2])
        # Both right after the writer's connection, while its files are surely the ones on disk.
        self._guard = StorageGuard(self.db_path)
        self.reads = ReadPool(self.db_path)
        self._closed = False

    @property
    def seq(self) -> int:
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
    def read(self) -> Iterator[sqlite3.Connection]:
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
        if self._guard.tripped:
            return self._guard.problem()
        problem = self._guard.problem()
        if problem is not None:
            # This connection still holds the old WAL: copy it into the database file now, so that
            # what was answered before the deletion does not depend on a clean stop.
            _busy, frames, copied = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            log.warning(
                "copied %d of %d WAL frames into %s before refusing writes", copied, frames, self.db_path
            )
        return problem

    @contextmanager
    def write(self) -> Iterator[Tx]:
        with self._lock:
            problem = self._check_storage()
            if problem is not None:
                raise problem
            with transaction(self._conn):
                tx = Tx(self._conn, self._clock, self._seq)
                yield tx
                pruned = self._maybe_prune(tx)
            self._seq = tx.seq
            if pruned is not None:
                self._pruned_through = pruned
                log.info("event log pruned through seq %d (keeping the last %d)", pruned, self._retention)
            self._emit(tx.outbox)

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
            # A reader in another process makes TRUNCATE wait: not past the stop's few seconds.
            self._conn.execute("PRAGMA busy_timeout=2000")
            busy, frames, copied = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                log.warning(
                    "WAL checkpoint at stop: %d of %d frames copied into %s (another process is reading "
                    "it%s); the rest is copied at the next start",
                    copied,
                    frames,
                    self.db_path,
                    f"; {busy_reads} read(s) of this server had not finished" if busy_reads else "",
                )
            else:
                log.info("WAL checkpointed into %s (%d frames) and emptied at stop", self.db_path, copied)
            self._conn.close()

    def _emit(self, outbox: list[tuple[Event, dict[str, Any], list[str]]]) -> None:
        if self.emitter is None:
            return
        for event, envelope, rooms in outbox:
            try:
                self.emitter(event, envelope, rooms)
            except Exception:
                # The event is committed; a screen that missed it gets it through catch-up.
                log.exception("emitting %s seq %s failed", event, envelope["seq"])

    def _maybe_prune(self, tx: Tx) -> int | None:
        if tx.seq - self._pruned_through <= self._retention + self._prune_slack:
            return None
        through = tx.seq - self._retention
        tx.conn.execute("DELETE FROM event_rooms WHERE seq <= ?", (through,))
        tx.conn.execute("DELETE FROM events WHERE seq <= ?", (through,))
        tx.conn.execute("DELETE FROM board_envelopes WHERE seq <= ?", (through,))
        set_meta(tx.conn, "pruned_through", str(through))
        return through
