"""engine.io's long-polling replies are capped and have a deadline: a hostile ``/socket.io/`` cannot eat a screen.

engine.io connects with a polling handshake (``GET /socket.io/?EIO=4&transport=polling``)
and read its reply whole: a Session pointed at a server whose reply never ends
grew by 1.1 GB in 15 s.  Against ``hostile_http`` (raw sockets on loopback)
answering ``/socket.io/`` with an endless body or a body trickled at 1 byte/s,
and the REST catch-up like an empty server (so the poll works and would wake
the reconnect at once), a whole Session must read no more than the cap, say why
once, back off like for an oversized websocket message, and stop promptly.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.core import socket_faults
from kiosk.core.clock import FakeClock
from kiosk.core.connection_status import ConnectionState, ConnectionStatus
from kiosk.core.session import Session
from tests.core.helpers import Recorder, make_config, stop_timed, wait_until
from tests.core.hostile_http import HUGE_LENGTH, POLL_ENDLESS, POLL_TRICKLE, HostileServer
from tests.core.hostile_server import HostileServer as SocketIOServer
from tests.core.test_oversized_event import (
    INITIAL_S,
    MAX_S,
    _attempts_over_window,
    _ten_megabytes,
    most_attempts_in,
)
from tests.core.test_oversized_event import WINDOW_S as OVERSIZED_WINDOW_S

MIB = 1024 * 1024
CAP = 8 * MIB  # socket_faults.MAX_POLL_REPLY_BYTES (checked below); a literal so this runs against any tree
# What the server gets into the loopback socket buffers (its send buffer, our receive buffer)
# before it notices the client has hung up: a few MiB, far below seconds of an endless reply.
SLACK = 16 * MIB
WINDOW_S = 5.0
TRICKLE_TIMEOUT_S = (
    1.5  # request_timeout_s: longer than the 1 s between bytes, so only a total deadline ends it
)
LIMIT = f"over this screen's {CAP // MIB} MiB limit"


@pytest.fixture
def endless() -> Iterator[HostileServer]:
    server = HostileServer(POLL_ENDLESS, give_up_after=8)
    yield server
    server.close()


@pytest.fixture
def trickle() -> Iterator[HostileServer]:
    server = HostileServer(POLL_TRICKLE, interval=1.0, give_up_after=20)
    yield server
    server.close()


async def _window(
    server: HostileServer, tmp_path: Path, request_timeout_s: float, *, stop_mid_request: bool = False
) -> tuple[Session, Recorder, float]:
    """A Session against ``server`` for WINDOW_S from its first attempt, then stopped (while an engine.io
    request is in flight, if ``stop_mid_request``); how long the stop took."""
    config = make_config(
        server.url,
        "display",
        "t" * 32,
        backoff_initial_s=INITIAL_S,
        backoff_max_s=MAX_S,
        poll_interval_s=0.1,
        request_timeout_s=request_timeout_s,
    )
    session = Session(config, data_dir=tmp_path, clock=FakeClock(), rng=random.Random(3))
    recorder = Recorder(session)
    await session.start()
    try:
        await wait_until(lambda: session.attempts >= 1, what="the first attempt")
        first = asyncio.get_running_loop().time()
        await wait_until(server.socketio_exchanges, what="the polling handshake to reach the server")
        await asyncio.sleep(max(0.0, WINDOW_S - (asyncio.get_running_loop().time() - first)))
        assert not any(task.done() for task in session._tasks), "a background task died"
        if stop_mid_request:
            await wait_until(
                lambda: any(e.closed_at is None for e in server.socketio_exchanges()),
                within=2 * MAX_S,
                what="an engine.io request in flight",
            )
    finally:
        took = await stop_timed(
            session, server.socketio_exchanges, "every engine.io request to be closed after the stop"
        )
    return session, recorder, took


def _reasons(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if text in r.getMessage()]


def _shown(statuses: list[ConnectionStatus]) -> list[str]:
    return [s.detail for s in statuses if s.state is ConnectionState.RECONNECTING and s.next_attempt_at]


def test_an_endless_handshake_reply_is_read_to_the_cap_logged_once_and_backed_off(
    endless: HostileServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="kiosk.net"):
        session, recorder, took = asyncio.run(_window(endless, tmp_path, 3.0))
    exchanges = endless.socketio_exchanges()
    # before: each handshake read for engine.io's whole 5 s timeout, hundreds of MB each
    assert max(e.sent for e in exchanges) < CAP + SLACK, [e.sent for e in exchanges]
    # Each attempt asks for a websocket first (answered 200 here: refused), then polls.
    polls = [e for e in exchanges if "transport=polling" in e.request_line]
    assert 2 <= len(polls) <= most_attempts_in(WINDOW_S), len(polls)  # retried, on the backoff
    assert 2 <= session.attempts <= most_attempts_in(WINDOW_S), session.attempts
    reasons = _reasons(caplog, LIMIT)
    assert len(reasons) == 1, reasons
    assert reasons[0].startswith(f"connection to {endless.url} failed: the server's reply to GET /socket.io/")
    assert "kept coming" in reasons[0]
    shown = _shown(recorder.statuses)
    assert shown and LIMIT in shown[0]  # the status badge says it too
    assert took < 2.0, f"stop took {took:.1f} s"
    assert session.connector._http is None  # the aiohttp session is closed


def test_a_trickled_handshake_reply_is_given_up_at_its_total_deadline(
    trickle: HostileServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="kiosk.net"):
        session, recorder, took = asyncio.run(
            _window(trickle, tmp_path, TRICKLE_TIMEOUT_S, stop_mid_request=True)
        )
    exchanges = trickle.socketio_exchanges()
    lasted = [e.closed_at - e.opened_at for e in exchanges if e.closed_at is not None]
    ended_by_deadline = lasted[:-1]  # the last one was cut by the stop
    # before: engine.io's own 5 s, whatever request_timeout_s says
    assert ended_by_deadline and max(ended_by_deadline) < TRICKLE_TIMEOUT_S + 1.0, lasted
    assert 2 <= session.attempts <= most_attempts_in(WINDOW_S), session.attempts
    reasons = _reasons(caplog, "took over")
    assert len(reasons) == 1, reasons
    assert reasons[0].startswith(f"connection to {trickle.url} failed: the server's reply to GET /socket.io/")
    assert f"took over {TRICKLE_TIMEOUT_S}" in reasons[0] and "of it had come): gave up" in reasons[0]
    shown = _shown(recorder.statuses)
    assert shown and "took over" in shown[0]
    assert session.status.state is not ConnectionState.CONNECTING  # not "connecting" for ever
    assert took < 2.0, f"stop took {took:.1f} s"


@pytest.fixture
def polling_only() -> Iterator[SocketIOServer]:
    server = SocketIOServer(_ten_megabytes)
    # As behind a proxy that blocks websockets: polling only (a websocket-first attempt is refused, 400).
    server.sio.eio.allow_upgrades = False
    server.sio.eio.transports = ["polling"]
    server.start()
    yield server
    server.stop()


def test_a_screen_left_on_polling_drops_a_10_mb_payload_says_why_once_and_backs_off(
    polling_only: SocketIOServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """After the handshake: each long poll of a screen whose websocket is blocked, with the
    10 MB event of test_oversized_event.  Before, it was read whole and the screen stayed live."""
    server = polling_only
    with caplog.at_level(logging.INFO, logger="kiosk.net"):
        attempts, statuses = asyncio.run(
            _attempts_over_window(server, tmp_path, poll_interval_s=0.1, stable_on_live=False)
        )
    assert 2 <= attempts <= most_attempts_in(OVERSIZED_WINDOW_S), attempts
    reasons = _reasons(caplog, LIMIT)
    assert len(reasons) == 1, reasons
    assert reasons[0].startswith(f"connection to {server.url} lost: the server's reply to GET /socket.io/")
    assert not [r for r in caplog.records if r.getMessage().endswith(" lost")]  # no bare "connection lost"
    shown = _shown(statuses)
    assert shown and LIMIT in shown[0]


def test_the_cap_is_four_websocket_messages() -> None:
    assert socket_faults.MAX_POLL_REPLY_BYTES == CAP == 4 * socket_faults.MAX_MESSAGE_BYTES


def test_a_declared_body_over_the_cap_is_refused_before_it_is_read() -> None:
    from kiosk.core.capped_http import ReplyWatch, capped_session  # here: the old tree has no such module

    server = HostileServer(HUGE_LENGTH, interval=0.2, give_up_after=20)
    watch = ReplyWatch()

    async def scenario() -> float:
        http = capped_session(watch)
        try:
            started = time.monotonic()
            reply = await http.get(f"{server.url}/socket.io/?EIO=4&transport=polling")
            with pytest.raises(ValueError, match=LIMIT):
                await reply.read()
            return time.monotonic() - started
        finally:
            await http.close()

    try:
        took = asyncio.run(scenario())
    finally:
        server.close()
    assert took < 2, f"refused only after {took:.1f} s"
    assert watch.take() == (
        f"the server's reply to GET /socket.io/ declares 10000.0 MB, {LIMIT}: refused "
        "(check what the server or a proxy in front of it sends)"
    )
    assert watch.take() is None
