"""Connection counts for the admin: who is listening where."""

from __future__ import annotations

from typing import Any

from flask import current_app

from kiosk.protocol import iso, start_of_local_day
from server.auth import count_devices
from server.state import server_state


def stats_body() -> dict[str, Any]:
    socketio = current_app.extensions["socketio"]
    state = server_state()
    connections = state.connections
    hub = state.hub
    rooms: dict[str, int] = {}
    namespace_rooms = socketio.server.manager.rooms.get("/", {})
    for room, members in list(namespace_rooms.items()):
        if room is None or not isinstance(room, str) or room in members:
            continue  # None is "all sockets" and every sid has a room of its own
        rooms[room] = len(members)
    config = state.config
    broadcaster = state.broadcaster
    with hub.read() as conn:
        devices = count_devices(conn)
        orders_today = conn.execute(
            "SELECT COUNT(*) FROM orders WHERE created_at >= ?",
            (iso(start_of_local_day(config.clock.now())),),
        ).fetchone()[0]
    return {
        "connections": connections.count(),
        "rooms": dict(sorted(rooms.items())),
        "seq": hub.seq,
        "pruned_through": hub.pruned_through,
        "async_mode": socketio.async_mode,
        "devices": devices,
        "orders_today": orders_today,
        "fanout": broadcaster.counts_body(),
        "dropped_slow_sockets": broadcaster.slow_sockets.dropped,
        "uptime_s": round(config.clock.monotonic() - state.started, 1),
    }
