"""Read-only connections for large reads: a consistent snapshot without the hub's lock.

Why: ``GET /api/orders?active`` with 10 000 active orders held the hub's lock
for 262 ms, and two screens looping on it pushed every screen's broadcast
latency to p50 187 ms.  In WAL mode a read transaction on a connection of its
own sees one committed state of the whole file, whatever the writer does
meanwhile, so a list and the ``seq`` read in the same transaction agree
without any lock.  The connections are opened with the hub's, at start: one
opened after the ``-wal`` file was deleted would read another file than the
writer writes (see server/storage_guard.py).  On PostgreSQL each is a session of
its own, and a snapshot is a REPEATABLE READ READ ONLY transaction.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from server.database import Connection, begin_snapshot

# Large reads at once: one core fewer than the machine has, so that one is always left for the event
# loop (on 2 cores two lists at once took both, and broadcasts waited for the CPU, not for a lock).
READ_CONNECTIONS = max(1, (os.cpu_count() or 2) - 1)

T = TypeVar("T")


class ReadPool:
    """``size`` connections, each lent to one read at a time; a read beyond them waits its turn."""

    def __init__(self, open_reader: Callable[[], Connection], size: int = READ_CONNECTIONS) -> None:
        self._size = size
        self._free = [open_reader() for _ in range(size)]
        self._turns = threading.Semaphore(size)  # a gevent semaphore under gevent: waits cooperatively
        self._lock = threading.Lock()
        self._closed = False

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        self._turns.acquire()
        try:
            with self._lock:
                if self._closed:
                    raise sqlite3.ProgrammingError("the read connections are closed (the server is stopping)")
                conn = self._free.pop()
            try:
                yield conn
            finally:
                with self._lock:
                    self._free.append(conn)
        finally:
            self._turns.release()

    def close(self, timeout_s: float = 2.0) -> int:
        """Close every connection once its read is done; returns how many were still busy at the deadline."""
        taken = 0
        for _ in range(self._size):
            if not self._turns.acquire(timeout=timeout_s):
                break
            taken += 1
        with self._lock:
            self._closed = True
            for conn in self._free:
                conn.close()
            self._free.clear()
        return self._size - taken


def in_snapshot(conn: Connection, read: Callable[[Connection], T]) -> T:
    """Run ``read`` inside one read transaction: every SELECT in it sees the same committed state."""
    begin_snapshot(conn)
    try:
        return read(conn)
    finally:
        conn.execute("ROLLBACK")  # nothing to keep: it only read
