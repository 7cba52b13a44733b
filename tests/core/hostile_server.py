"""A hostile order server: speaks this project's protocol, then sends what a screen must survive.

It answers the REST catch-up (empty lists at seq 0) and acknowledges ``join``
like the real server, so a screen goes live; then, a moment after each join,
it emits whatever the test asked for - a 10 MB event, or a burst.  The real
server cannot be made to send a 10 MB event (it refuses such bodies), and a
hostile or broken backend is exactly what the screen must not fall over on.
Real python-socketio and aiohttp on a loopback port, in a thread with its own
loop (``tests.support.loopback_aiohttp``, as ``legacy_server.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import socketio
from aiohttp import web

from kiosk.protocol import JoinEvent
from tests.support.loopback_aiohttp import LoopbackAiohttpServer

Payload = Callable[[], list[tuple[str, dict[str, Any]]]]


class HostileServer(LoopbackAiohttpServer):
    """``on_join`` returns the (event name, envelope) pairs sent to each socket after its join."""

    def __init__(
        self, on_join: Payload, *, delay_s: float = 0.05, orders: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__("hostile-server")
        self.sio = socketio.AsyncServer(
            async_mode="aiohttp", logger=False, engineio_logger=False, max_http_buffer_size=64 * 1024 * 1024
        )
        self.sio.attach(self.app)
        self.app.router.add_get("/api/orders", self._orders)
        self.app.router.add_get("/api/events", self._events)
        self.app.router.add_get("/api/health", self._health)
        self.on_join = on_join
        self.orders = orders or []  # the snapshot: the cards on screen before the burst
        self.delay_s = delay_s
        self.connects = 0
        self.joins = 0
        self.sent = 0
        self._tasks: set[asyncio.Task[None]] = set()

        @self.sio.event
        async def connect(sid: str, environ: Any, auth: Any = None) -> None:
            self.connects += 1

        @self.sio.on(JoinEvent.JOIN.value)
        async def join(sid: str, data: Any = None) -> dict[str, Any]:
            self.joins += 1
            room = data.get("room") if isinstance(data, dict) else data
            await self.sio.enter_room(sid, str(room))
            task = asyncio.get_running_loop().create_task(self._send_later(sid))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return {"ok": True, "room": room, "seq": 0}

    async def _send_later(self, sid: str) -> None:
        # After the ack, and after the screen's catch-up (a few REST calls on loopback): live.
        await asyncio.sleep(self.delay_s)
        for name, envelope in self.on_join():
            try:
                await self.sio.emit(name, envelope, to=sid)
            except Exception:  # the socket went away meanwhile
                return
            self.sent += 1

    async def _orders(self, request: web.Request) -> web.Response:
        return web.json_response({"orders": self.orders, "seq": 0})

    async def _events(self, request: web.Request) -> web.Response:
        return web.json_response({"events": [], "seq": 0, "more": False})

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "seq": 0})

    def stop(self) -> None:
        """Socket.IO first: its sockets are told goodbye before the runner closes the listener."""
        self.run(self.sio.shutdown())
        super().stop()
