"""Who is calling: device tokens (stored hashed) and the admin token.

A device token is ``kd_`` + 32 random bytes; only its sha256 is stored, so a
copied database does not hand out working tokens.  The admin token comes from
``KIOSK_ADMIN_TOKEN`` or is generated once and printed (only its hash is kept).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import sqlite3
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

import orjson

from kiosk.protocol import ProtocolError, Room, RoomKind, iso, parse_room
from server.database import Connection
from server.db import get_meta, set_meta

log = logging.getLogger("server.auth")

TOKEN_PREFIX = "kd_"  # noqa: S105 (a prefix, not a secret)
ADMIN_NAME = "admin"
_ADMIN_HASH_KEY = "admin_token_sha256"
MAX_DEVICE_NAME = 64


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_device_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: the admin, or a device with the rooms it may join."""

    name: str
    is_admin: bool
    rooms: frozenset[Room]

    def describe(self) -> str:
        if self.is_admin:
            return "the admin token"
        shown = ", ".join(sorted(str(room) for room in self.rooms)) or "no rooms"
        return f"device {self.name!r} (rooms: {shown})"

    def ids(self, kind: RoomKind) -> frozenset[int]:
        return frozenset(room.id for room in self.rooms if room.kind is kind and room.id is not None)

    def has_display(self) -> bool:
        return any(room.kind is RoomKind.DISPLAY for room in self.rooms)

    def may_join(self, room: Room) -> bool:
        return self.is_admin or room in self.rooms


ADMIN = Principal(ADMIN_NAME, True, frozenset())


def parse_rooms(text: str) -> list[Room]:
    """``display,kasir-1`` → rooms, refusing an empty list or any unknown form."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise ProtocolError("invalid_room", "give at least one room, e.g. --rooms display,kasir-1", "rooms")
    return [parse_room(name) for name in names]


class DuplicateDeviceError(ValueError):
    pass


class UnknownDeviceError(LookupError):
    pass


@dataclass(frozen=True)
class DeviceInfo:
    name: str
    rooms: list[str]
    created_at: str
    revoked_at: str | None


def add_device(conn: Connection, name: str, rooms: list[Room], now: datetime) -> str:
    """Register a device and return its token (the only time it exists in clear)."""
    name = name.strip()
    if not name or len(name) > MAX_DEVICE_NAME or name == ADMIN_NAME:
        raise ValueError(f"device name must be 1–{MAX_DEVICE_NAME} characters and not {ADMIN_NAME!r}")
    if any(ch in name for ch in "/\\") or not name.isprintable():
        # A name is a path segment (DELETE /api/devices/NAME): one with a slash could never be revoked there.
        raise ValueError(f"device name {name!r} may not contain / or \\ or control characters")
    token = new_device_token()
    room_names = sorted({str(room) for room in rooms})
    try:
        conn.execute(
            "INSERT INTO devices (name, token_hash, rooms, created_at) VALUES (?, ?, ?, ?)",
            (name, hash_token(token), orjson.dumps(room_names).decode(), iso(now)),
        )
    except sqlite3.IntegrityError:
        raise DuplicateDeviceError(
            f"a device named {name!r} already exists; revoke it first or pick another name"
        ) from None
    log.info("device %r added with rooms %s", name, ", ".join(room_names))
    return token


def list_devices(conn: Connection) -> list[DeviceInfo]:
    rows = conn.execute("SELECT name, rooms, created_at, revoked_at FROM devices ORDER BY name").fetchall()
    return [DeviceInfo(row[0], orjson.loads(row[1]), row[2], row[3]) for row in rows]


def revoke_device(conn: Connection, name: str, now: datetime) -> None:
    """Keep the row (so `devices list` shows the history); the token never works again."""
    row = conn.execute("SELECT revoked_at FROM devices WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise UnknownDeviceError(f"no device named {name!r}; see `kiosk-server devices list`")
    if row[0] is not None:
        raise UnknownDeviceError(f"device {name!r} was already revoked at {row[0]}")
    conn.execute("UPDATE devices SET revoked_at = ? WHERE name = ?", (iso(now), name))
    log.info("device %r revoked", name)


def count_devices(conn: Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM devices WHERE revoked_at IS NULL").fetchone()[0])


def authenticate(conn: Connection, token: object) -> Principal | None:
    """The principal a token belongs to, or None for missing, unknown or revoked tokens."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    digest = hash_token(token)
    admin_hash = get_meta(conn, _ADMIN_HASH_KEY)
    if admin_hash is not None and hmac.compare_digest(digest, admin_hash):
        return ADMIN
    row = conn.execute(
        "SELECT name, rooms FROM devices WHERE token_hash = ? AND revoked_at IS NULL", (digest,)
    ).fetchone()
    if row is None:
        return None
    return Principal(row[0], False, frozenset(parse_room(name) for name in orjson.loads(row[1])))


MIN_ADMIN_TOKEN = 16  # characters; a generated token has 46


def admin_token_problem(configured: str | None) -> str | None:
    """Why a configured admin token is refused (None when it is fine or not set)."""
    if configured is not None and 0 < len(configured) < MIN_ADMIN_TOKEN:
        return (
            f"KIOSK_ADMIN_TOKEN has {len(configured)} characters; use at least {MIN_ADMIN_TOKEN}, e.g. "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(24))' (or leave it unset to get one)"
        )
    return None


def ensure_admin_token(conn: Connection, configured: str | None, out: TextIO = sys.stderr) -> None:
    """Store the configured admin token's hash, or generate one on first run and print it once."""
    problem = admin_token_problem(configured)
    if problem is not None:
        raise ValueError(problem)
    if configured:
        set_meta(conn, _ADMIN_HASH_KEY, hash_token(configured))
        return
    token = "ka_" + secrets.token_urlsafe(32)
    # Several processes starting at once on an empty PostgreSQL database race here: only the one
    # whose insert wins prints a token; the others find it stored and print nothing.
    stored = conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING RETURNING key",
        (_ADMIN_HASH_KEY, hash_token(token)),
    ).fetchone()
    if stored is None:
        return
    print(
        "\n*** kiosk-server: generated ADMIN TOKEN (shown once, only its hash is stored) ***\n"
        f"ADMIN TOKEN: {token}\n"
        "*** keep it safe, or set KIOSK_ADMIN_TOKEN to choose your own ***\n",
        file=out,
        flush=True,
    )
