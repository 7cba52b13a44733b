"""Room names: the one place that knows how a room is spelled.

A room is either the shared kitchen ``display`` or ``<kind>-<id>`` for a
cashier counter, a tenant stall or one user.  Server (authorisation, routing)
and kiosk (config validation, joining) both parse rooms here, so a typo in a
room name is a validation error instead of a silent "no events arrive".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from kiosk.protocol.errors import ProtocolError


class RoomKind(StrEnum):
    DISPLAY = "display"
    BOARD = "board"  # customer-facing: numbers and status only (kiosk/protocol/board.py)
    KASIR = "kasir"
    TENANT = "tenant"
    USER = "user"


MAX_ROOM_ID = 999_999_999  # kasir-N, tenant-N, user-N: N has at most 9 digits; requests use the same bound
_ROOM_RE = re.compile(rf"^(?P<kind>kasir|tenant|user)-(?P<id>[1-9][0-9]{{0,{len(str(MAX_ROOM_ID)) - 1}}})$")

ROOM_FORMS = "display, board, kasir-N, tenant-N or user-N (N a positive whole number)"


@dataclass(frozen=True, slots=True)
class Room:
    kind: RoomKind
    id: int | None = None

    def __str__(self) -> str:
        return self.kind.value if self.id is None else f"{self.kind.value}-{self.id}"


DISPLAY = Room(RoomKind.DISPLAY)
BOARD = Room(RoomKind.BOARD)


def kasir(counter_id: int) -> str:
    return str(Room(RoomKind.KASIR, counter_id))


def tenant(tenant_id: int) -> str:
    return str(Room(RoomKind.TENANT, tenant_id))


def user(user_id: int) -> str:
    return str(Room(RoomKind.USER, user_id))


def display() -> str:
    return str(DISPLAY)


def board() -> str:
    return str(BOARD)


def parse_room(name: object) -> Room:
    """Parse a room name, refusing anything that is not one of ROOM_FORMS."""
    if not isinstance(name, str):
        raise ProtocolError("invalid_room", f"room must be a string: {ROOM_FORMS}", "room")
    if name == RoomKind.DISPLAY.value:
        return DISPLAY
    if name == RoomKind.BOARD.value:
        return BOARD
    match = _ROOM_RE.match(name)
    if match is None:
        shown = name if len(name) <= 40 else name[:40] + "…"
        raise ProtocolError("invalid_room", f"unknown room {shown!r}; allowed: {ROOM_FORMS}", "room")
    return Room(RoomKind(match["kind"]), int(match["id"]))


def is_valid_room(name: object) -> bool:
    try:
        parse_room(name)
    except ProtocolError:
        return False
    return True


def room_from_join_argument(kind: RoomKind, argument: object) -> str:
    """Build the room for a legacy ``join-<kind>`` event.

    Existing order backends send the bare id (``5`` or ``"5"``), sometimes
    wrapped as ``{"id": 5}``/``{"<kind>_id": 5}``; ``join-display`` takes
    nothing.
    """
    if kind is RoomKind.DISPLAY:
        return display()
    if isinstance(argument, dict):
        argument = argument.get("id", argument.get(f"{kind.value}_id", argument.get("counter_id")))
    if isinstance(argument, bool):
        argument = None
    if isinstance(argument, int | str):
        return str(parse_room(f"{kind.value}-{argument}"))
    raise ProtocolError(
        "invalid_room", f"join-{kind.value} needs a {kind.value} id (a positive whole number)", "room"
    )
