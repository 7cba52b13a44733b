"""A stand-in for the order backends restaurants already run (the real one is not available).

Same event names and ``{type, timestamp, data}`` envelopes, but no
``event_id``, no ``seq``, no tokens, no catch-up endpoint, no ``join`` ack:
rooms are joined with ``join-display`` / ``join-kasir`` / ``join-tenant``, and
the order list is ``GET /api/orders`` without a seq.  Real python-socketio
and aiohttp on a loopback port, in a thread with its own loop
(``tests.support.loopback_aiohttp``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import socketio
from aiohttp import web

from kiosk.protocol import Event, JoinEvent, iso
from tests.support.loopback_aiohttp import LoopbackAiohttpServer


class LegacyServer(LoopbackAiohttpServer):
    def __init__(self) -> None:
        super().__init__("legacy-server")
        self.sio = socketio.AsyncServer(async_mode="aiohttp", logger=False, engineio_logger=False)
        self.sio.attach(self.app)
        self.app.router.add_get("/api/orders", self._orders)
        self.orders: dict[int, dict[str, Any]] = {}
        self.joins: list[tuple[str, Any]] = []
        self.sids: set[str] = set()

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
        self.run(self.sio.emit(event.value, envelope, room=room), 5)
        return envelope

    def kick_all(self) -> None:
        async def kick() -> None:
            for sid in list(self.sids):
                await self.sio.disconnect(sid)

        self.run(kick(), 5)
