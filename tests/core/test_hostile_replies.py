"""A broken or hostile server's reply cannot exhaust a screen's memory, hang it, or hold up its shutdown.

Against a real HTTP server on loopback (``hostile_http``) that streams JSON
without end, trickles its reply a byte at a time (headers or body), or
declares a 10 GB body.  The old client read an endless reply into memory
(2.5 GB in 30 s) and waited on a trickle for ever, since ``requests``'
timeout bounds each read and a byte every 0.2 s never trips it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest

from kiosk.core.connection_status import ConnectionState
from kiosk.core.rest import RestClient, ServerUnreachableError
from kiosk.core.session import Session
from tests.core.helpers import make_config, stop_timed, wait_until
from tests.core.hostile_http import ENDLESS, HUGE_LENGTH, TRICKLE_BODY, TRICKLE_HEADERS, HostileServer

MIB = 1024 * 1024
EVENTS = {"room": "display", "after": 0}


async def _wait_closed(server: HostileServer, within: float = 5.0) -> None:
    await wait_until(
        lambda: bool(server.exchanges) and all(e.closed_at is not None for e in server.exchanges),
        within=within,
        what="the client to close its connection",
    )


def test_an_endless_reply_is_refused_past_the_cap(caplog: pytest.LogCaptureFixture) -> None:
    server = HostileServer(ENDLESS, give_up_after=20)
    client = RestClient(server.url, "t" * 32, timeout=3, max_reply_bytes=MIB)

    async def scenario() -> float:
        started = time.monotonic()
        with pytest.raises(
            ServerUnreachableError, match=r"reply from .* to GET /api/events over 1 MiB.*refused"
        ):
            await client.call("GET", "/api/events", params=EVENTS)
        took = time.monotonic() - started
        await _wait_closed(server)
        return took

    try:
        with caplog.at_level(logging.WARNING, logger="kiosk.net"):
            took = asyncio.run(scenario())
    finally:
        client.close()
        server.close()
    assert took < 10, f"reading stopped only after {took:.1f} s"
    # what the server got out before the client hung up: the cap plus the socket buffers, not gigabytes
    assert server.exchanges[0].sent < 32 * MIB, server.exchanges[0].sent
    assert not client.reachable  # actions queue at once rather than wait on this server
    assert "over 1 MiB" in caplog.text


def test_a_declared_huge_body_is_refused_before_it_is_read() -> None:
    server = HostileServer(HUGE_LENGTH, interval=0.2, give_up_after=20)
    client = RestClient(server.url, "t" * 32, timeout=3)

    async def scenario() -> float:
        started = time.monotonic()
        with pytest.raises(ServerUnreachableError, match=r"over 16 MiB \(it declares 10000000000 bytes\)"):
            await client.call("GET", "/api/events", params=EVENTS)
        return time.monotonic() - started

    try:
        took = asyncio.run(scenario())
    finally:
        client.close()
        server.close()
    assert took < 5, f"refused only after {took:.1f} s"


@pytest.mark.parametrize("mode", [TRICKLE_BODY, TRICKLE_HEADERS])
def test_a_trickled_reply_is_given_up_at_the_deadline(mode: str, caplog: pytest.LogCaptureFixture) -> None:
    # a byte every 0.2 s: well inside the 1 s read timeout, so only a total deadline ends it
    server = HostileServer(mode, interval=0.2, give_up_after=20)
    client = RestClient(server.url, "t" * 32, timeout=1, deadline=2)

    async def scenario() -> float:
        started = time.monotonic()
        with pytest.raises(ServerUnreachableError, match=r"GET /api/events to .* took over 2 s: gave up"):
            await client.call("GET", "/api/events", params=EVENTS)
        took = time.monotonic() - started
        await _wait_closed(server, within=3)
        return took

    try:
        with caplog.at_level(logging.WARNING, logger="kiosk.net"):
            took = asyncio.run(scenario())
    finally:
        client.close()
        server.close()
    assert 1.9 <= took < 6, f"gave up after {took:.1f} s"
    assert not client.reachable
    assert "took over 2 s: gave up" in caplog.text


def test_stop_is_prompt_and_frees_the_call_that_trickles(tmp_path: Path) -> None:
    """Cancelling the awaiting task used to leave its worker thread reading the trickle (and the
    process, which joins those threads at exit, open with it)."""
    server = HostileServer(TRICKLE_BODY, interval=0.2, give_up_after=30)
    config = make_config(server.url, "display", "t" * 32, request_timeout_s=5.0)  # deadline 15 s

    async def scenario() -> tuple[float, Session]:
        session = Session(config, data_dir=tmp_path)
        await session.start()
        await wait_until(server.api_exchanges, within=10, what="a REST call in flight")
        took = await stop_timed(session, server.api_exchanges, "the trickled REST call to be cut")
        return took, session

    try:
        took, session = asyncio.run(scenario())
        threads = list(session.rest._executor._threads)
        deadline = time.monotonic() + 3
        while any(t.is_alive() for t in threads) and time.monotonic() < deadline:
            time.sleep(0.02)  # polling interval of a deadline-bounded wait
    finally:
        server.close()
    assert took < 2.0, f"stop took {took:.1f} s"
    assert not any(t.is_alive() for t in threads), "a REST worker thread is still busy after the stop"


def test_a_screen_against_an_endless_server_keeps_retrying_with_bounded_reads(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = HostileServer(ENDLESS, give_up_after=20)
    config = make_config(server.url, "display", "t" * 32, poll_interval_s=0.2)

    async def scenario() -> Session:
        session = Session(config, data_dir=tmp_path)
        await session.start()
        try:
            await wait_until(
                lambda: sum(e.closed_at is not None for e in server.api_exchanges()) >= 3,
                within=15,
                what="three catch-up calls refused and retried",
            )
            assert session.status.state is not ConnectionState.LIVE
            assert not any(task.done() for task in session._tasks), "a background task died"
            assert len(session.store.orders) == 0
        finally:
            await session.stop()
        return session

    try:
        with caplog.at_level(logging.WARNING, logger="kiosk.net"):
            asyncio.run(scenario())
    finally:
        server.close()
    assert "over 16 MiB (it kept coming): refused" in caplog.text
