"""The fleet (admin): ``GET /api/devices``, the live panel ``GET /api/live``, and revoking a device.

``DELETE /api/devices/{name}`` revokes a device and drops its live sockets at once.

``kiosk-server devices revoke`` writes the database from another process, so
the server learns of it only at its next sweep (``--revocation-check``, 30 s):
until then a stolen tablet's open socket still received every event.  Revoking
through the server that holds the sockets closes them in the same request.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from kiosk.protocol.api import API_PREFIX, LIST_DEVICES, LIVE_PANEL, REVOKE_DEVICE
from server import auth, policy
from server.console_feed import devices_page, live_page
from server.errors import ApiError
from server.jsonio import json_response
from server.revocation import drop_device
from server.state import server_state
from server.web import hub, principal

devices_api = Blueprint("devices", __name__, url_prefix=API_PREFIX)


@devices_api.route(LIST_DEVICES.flask_rule, methods=[LIST_DEVICES.method])
def devices() -> Response:
    """Every device with what its screen last reported: online, version, lag, orders, sound, last error."""
    policy.check_admin(principal(), "see the devices")
    return json_response(devices_page())


@devices_api.route(LIVE_PANEL.flask_rule, methods=[LIVE_PANEL.method])
def live() -> Response:
    """The console's live panel: events per minute, open orders per tenant, rooms, refusals, alerts."""
    policy.check_admin(principal(), "see the live panel")
    return json_response(live_page())


@devices_api.route(REVOKE_DEVICE.flask_rule, methods=[REVOKE_DEVICE.method])
def revoke(name: str) -> Response:
    policy.check_admin(principal(), "revoke devices")
    with hub().write() as tx:
        row = tx.conn.execute("SELECT revoked_at FROM devices WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise ApiError(404, "not_found", f"no device named {name!r}; see `kiosk-server devices list`")
        if row[0] is not None:
            raise ApiError(409, "already_revoked", f"device {name!r} was already revoked at {row[0]}")
        auth.revoke_device(tx.conn, name, tx.clock.now())
        revoked_at = tx.conn.execute("SELECT revoked_at FROM devices WHERE name = ?", (name,)).fetchone()[0]
    # Committed: its token is refused from now on, and its open sockets go now, not at the next sweep.
    state = server_state()
    dropped = drop_device(current_app.extensions["socketio"], state.connections, name)
    if state.cluster is not None:
        state.cluster.revoked(name)
    return json_response({"name": name, "revoked_at": revoked_at, "disconnected": dropped})
