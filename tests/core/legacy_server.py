"""A stand-in for the order backends restaurants already run (the real one is not available).

Same event names and ``{type, timestamp, data}`` envelopes, but no
``event_id``, no ``seq``, no tokens, no catch-up endpoint, no ``join`` ack:
rooms are joined with ``join-display`` / ``join-kasir`` / ``join-tenant``, and
the order list is ``GET /api/orders`` without a seq.  Real python-socketio
and aiohttp on a loopback port, in a thread with its own loop.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from typing import Any

import socketio
from aiohttp import web

from kiosk.protocol import Event, JoinEvent, iso


class LegacyServer:
    def __init__(self) -> None:
        self.sio = socketio.AsyncServer(async_mode="aiohttp", logger=False, engineio_logger=False)
        self.app = web.Application()
        self.sio.attach(self.app)
        self.app.router.add_get("/api/orders", self._orders)
        self.orders: dict[int, dict[str, Any]] = {}
        self.joins: list[tuple[str, Any]] = []
        self.sids: set[str] = set()
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="legacy-server", daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

        @self.sio.event
        async def connect(sid: str, environ: Any, auth: Any = None) -> None:
            self.sids.add(sid)

        @self.sio.event
        async def disconnect(sid: str, *_: Any) -> None:
            self.sids.discard(sid)

        @self.sio.on(JoinEvent.JOIN_DISPLAY.value)
        async def join_display(sid: str, *_: Any) -> None:
            await self.sio.enter_room(sid, "display")
            self.joins.append((JoinEvent.JOIN_DISPLAY.value, None))

        @self.sio.on(JoinEvent.JOIN_TENANT.value)
        async def join_tenant(sid: str, tenant_id: Any = None) -> None:
            await self.sio.enter_room(sid, f"tenant-{tenant_id}")
            self.joins.append((JoinEvent.JOIN_TENANT.value, tenant_id))

    async def _orders(self, request: web.Request) -> web.Response:
        return web.json_response({"orders": list(self.orders.values())})

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)

    async def _start(self) -> None:
        self._runner = web.AppRunner(self.app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def order(self, order_id: int, status: str = "pending", minute: int = 0) -> dict[str, Any]:
        """Put an order in the REST list (version-less, as older backends have it)."""
        moment = iso(datetime(2026, 1, 5, 10, minute, tzinfo=UTC))
        data = {
            "id": order_id,
            "order_number": f"L{order_id}",
            "customer_name": f"Guest {order_id}",
            "status": status,
            "created_at": iso(datetime(2026, 1, 5, 10, 0, tzinfo=UTC)),
            "updated_at": moment,
        }
        self.orders[order_id] = data
        return data

    def emit(self, event: Event, data: dict[str, Any], room: str = "display") -> dict[str, Any]:
        envelope = {"type": event.type, "timestamp": data.get("updated_at"), "data": data}
        asyncio.run_coroutine_threadsafe(self.sio.emit(event.value, envelope, room=room), self.loop).result(5)
        return envelope

    def kick_all(self) -> None:
        async def kick() -> None:
            for sid in list(self.sids):
                await self.sio.disconnect(sid)

        asyncio.run_coroutine_threadsafe(kick(), self.loop).result(5)

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
