"""The screen connects websocket-only first, and falls back to long-polling where websockets are blocked.

engine.io's default (a long-polling handshake, then the upgrade) needs sticky
sessions behind a load balancer over several server processes; a
websocket-only connection does not.  Against the real server, behind an
aiohttp reverse proxy that records every request the server is sent (and,
like some site proxies, may answer 403 to every websocket upgrade), these
prove from the server's side which transport the screen asked for: websocket
first; long-polling where the upgrade is refused, kept for ten minutes; and
websocket first again after the server was down (down is not blocked).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from kiosk.core.clock import FakeClock
from kiosk.core.connection_status import ConnectionState
from kiosk.core.session import Session
from kiosk.core.transport_choice import REMEMBER_S
from tests.core.helpers import make_config, running_session, wait_live, wait_until
from tests.support.loopback_aiohttp import LoopbackAiohttpServer
from tests.support.server_process import ServerProcess

BLOCKED = "websockets look blocked between this screen and the server"
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}


@dataclass(frozen=True)
class Seen:
    """One request the proxy was sent: what engine.io asked for, and how it was answered."""

    path: str
    transport: str | None  # engine.io's ?transport=
    sid: str | None  # engine.io's ?sid= (None: a new connection, not an upgrade or a poll of one)
    upgrade: bool  # an Upgrade: websocket request
    status: int  # what the screen was answered (101: the server took the websocket)

    @property
    def new_websocket(self) -> bool:
        """A websocket-only connection (not the upgrade of a polling one)."""
        return self.upgrade and self.transport == "websocket" and self.sid is None

    @property
    def polling_handshake(self) -> bool:
        return self.transport == "polling" and self.sid is None


class RecordingProxy(LoopbackAiohttpServer):
    """A reverse proxy in front of the real server that records each request; with ``refuse_websocket``
    it answers 403 to every websocket upgrade and forwards the rest (long-polling works).

    ``port`` and ``seen`` let a proxy restarted on the same port go on with the same record.
    """

    def __init__(
        self, upstream: str, *, refuse_websocket: bool = False, port: int = 0, seen: list[Seen] | None = None
    ) -> None:
        super().__init__("recording-proxy")
        self.upstream = upstream
        self.refuse_websocket = refuse_websocket
        self.port = port
        self.seen: list[Seen] = [] if seen is None else seen
        self._lock = threading.Lock()
        self._client: aiohttp.ClientSession | None = None
        self._sockets: set[web.WebSocketResponse | aiohttp.ClientWebSocketResponse] = set()
        self.app.router.add_route("*", "/{tail:.*}", self._handle)
        self.app.on_shutdown.append(self._close_sockets)

    async def _start(self) -> None:
        self._client = aiohttp.ClientSession(auto_decompress=False)
        self._runner = web.AppRunner(self.app, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def socketio(self) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.path.startswith("/socket.io")]

    def _record(self, request: web.Request, status: int) -> None:
        upgrade = request.headers.get("Upgrade", "").lower() == "websocket"
        query = request.query
        seen = Seen(request.path, query.get("transport"), query.get("sid"), upgrade, status)
        with self._lock:
            self.seen.append(seen)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            if self.refuse_websocket:
                self._record(request, 403)
                return web.Response(status=403, text="websockets are not allowed on this network")
            return await self._websocket(request)
        return await self._http(request)

    async def _http(self, request: web.Request) -> web.StreamResponse:
        assert self._client is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        try:
            async with self._client.request(
                request.method,
                self.upstream + request.path_qs,
                headers=headers,
                data=await request.read(),
                allow_redirects=False,
            ) as reply:
                body = await reply.read()
                status = reply.status
                out = {k: v for k, v in reply.headers.items() if k.lower() not in _HOP_BY_HOP}
        except aiohttp.ClientError:
            self._record(request, 502)
            return web.Response(status=502, text="the server behind this proxy does not answer")
        self._record(request, status)
        return web.Response(status=status, body=body, headers=out)

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        assert self._client is not None
        try:
            upstream = await self._client.ws_connect(self.upstream + request.path_qs, max_msg_size=0)
        except aiohttp.ClientError:
            self._record(request, 502)
            return web.Response(status=502, text="the server behind this proxy does not answer")
        self._record(request, 101)
        client = web.WebSocketResponse(max_msg_size=0)
        await client.prepare(request)
        self._sockets |= {client, upstream}
        pumps = [
            asyncio.ensure_future(_pump(client, upstream)),
            asyncio.ensure_future(_pump(upstream, client)),
        ]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pump in pumps:
                pump.cancel()
            for ws in (client, upstream):
                self._sockets.discard(ws)
                with contextlib.suppress(Exception):
                    await ws.close()
        return client

    async def _close_sockets(self, _app: web.Application) -> None:
        for ws in list(self._sockets):
            with contextlib.suppress(Exception):
                await ws.close()
        if self._client is not None:
            await self._client.close()


async def _pump(
    source: web.WebSocketResponse | aiohttp.ClientWebSocketResponse,
    target: web.WebSocketResponse | aiohttp.ClientWebSocketResponse,
) -> None:
    async for message in source:
        if message.type is aiohttp.WSMsgType.TEXT:
            await target.send_str(message.data)
        elif message.type is aiohttp.WSMsgType.BINARY:
            await target.send_bytes(message.data)
        else:
            return


@pytest.fixture
def proxy(server: ServerProcess) -> Iterator[RecordingProxy]:
    running = RecordingProxy(server.url)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def refusing(server: ServerProcess) -> Iterator[RecordingProxy]:
    running = RecordingProxy(server.url, refuse_websocket=True)
    running.start()
    yield running
    running.stop()


def _blocked_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if BLOCKED in r.getMessage()]


async def _restart(server: ServerProcess, session: Session) -> None:
    """Kill the server, wait for the screen to notice, start it again (same port)."""
    await asyncio.to_thread(server.kill)
    await wait_until(lambda: session.status.state is not ConnectionState.LIVE, what="the loss noticed")
    await asyncio.to_thread(server.start)


def test_the_first_connection_is_websocket_only_and_events_arrive_over_it(
    server: ServerProcess, proxy: RecordingProxy, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    token = server.add_device("kitchen", ["display"])

    async def scenario() -> None:
        async with running_session(make_config(proxy.url, "display", token), tmp_path) as (session, rec):
            await wait_live(session)
            seen = proxy.socketio()
            # what the server was sent: a websocket it accepted, and never a polling handshake
            assert seen[0].new_websocket and seen[0].status == 101, seen
            assert not [s for s in seen if s.transport == "polling"], seen
            assert session.connector.transport == "websocket"
            assert session.status.detail == ""
            new = (await asyncio.to_thread(server.create_order))["id"]
            await wait_until(lambda: new in session.store.orders, what="an order over the websocket")
            assert rec.created_ids() == [new]
            assert not [s for s in proxy.socketio() if s.transport == "polling"]

    with caplog.at_level(logging.INFO, logger="kiosk.net"):
        asyncio.run(scenario())
    assert _blocked_lines(caplog) == []


def test_behind_a_proxy_that_refuses_websockets_the_screen_goes_live_over_long_polling(
    server: ServerProcess, refusing: RecordingProxy, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    token = server.add_device("kitchen", ["display"])

    async def scenario() -> None:
        async with running_session(make_config(refusing.url, "display", token), tmp_path) as (session, rec):
            await wait_live(session, what="live over long-polling")
            seen = refusing.socketio()
            assert seen[0].new_websocket and seen[0].status == 403, seen  # websocket first, refused
            assert seen[1].polling_handshake and seen[1].status == 200, seen  # then long-polling, at once
            assert session.attempts == 1  # one attempt, not one more round of the backoff
            assert session.connector.transport == "polling"
            assert session.connector.transport_choice.polling
            assert "long-polling" in session.status.detail
            assert not session.status.polling  # that flag is the REST catch-up poll's, not this
            new = (await asyncio.to_thread(server.create_order))["id"]
            await wait_until(lambda: new in session.store.orders, what="an order over long-polling")
            assert rec.created_ids() == [new]

    with caplog.at_level(logging.INFO, logger="kiosk.net"):
        asyncio.run(scenario())
    lines = _blocked_lines(caplog)
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert lines[0].levelno == logging.WARNING
    assert "the websocket upgrade was answered 403 Forbidden" in lines[0].getMessage()
    assert "using long-polling" in lines[0].getMessage()


def test_the_long_polling_choice_is_kept_for_ten_minutes_then_websocket_is_tried_again(
    server: ServerProcess, refusing: RecordingProxy, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    token = server.add_device("kitchen", ["display"])
    clock = FakeClock()

    async def scenario() -> None:
        config = make_config(refusing.url, "display", token)
        async with running_session(config, tmp_path, clock=clock) as (session, _rec):
            await wait_live(session)
            mark = len(refusing.socketio())
            # down, then up within the ten minutes: no websocket-only attempt, straight to long-polling
            await _restart(server, session)
            await wait_live(session, what="live again over long-polling")
            again = refusing.socketio()[mark:]
            assert again and not [s for s in again if s.new_websocket], again
            assert [s for s in again if s.polling_handshake and s.status == 200], again
            assert session.connector.transport == "polling"
            # ten minutes on: the next connection tries websocket first again
            clock.advance(REMEMBER_S + 1)
            mark = len(refusing.socketio())
            await _restart(server, session)
            await wait_live(session, what="live after the ten minutes")
            after = refusing.socketio()[mark:]
            first_ws = next((i for i, s in enumerate(after) if s.new_websocket), None)
            assert first_ws is not None and after[first_ws].status == 403, after
            assert not [s for s in after[:first_ws] if s.polling_handshake and s.status == 200], after
            assert session.connector.transport == "polling"  # still refused: long-polling again

    with caplog.at_level(logging.INFO, logger="kiosk.net"):
        asyncio.run(scenario())
    lines = _blocked_lines(caplog)
    assert [r.levelno for r in lines] == [logging.WARNING, logging.INFO]  # warned once, then noted


def test_after_the_server_was_down_the_screen_reconnects_websocket_first(
    server: ServerProcess, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Down is not blocked: connection refused (the server and its host down) keeps websocket first."""
    token = server.add_device("kitchen", ["display"])
    proxy = RecordingProxy(server.url)
    proxy.start()
    proxies = [proxy]

    async def scenario() -> None:
        async with running_session(make_config(proxy.url, "display", token), tmp_path) as (session, _rec):
            await wait_live(session)
            mark = len(proxy.socketio())
            await asyncio.to_thread(server.kill)
            await asyncio.to_thread(proxies.pop().stop)  # nothing listens there now: connection refused
            await wait_until(
                lambda: session.status.state is not ConnectionState.LIVE, what="the loss noticed"
            )
            attempts = session.attempts
            await wait_until(lambda: session.attempts >= attempts + 2, what="attempts refused meanwhile")
            assert not session.connector.transport_choice.polling
            await asyncio.to_thread(server.start)
            back = RecordingProxy(server.url, port=proxy.port, seen=proxy.seen)
            proxies.append(back)
            await asyncio.to_thread(back.start)
            await wait_live(session, what="live again")
            after = back.socketio()[mark:]
            assert after[0].new_websocket and after[0].status == 101, after
            assert not [s for s in after if s.transport == "polling"], after
            assert session.connector.transport == "websocket"

    try:
        with caplog.at_level(logging.INFO, logger="kiosk.net"):
            asyncio.run(scenario())
    finally:
        for running in proxies:
            running.stop()
    assert _blocked_lines(caplog) == []


