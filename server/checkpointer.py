"""The SQLite WAL is checkpointed beside the request path, not inside it.

Why: SQLite's automatic checkpoint runs inside the commit that crosses 1000
WAL pages.  That request copies the pages into the database file and syncs
it while the hub's lock is held, so about one event in 150 reached every
screen 2–5 ms late: at 20 screens with order events it *was* the fan-out p99
(8.2 ms, against 5.5 ms with the checkpoint out of the way; see
docs/benchmarks.md).  A PASSIVE checkpoint from a second connection, in a
native thread, runs beside the writer (WAL mode allows it) and never waits
for a lock.  The automatic checkpoint stays as a safety net at a much larger
threshold, should this thread ever fall behind.

Each round also checks that the database's files are still the ones on disk
(a deleted ``-wal`` is noticed within a second even when nobody writes), and
``stop_storage`` ends the loop and empties the WAL on a normal stop.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask_socketio import SocketIO

from server.hub import Hub

log = logging.getLogger("server.db")

CHECKPOINT_INTERVAL_S = 1.0
SAFETY_NET_PAGES = 10_000  # about 40 MB of WAL before a commit checkpoints by itself
BEHIND_FRAMES = SAFETY_NET_PAGES // 2

# Runs a blocking call where it cannot stall the event loop (a native thread under gevent).
RunBlocking = Callable[[Callable[[], Any]], Any]


class Checkpointer:
    """One connection of its own; ``run_once`` from a native thread."""

    def __init__(self, db_path: Path) -> None:
        self._path = db_path
        self._conn: sqlite3.Connection | None = None
        # Held by the loop around each round (a gevent lock under gevent), so close() waits for it.
        self.round_lock = threading.Lock()
        self.closed = False

    def open(self) -> None:
        """Open the connection now, with the hub's: one opened after the ``-wal`` file was deleted
        would checkpoint another file than the writer writes (it failed with "disk I/O error")."""
        if self._conn is None:
            # check_same_thread=False: a thread pool may run each call on a different thread.
            self._conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)

    def run_once(self) -> tuple[int, int]:
        """A PASSIVE checkpoint: returns (frames in the WAL, frames now in the database file)."""
        self.open()
        assert self._conn is not None
        _busy, frames, copied = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(frames), int(copied)

    def close(self) -> None:
        with self.round_lock:
            self.closed = True
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def take_over_checkpoints(hub: Hub) -> None:
    """Raise the hub connection's automatic checkpoint to a safety net only."""
    with hub.read() as conn:
        conn.execute(f"PRAGMA wal_autocheckpoint={SAFETY_NET_PAGES}")


def start_checkpointer(
    socketio: SocketIO,
    hub: Hub,
    db_path: Path,
    run_blocking: RunBlocking,
    interval_s: float = CHECKPOINT_INTERVAL_S,
) -> Checkpointer:
    checkpointer = Checkpointer(db_path)
    checkpointer.open()
    take_over_checkpoints(hub)

    def loop() -> None:
        while True:
            socketio.sleep(interval_s)
            if not one_round(checkpointer, hub, run_blocking):
                return

    socketio.start_background_task(loop)
    return checkpointer


def one_round(checkpointer: Checkpointer, hub: Hub, run_blocking: RunBlocking) -> bool:
    """Check the files, then checkpoint; False once the checkpointer is closed (the loop ends)."""
    with checkpointer.round_lock:
        if checkpointer.closed:
            return False
        hub.check_storage()  # logs once when a file was deleted or replaced, even with no writes
        checkpoint_and_report(checkpointer, run_blocking)
        return True


def stop_storage(hub: Hub, checkpointer: Checkpointer | None) -> None:
    """On a normal stop: end the checkpoint loop, then empty the WAL into the file and close (hub.close)."""
    if checkpointer is not None:
        checkpointer.close()
    hub.close()


def checkpoint_and_report(checkpointer: Checkpointer, run_blocking: RunBlocking) -> tuple[int, int] | None:
    """One round of the loop; what support needs to know goes to the log."""
    try:
        frames, copied = run_blocking(checkpointer.run_once)
    except Exception:
        log.exception("WAL checkpoint failed; trying again next round")
        return None
    if copied:
        log.debug("WAL checkpoint: %d of %d frames copied to the database file", copied, frames)
    if frames - copied > BEHIND_FRAMES:
        log.warning(
            "WAL checkpoint is falling behind: %d frames not yet copied (a reader holding an old "
            "snapshot?); past %d pages commits checkpoint by themselves again",
            frames - copied,
            SAFETY_NET_PAGES,
        )
    return frames, copied
