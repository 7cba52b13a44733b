"""Connection counts for the admin: who is listening where (in a cluster, summed over its processes)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import current_app

from kiosk.protocol import iso, start_of_local_day
from server.auth import count_devices
from server.state import server_state

if TYPE_CHECKING:
    from server.cluster import Cluster


def stats_body() -> dict[str, Any]:
    socketio = current_app.extensions["socketio"]
    state = server_state()
    connections = state.connections
    hub = state.hub
    config = state.config
    broadcaster = state.broadcaster
    rooms = broadcaster.local_rooms()
    with hub.read() as conn:
        devices = count_devices(conn)
        orders_today = conn.execute(
            "SELECT COUNT(*) FROM orders WHERE created_at >= ?",
            (iso(start_of_local_day(config.clock.now())),),
        ).fetchone()[0]
    body = {
        "connections": connections.count(),
        "rooms": rooms,
        "seq": hub.seq,
        "pruned_through": hub.pruned_through,
        "async_mode": socketio.async_mode,
        "devices": devices,
        "orders_today": orders_today,
        "fanout": broadcaster.counts_body(),
        "dropped_slow_sockets": broadcaster.slow_sockets.dropped,
        "uptime_s": round(config.clock.monotonic() - state.started, 1),
    }
    if state.cluster is not None:
        body.update(cluster_stats(state.cluster, config.clock.now()))
    return body


def cluster_stats(cluster: Cluster, now: datetime) -> dict[str, Any]:
    """Connections and rooms summed over every live process, and the list of them, this one first."""
    me = {"id": cluster.registry.me, "this": True, **cluster.state()}
    processes = [me, *cluster.registry.others(now)]
    rooms: dict[str, int] = {}
    for process in processes:
        for room, count in process.get("rooms", {}).items():
            rooms[room] = rooms.get(room, 0) + int(count)
    return {
        "connections": sum(int(process.get("connections", 0)) for process in processes),
        "rooms": dict(sorted(rooms.items())),
        "processes": processes,
    }