def test_a_gateway_error_while_the_server_is_down_is_not_taken_for_blocked_websockets(
    server: ServerProcess, proxy: RecordingProxy, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A proxy whose server is down answers the upgrade 502, and long-polling the same: websocket first again."""
    token = server.add_device("kitchen", ["display"])

    async def scenario() -> None:
        async with running_session(make_config(proxy.url, "display", token), tmp_path) as (session, _rec):
            await wait_live(session)
            mark = len(proxy.socketio())
            await asyncio.to_thread(server.kill)

            def websocket_502s() -> list[int]:
                return [
                    i for i, s in enumerate(proxy.socketio()[mark:]) if s.new_websocket and s.status == 502
                ]

            await wait_until(
                lambda: len(websocket_502s()) >= 2, what="two websocket-only attempts answered 502"
            )
            first, second = websocket_502s()[:2]
            between = proxy.socketio()[mark:][first + 1 : second]
            assert [s for s in between if s.polling_handshake and s.status == 502], (
                between
            )  # polling tried too
            await asyncio.to_thread(server.start)
            await wait_live(session, what="live again")
            assert session.connector.transport == "websocket"
            assert not session.connector.transport_choice.polling

    with caplog.at_level(logging.INFO, logger="kiosk.net"):
        asyncio.run(scenario())
    assert _blocked_lines(caplog) == []
