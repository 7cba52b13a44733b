"""Connection counts for the admin: who is listening where."""

from __future__ import annotations

from typing import Any

from flask import current_app

from server.auth import count_devices


def stats_body() -> dict[str, Any]:
    socketio = current_app.extensions["socketio"]
    connections = current_app.extensions["kiosk_connections"]
    hub = current_app.extensions["kiosk_hub"]
    rooms: dict[str, int] = {}
    namespace_rooms = socketio.server.manager.rooms.get("/", {})
    for room, members in list(namespace_rooms.items()):
        if room is None or not isinstance(room, str) or room in members:
            continue  # None is "all sockets" and every sid has a room of its own
        rooms[room] = len(members)
    config = current_app.extensions["kiosk_config"]
    with hub.read() as conn:
        devices = count_devices(conn)
        orders_today = conn.execute(
            "SELECT COUNT(*) FROM orders WHERE created_at >= ?", (config.clock.now().strftime("%Y-%m-%d"),)
        ).fetchone()[0]
    return {
        "connections": connections.count(),
        "rooms": dict(sorted(rooms.items())),
        "seq": hub.seq,
        "pruned_through": hub.pruned_through,
        "async_mode": socketio.async_mode,
        "devices": devices,
        "orders_today": orders_today,
        "fanout": current_app.extensions["kiosk_broadcaster"].counts_body(),
        "uptime_s": round(config.clock.monotonic() - current_app.extensions["kiosk_started"], 1),
    }
