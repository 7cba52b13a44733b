"""The bounded set of seen event ids, kept on disk so a restart re-alerts nothing.

On disk it is an append-only file, one JSON string per line: appending an id
costs one small write (no rewrite of 100 000 ids per event), a torn last line
after a crash loses one id rather than the file, and the file is compacted to
the newest ``max_size`` ids when it grows past twice that.  A missing,
unreadable or corrupt file never stops the screen: it starts (partly) empty
and says so in the log.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import orjson

from kiosk.core.atomic_file import replace_file

log = logging.getLogger("kiosk.sync")

MAX_KEY_LENGTH = 300


class SeenIds:
    def __init__(self, path: Path | None = None, max_size: int = 100_000) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self.path = path
        self.max_size = max_size
        self._ids: dict[str, None] = {}  # insertion-ordered: oldest first
        self._lines_on_disk = 0
        self._handle: IO[bytes] | None = None
        if path is not None:
            self._load(path)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    def add(self, key: str) -> bool:
        """Remember ``key``; False when it was already known (a duplicate)."""
        key = key[:MAX_KEY_LENGTH]
        if key in self._ids:
            return False
        self._ids[key] = None
        while len(self._ids) > self.max_size:
            del self._ids[next(iter(self._ids))]
        self._append(key)
        return True

    def update(self, keys: Iterable[str]) -> None:
        for key in keys:
            self.add(key)

    def flush(self) -> None:
        """Push buffered writes to the OS (cheap; called after each batch)."""
        if self._handle is not None:
            try:
                self._handle.flush()
            except OSError as exc:
                self._disk_failed(exc)

    def close(self) -> None:
        if self._handle is not None:
            try:
                self._handle.close()
            except OSError as exc:
                log.warning("closing the seen-events file %s failed: %s", self.path, exc)
            self._handle = None

    def _load(self, path: Path) -> None:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            log.info("no seen-events file at %s yet; starting empty", path)
            return
        except OSError as exc:
            log.warning("cannot read seen-events file %s (%s); starting empty", path, exc)
            return
        bad = 0
        lines = raw.splitlines()
        for line in lines:
            key = _decode(line)
            if not isinstance(key, str):
                bad += 1
                continue
            self._ids.pop(key, None)
            self._ids[key] = None
        while len(self._ids) > self.max_size:
            del self._ids[next(iter(self._ids))]
        self._lines_on_disk = len(lines)
        if bad:
            log.warning(
                "seen-events file %s had %d unreadable line(s) of %d; kept the %d readable ids",
                path,
                bad,
                len(lines),
                len(self._ids),
            )
        if bad or self._lines_on_disk > 2 * self.max_size:
            self._compact()

    def _append(self, key: str) -> None:
        if self.path is None:
            return
        if self._lines_on_disk >= 2 * self.max_size:
            self._compact()
            return
        try:
            if self._handle is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._handle = self.path.open("ab")
            self._handle.write(_encode(key))
            self._lines_on_disk += 1
        except OSError as exc:
            self._disk_failed(exc)

    def _compact(self) -> None:
        """Rewrite the file with just the ids held, atomically."""
        if self.path is None:
            return
        self.close()
        try:
            replace_file(self.path, (_encode(key) for key in self._ids))
            self._lines_on_disk = len(self._ids)
        except OSError as exc:
            self._disk_failed(exc)

    def _disk_failed(self, exc: OSError) -> None:
        log.error(
            "cannot write seen-events file %s (%s); duplicates are still filtered in memory, "
            "but a restart may repeat alerts",
            self.path,
            exc,
        )
        self._handle = None
        self.path = None


def _encode(key: str) -> bytes:
    try:
        return orjson.dumps(key) + b"\n"
    except orjson.JSONEncodeError:  # lone surrogates: the json module escapes them
        return json.dumps(key).encode("ascii") + b"\n"


def _decode(line: bytes) -> object:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        try:
            return json.loads(line)
        except ValueError:
            return None
