"""Are the files the server writes still the ones on disk?

Why: SQLite keeps writing to a ``-wal`` file that was deleted (or replaced,
as a restore from backup does) while it is open: the old inode lives on,
every commit succeeds, and at the next start those orders are gone, with
``integrity_check`` still "ok" (122-300 acknowledged orders per run).  So the
identity (device, inode) of the database, its ``-wal`` and its ``-shm`` is
taken once the connections are open, and compared before each write: three
``os.stat`` calls, a few microseconds.  Once a file differs the server stops
accepting writes for good (the files on disk are no longer the ones its
connections hold) and says so once in the log; reads go on from the open
connections.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

log = logging.getLogger("server.db")

SUFFIXES = ("", "-wal", "-shm")


class StorageRefusedError(RuntimeError):
    """A write refused before it started, because of the storage; answered 503 with ``code``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


class StorageGuard:
    """The database's files as they were when opened; ``problem()`` says when one is not any more."""

    def __init__(self, db_path: Path) -> None:
        self._paths = [db_path.with_name(db_path.name + suffix) for suffix in SUFFIXES]
        self._expected = [_identity(path) for path in self._paths]
        self._lock = threading.Lock()
        self._refusal: StorageRefusedError | None = None

    @property
    def tripped(self) -> bool:
        return self._refusal is not None

    def problem(self) -> StorageRefusedError | None:
        """None while every file is the one opened; else the refusal (logged the first time only)."""
        if self._refusal is not None:
            return self._refusal
        for path, expected in zip(self._paths, self._expected, strict=True):
            if expected is None:  # not there when opened (a file SQLite had not made yet): nothing to compare
                continue
            now = _identity(path)
            if now != expected:
                return self._trip(path, "deleted" if now is None else "replaced by another file")
        return None

    def _trip(self, path: Path, what: str) -> StorageRefusedError:
        with self._lock:
            if self._refusal is None:
                self._refusal = StorageRefusedError(
                    "storage_replaced",
                    f"the server's database file {path} was {what} while the server ran; nothing was "
                    "saved; restart the server",
                )
                log.error(
                    "%s was %s while the server ran: refusing every write from now on (what it wrote "
                    "would not be in that file at the next start); reads go on; restart the server",
                    path,
                    what,
                )
            return self._refusal
