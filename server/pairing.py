"""Pairing: a screen shows a code, the admin approves it, the screen receives its token (kiosk/protocol/pairing.py).

The token is made when the screen claims it, inside that write, and exists in
clear only in that one answer; the database keeps its hash, as for every
device.  A pairing lives CODE_TTL_S; expired ones are deleted whenever a new
one starts.  Starting is limited per address (server/state.py's
``pairing_limiter``) and the number of screens waiting at once is capped, so a
script cannot fill the table; a claim with an unknown secret counts as a failed
login for its address, like an unknown token.
"""

from __future__ import annotations

import hashlib
import logging
import random
import secrets
from datetime import datetime, timedelta
from typing import Any

import orjson

from kiosk.protocol import ProtocolError, iso
from kiosk.protocol.pairing import (
    CODE_ALPHABET,
    CODE_LENGTH,
    CODE_TTL_S,
    SECRET_BYTES,
    ApprovePairing,
    PairingStarted,
    PairingState,
    StartPairing,
    WaitingScreen,
    normal_code,
    shown_code,
)
from kiosk.protocol.rooms import parse_room
from server import auth
from server.database import Connection

log = logging.getLogger("server.api")

MAX_WAITING = 100  # screens showing a code at once: a food court pairs a few at a time
POLL_S = 2.0  # how often a screen asks whether it was approved
_SYSTEM_RANDOM = random.SystemRandom()


class PairingRefusedError(ProtocolError):
    """A refusal with its HTTP status; plain Python, so ``kiosk-server devices approve`` runs without Flask."""

    def __init__(
        self, status: int, code: str, message: str, field: str | None = None, retry_after: int = 0
    ) -> None:
        super().__init__(code, message, field)
        self.status = status
        self.retry_after = retry_after


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start(
    conn: Connection,
    request: StartPairing,
    address: str | None,
    now: datetime,
    rng: random.Random = _SYSTEM_RANDOM,
) -> PairingStarted:
    conn.execute("DELETE FROM pairings WHERE expires_at < ? AND status <> 'claimed'", (iso(now),))
    conn.execute(
        "DELETE FROM pairings WHERE status = 'claimed' AND claimed_at < ?", (iso(now - timedelta(days=1)),)
    )
    waiting = conn.execute("SELECT count(*) FROM pairings WHERE status = 'waiting'").fetchone()[0]
    if waiting >= MAX_WAITING:
        raise PairingRefusedError(
            429,
            "too_many_pairings",
            f"{waiting} screens are already waiting to be approved; approve or let them expire, then try again",
            retry_after=int(CODE_TTL_S),
        )
    for _ in range(20):  # 31^6 codes: a clash among at most MAX_WAITING is rare, twenty in a row impossible
        code = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if conn.execute("SELECT 1 FROM pairings WHERE code = ?", (code,)).fetchone() is None:
            break
    secret = secrets.token_urlsafe(SECRET_BYTES)
    expires = now + timedelta(seconds=CODE_TTL_S)
    conn.execute(
        "INSERT INTO pairings (code, secret_hash, created_at, expires_at, address, app_version, hostname, status) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 'waiting')",
        (code, _hash(secret), iso(now), iso(expires), address, request.app_version, request.hostname),
    )
    log.info(
        "pairing code %s shown by a screen at %s (%s)",
        shown_code(code),
        address,
        request.hostname or "no name",
    )
    return PairingStarted(code=code, secret=secret, expires_at=iso(expires), poll_s=POLL_S)


def approve(conn: Connection, code_text: str, request: ApprovePairing, now: datetime) -> dict[str, Any]:
    """The admin's yes: the screen showing ``code_text`` becomes ``request.name`` in ``request.rooms``."""
    code = normal_code(code_text)
    row = conn.execute("SELECT status, expires_at FROM pairings WHERE code = ?", (code,)).fetchone()
    if row is None or len(code) != CODE_LENGTH:
        raise PairingRefusedError(
            404,
            "unknown_code",
            f"no screen is showing the code {code_text.strip()!r}; check the code on the screen "
            "(a new one appears every 10 minutes)",
            "code",
        )
    if row["status"] != "waiting":
        raise PairingRefusedError(
            409, "already_approved", f"the code {shown_code(code)} was already approved", "code"
        )
    if row["expires_at"] < iso(now):
        raise PairingRefusedError(
            410,
            "code_expired",
            f"the code {shown_code(code)} has expired; the screen shows a new one",
            "code",
        )
    try:
        rooms = sorted({str(parse_room(name)) for name in request.rooms})
    except ProtocolError as exc:
        raise PairingRefusedError(422, exc.code, exc.message, "rooms") from None
    name = request.name
    if conn.execute("SELECT 1 FROM devices WHERE name = ?", (name,)).fetchone() is not None:
        raise PairingRefusedError(
            409, "duplicate_device", f"a device named {name!r} already exists; pick another name", "name"
        )
    conn.execute(
        "UPDATE pairings SET status = 'approved', name = ?, rooms = ? WHERE code = ?",
        (name, orjson.dumps(rooms).decode(), code),
    )
    log.info("pairing code %s approved as %r for %s", shown_code(code), name, ", ".join(rooms))
    return {"code": code, "name": name, "rooms": rooms, "status": "approved"}


def claim(conn: Connection, secret: str, now: datetime) -> PairingState:
    """The screen's poll: still waiting, or its token (made now, and never shown again)."""
    row = conn.execute(
        "SELECT code, status, expires_at, name, rooms FROM pairings WHERE secret_hash = ?", (_hash(secret),)
    ).fetchone()
    if row is None:
        raise PairingRefusedError(
            404, "unknown_pairing", "this pairing is unknown to the server; start pairing again"
        )
    if row["status"] == "claimed":
        raise PairingRefusedError(
            410, "already_claimed", "this pairing already gave its token; start pairing again"
        )
    if row["status"] == "waiting":
        if row["expires_at"] < iso(now):
            raise PairingRefusedError(
                410, "code_expired", "the code expired before it was approved; a new one is needed"
            )
        return PairingState(status="waiting", expires_at=row["expires_at"])
    rooms = [parse_room(name) for name in orjson.loads(row["rooms"])]
    try:
        token = auth.add_device(conn, row["name"], rooms, now)
    except auth.DuplicateDeviceError as exc:  # the name was taken since the approval
        raise PairingRefusedError(
            409, "duplicate_device", f"{exc}; ask the admin to approve a new code"
        ) from None
    conn.execute(
        "UPDATE pairings SET status = 'claimed', claimed_at = ? WHERE code = ?", (iso(now), row["code"])
    )
    log.info("device %r took its token through pairing code %s", row["name"], shown_code(row["code"]))
    return PairingState(status="approved", name=row["name"], rooms=[str(room) for room in rooms], token=token)


def waiting_screens(conn: Connection, now: datetime) -> list[WaitingScreen]:
    """Codes not yet claimed and not expired, newest first (the console's list)."""
    rows = conn.execute(
        "SELECT code, created_at, expires_at, address, app_version, hostname, status FROM pairings "
        "WHERE status <> 'claimed' AND expires_at >= ? ORDER BY created_at DESC",
        (iso(now),),
    ).fetchall()
    fields = ("code", "created_at", "expires_at", "address", "app_version", "hostname", "status")
    return [WaitingScreen(**dict(zip(fields, row, strict=True))) for row in rows]
