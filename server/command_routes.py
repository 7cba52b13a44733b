"""Steering screens (admin): rename a device or change its rooms, and send commands to screens.

``PATCH /api/devices/{name}`` changes the record and drops the device's live
sockets, so the screen reconnects under its new name and rooms at once.
``POST /api/devices/{name}/command`` and ``POST /api/rooms/{room}/command``
pass "identify", "reload" or pushed settings on to the screens
(server/screen_commands.py) and reply with each screen's answer.  Declared in
kiosk/protocol/api.py like every route; bodies in kiosk/protocol/screen_commands.py.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from kiosk.protocol import ProtocolError
from kiosk.protocol import api as api_routes
from kiosk.protocol.rooms import parse_room
from kiosk.protocol.screen_commands import ChangeDevice, ScreenCommand
from server import policy
from server.device_changes import active_device, change_device
from server.errors import ApiError
from server.jsonio import json_response
from server.revocation import drop_device
from server.screen_commands import device_room, send_command
from server.state import ServerState, server_state
from server.web import body, hub, principal

commands_api = Blueprint("commands", __name__, url_prefix=api_routes.API_PREFIX)


@commands_api.route(api_routes.CHANGE_DEVICE.flask_rule, methods=[api_routes.CHANGE_DEVICE.method])
def change(name: str) -> Response:
    policy.check_admin(principal(), "change devices")
    asked = body(ChangeDevice)
    with hub().write() as tx:
        device = change_device(tx.conn, name, asked)
    # Committed: the screen's sockets go now and it rejoins under the new name and rooms.
    state = server_state()
    dropped = drop_device(current_app.extensions["socketio"], state.connections, name, "was changed")
    if state.cluster is not None:
        state.cluster.revoked(name)  # "drop its sockets": the other processes do the same
    return json_response(
        {"name": device.name, "rooms": device.rooms, "created_at": device.created_at, "reconnected": dropped}
    )


@commands_api.route(api_routes.DEVICE_COMMAND.flask_rule, methods=[api_routes.DEVICE_COMMAND.method])
def device_command(name: str) -> Response:
    policy.check_admin(principal(), "send commands to screens")
    command = body(ScreenCommand)
    with hub().read() as conn:
        active_device(conn, name)  # 404 unknown, 409 revoked
    state = server_state()
    targets = [(sid, who.name) for sid, who in state.connections.devices().items() if who.name == name]
    relays = _relays(state)
    if not targets and not relays:
        raise ApiError(
            409,
            "screen_offline",
            f"device {name!r} is not connected to this server; the command needs the screen online"
            + ("" if state.cluster is None else " (without --message-queue, on the process that takes it)"),
        )
    results = send_command(
        current_app.extensions["socketio"], command, targets, relay_to=device_room(name) if relays else None
    )
    return json_response(results.model_dump())


@commands_api.route(api_routes.ROOM_COMMAND.flask_rule, methods=[api_routes.ROOM_COMMAND.method])
def room_command(room: str) -> Response:
    policy.check_admin(principal(), "send commands to screens")
    command = body(ScreenCommand)
    try:
        target = str(parse_room(room))
    except ProtocolError as exc:
        raise ApiError(422, exc.code, exc.message, "room") from None
    socketio = current_app.extensions["socketio"]
    state = server_state()
    devices = state.connections.devices()
    targets = [
        (sid, devices[sid].name)
        for sid, _ in socketio.server.manager.get_participants("/", target)
        if sid in devices  # an admin watching the room is not a screen
    ]
    results = send_command(socketio, command, targets, relay_to=target if _relays(state) else None)
    return json_response(results.model_dump())


def _relays(state: ServerState) -> bool:
    """Whether a command can reach the cluster's other processes: through Redis only."""
    return state.cluster is not None and state.cluster.manager is not None
