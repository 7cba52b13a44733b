"""The WAL is checkpointed by a thread of its own, not by the commit that crosses 1000 pages."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.protocol.requests import CreateAlert, validate_body
from server import db, messages
from server.checkpointer import BEHIND_FRAMES, Checkpointer, checkpoint_and_report, take_over_checkpoints
from server.clock import SystemClock
from server.hub import Hub
from tests.support.server_process import ServerProcess

pytestmark = pytest.mark.sqlite_only("SQLite's WAL checkpoints")

SQLITE_DEFAULT_AUTOCHECKPOINT = 1000


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    conn = db.connect(tmp_path / "kiosk.db")
    yield Hub(conn, SystemClock(), retention_events=1_000_000)
    conn.close()


def _write_alerts(hub: Hub, count: int) -> None:
    body = validate_body(CreateAlert, {"severity": "info", "message": "lunch rush"})
    for _ in range(count):
        with hub.write() as tx:
            messages.alert(tx, body)


def _run_here(call: object) -> object:
    return call()  # type: ignore[operator]


def test_commits_leave_the_wal_to_the_checkpointer_which_copies_all_of_it(hub: Hub, tmp_path: Path) -> None:
    take_over_checkpoints(hub)
    _write_alerts(hub, 400)
    checkpointer = Checkpointer(tmp_path / "kiosk.db")
    try:
        frames, copied = checkpointer.run_once()
        # Past SQLite's 1000 pages no commit checkpointed (it would have reset the WAL)...
        assert frames > SQLITE_DEFAULT_AUTOCHECKPOINT, frames
        # ...and one passive checkpoint copies every frame, beside a live writer connection.
        assert copied == frames
        _write_alerts(hub, 1)  # the next writer starts the WAL over
        frames_after, _ = checkpointer.run_once()
        assert 0 < frames_after < 50, frames_after
    finally:
        checkpointer.close()


def test_a_reader_pinning_an_old_snapshot_is_reported(
    hub: Hub, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    take_over_checkpoints(hub)
    reader = sqlite3.connect(tmp_path / "kiosk.db", isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM alerts").fetchone()  # holds its snapshot until COMMIT
    checkpointer = Checkpointer(tmp_path / "kiosk.db")
    try:
        frames = 0
        while frames <= BEHIND_FRAMES:
            _write_alerts(hub, 200)
            frames, _ = checkpointer.run_once()
        with caplog.at_level(logging.WARNING, logger="server.db"):
            result = checkpoint_and_report(checkpointer, _run_here)
        assert result is not None and result[1] < result[0] - BEHIND_FRAMES
        assert "WAL checkpoint is falling behind" in caplog.text
        reader.execute("COMMIT")
        frames, copied = checkpointer.run_once()
        assert copied == frames  # once the reader lets go, everything is copied
    finally:
        reader.close()
        checkpointer.close()


def test_a_failed_checkpoint_is_logged_and_the_loop_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    checkpointer = Checkpointer(tmp_path / "missing-dir" / "kiosk.db")  # sqlite cannot open it
    with caplog.at_level(logging.ERROR, logger="server.db"):
        assert checkpoint_and_report(checkpointer, _run_here) is None
    assert "WAL checkpoint failed" in caplog.text


def test_the_running_server_checkpoints_in_the_background(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "kiosk.db", extra_args=["--log-level", "DEBUG"])
    server.start()
    try:
        for _ in range(20):
            server.create_order()
        deadline = time.monotonic() + 10
        while "WAL checkpoint:" not in server.log_path.read_text():
            assert time.monotonic() < deadline, server.log_tail()
            time.sleep(0.05)  # polling a condition with a deadline
    finally:
        server.stop()
