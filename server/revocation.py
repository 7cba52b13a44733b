"""Revocation reaches live sockets: at once when this process revokes, by a sweep otherwise.

``DELETE /api/devices/{name}`` (server/device_routes.py) revokes in this
process, which holds the sockets: they are dropped as the revocation commits.
``devices revoke`` runs in another process and only writes the database, so
REST refuses the token at once, a join is refused at once (server/sockets.py
checks the device on every join), and a socket that is already connected is
found by this periodic sweep and dropped (its reconnect is then refused).
"""

from __future__ import annotations

import logging

from flask_socketio import SocketIO

from server.hub import Hub
from server.sockets import Connections

log = logging.getLogger("server.auth")


def sweep_revoked(socketio: SocketIO, hub: Hub, connections: Connections) -> int:
    """Disconnect every socket whose device was revoked; returns how many."""
    connected = connections.devices()
    if not connected:
        return 0
    with hub.read() as conn:
        revoked = {row[0] for row in conn.execute("SELECT name FROM devices WHERE revoked_at IS NOT NULL")}
    return sum(
        drop_device(socketio, connections, name)
        for name in {who.name for who in connected.values()} & revoked
    )


def drop_device(socketio: SocketIO, connections: Connections, name: str, why: str = "was revoked") -> int:
    """Disconnect every live socket of device ``name`` now; returns how many."""
    dropped = 0
    for sid, who in connections.devices().items():
        if who.name == name:
            log.warning("disconnecting %s: device %r %s", sid, who.name, why)
            socketio.server.disconnect(sid, namespace="/")
            dropped += 1
    return dropped


def start_revocation_sweeper(
    socketio: SocketIO, hub: Hub, connections: Connections, interval_s: float
) -> None:
    def loop() -> None:
        while True:
            socketio.sleep(interval_s)
            try:
                sweep_revoked(socketio, hub, connections)
            except Exception:
                log.exception("revocation sweep failed; retrying in %s s", interval_s)

    socketio.start_background_task(loop)
