"""A server that sends a 10 MB event on every connect: the screen says why, once, and backs off.

Issue 11, item 4: the socket dropped and reconnected every few seconds
forever, logging only "connection lost".  The server here is hostile on
purpose (``HostileServer``: real python-socketio on loopback, answering the
catch-up like ours, then emitting a 10 MB ``order:created`` after each join).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.core.backoff import Backoff
from kiosk.core.clock import FakeClock
from kiosk.core.connection_status import ConnectionState, ConnectionStatus
from kiosk.core.socket_faults import MAX_MESSAGE_BYTES, FaultLog
from kiosk.protocol import Event
from tests.core.envelopes import envelope, order_data
from tests.core.helpers import make_config, running_session, wait_until
from tests.core.hostile_server import HostileServer

WINDOW_S = 4.0
INITIAL_S = 0.2
MAX_S = 5.0
JITTER = 0.5  # Backoff's default, which the Session uses


def _ten_megabytes() -> list[tuple[str, dict[str, Any]]]:
    data = order_data(1, customer_name="x" * 10_000_000)
    return [(Event.ORDER_CREATED.value, envelope(Event.ORDER_CREATED, data, seq=1))]


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer(_ten_megabytes)
    server.start()
    yield server
    server.stop()


def most_attempts_in(window_s: float) -> int:
    """The most connect attempts the backoff schedule allows in ``window_s``: the first, then one
    after each delay at its shortest (``base * (1 - jitter)``); connecting only takes longer."""
    curve = Backoff(INITIAL_S, MAX_S, jitter=JITTER)
    attempts, elapsed, step = 1, 0.0, 0
    while True:
        elapsed += curve.base(step) * (1 - JITTER)
        if elapsed > window_s:
            return attempts
        attempts, step = attempts + 1, step + 1


async def _attempts_over_window(
    hostile: HostileServer, tmp_path: Path, *, poll_interval_s: float, stable_on_live: bool
) -> tuple[int, list[ConnectionStatus]]:
    clock = FakeClock()
    config = make_config(
        hostile.url,
        "display",
        "any-token",
        backoff_initial_s=INITIAL_S,
        backoff_max_s=MAX_S,
        poll_interval_s=poll_interval_s,
        stable_after_s=1.0,
    )
    async with running_session(config, tmp_path, clock=clock, rng=random.Random(3)) as (session, rec):
        if stable_on_live:
            # every connection lasts past stable_after before the big message breaks it
            session.subscribe_status(
                lambda status: clock.advance(2.0) if status.state is ConnectionState.LIVE else None
            )
        await wait_until(lambda: session.attempts >= 1, what="the first attempt")
        first = asyncio.get_running_loop().time()
        await wait_until(lambda: hostile.sent >= 1, what="the server to send its 10 MB event")
        await asyncio.sleep(max(0.0, WINDOW_S - (asyncio.get_running_loop().time() - first)))
        return session.attempts, list(rec.statuses)


def test_a_10_mb_event_is_logged_once_with_its_size_and_reconnects_follow_the_backoff(
    hostile: HostileServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="kiosk.net"):
        attempts, statuses = asyncio.run(
            _attempts_over_window(hostile, tmp_path, poll_interval_s=0.1, stable_on_live=False)
        )
    # before: every successful poll woke the reconnect at once (~25 attempts in 4 s)
    assert 2 <= attempts <= most_attempts_in(WINDOW_S), attempts
    assert hostile.sent >= 2  # it really did it again on the reconnect
    reasons = [r.getMessage() for r in caplog.records if "over this screen's" in r.getMessage()]
    assert len(reasons) == 1, reasons
    assert "the server sent a 10.0 MB message" in reasons[0]
    assert f"{MAX_MESSAGE_BYTES // 2**20} MiB limit" in reasons[0]
    assert not [r for r in caplog.records if r.getMessage().endswith(" lost")]  # no bare "connection lost"
    shown = [s.detail for s in statuses if s.state is ConnectionState.RECONNECTING and s.next_attempt_at]
    assert shown and "10.0 MB message" in shown[0]  # the screen's status says it too


def test_a_connection_that_lasted_stable_after_still_backs_off_when_the_server_broke_it(
    hostile: HostileServer, tmp_path: Path
) -> None:
    # A slow poll isolates the backoff: only its curve spaces the attempts.
    attempts, _ = asyncio.run(
        _attempts_over_window(hostile, tmp_path, poll_interval_s=30.0, stable_on_live=True)
    )
    # before: each drop after stable_after reset the curve, so every retry came after ~0.2 s
    assert 2 <= attempts <= most_attempts_in(WINDOW_S), attempts


def test_a_failed_disconnect_does_not_reset_the_curve_however_long_it_lasted() -> None:
    clock = FakeClock()
    backoff = Backoff(1.0, 30.0, stable_after=10.0, rng=random.Random(1), clock=clock)
    for _ in range(3):
        backoff.next_delay()
    backoff.connected()
    clock.advance(60)
    backoff.disconnected(failed=True)
    assert backoff.attempt == 3
    backoff.connected()
    clock.advance(60)
    backoff.disconnected()
    assert backoff.attempt == 0  # an ordinary loss after a stable connection still resets


def test_the_fault_log_says_it_once_then_a_count_per_interval(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    faults = FaultLog(clock, interval_s=600.0)
    with caplog.at_level(logging.WARNING, logger="kiosk.net"):
        for _ in range(50):
            faults.seen("http://server", "the server sent a 10.0 MB message")
            clock.advance(5)
        clock.advance(600)
        faults.seen("http://server", "the server sent a 10.0 MB message")
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2, lines
    assert lines[0] == "connection to http://server lost: the server sent a 10.0 MB message"
    assert "(49 more such drop(s) in the last 10 min, not logged each)" in lines[1]
