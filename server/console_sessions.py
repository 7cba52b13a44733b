"""The admin console's sign-in: a session cookie instead of the token in every request, and its CSRF token.

Why server-side sessions in the database: a signed cookie cannot be revoked
(sign-out, a stolen laptop) and several server processes must all accept it.
The cookie holds a random id; the database keeps only its hash, the session's
CSRF token and its expiry.  The cookie is HttpOnly (no script reads it),
SameSite=Strict (no other site's page sends it), Path=/, and Secure whenever
the request came over TLS (directly, or through a balancer with --behind-proxy).
Every write made with the cookie must also carry the session's CSRF token in
``X-CSRF-Token``: a form on another site cannot read it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.protocol import iso
from server.auth import ADMIN, authenticate
from server.database import Connection

COOKIE = "kiosk_console"
CSRF_HEADER = "X-CSRF-Token"
SESSION_HOURS = 12  # a shift; then the admin signs in again


@dataclass(frozen=True)
class ConsoleSession:
    csrf: str
    expires_at: str


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def sign_in(
    conn: Connection, token: str, now: datetime, address: str | None
) -> tuple[str, ConsoleSession] | None:
    """A new session for the admin token (None for any other token): the cookie's value and the session."""
    if authenticate(conn, token) is not ADMIN:
        return None
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    expires = iso(now + timedelta(hours=SESSION_HOURS))
    conn.execute("DELETE FROM console_sessions WHERE expires_at < ?", (iso(now),))
    conn.execute(
        "INSERT INTO console_sessions (id_hash, csrf, created_at, expires_at, address) VALUES (?, ?, ?, ?, ?)",
        (_hash(session_id), csrf, iso(now), expires, address),
    )
    return session_id, ConsoleSession(csrf, expires)


def session_of(conn: Connection, cookie: str | None, now: datetime) -> ConsoleSession | None:
    """The live session a cookie names, or None (missing, unknown, signed out, expired)."""
    if not cookie or len(cookie) > 100:
        return None
    row = conn.execute(
        "SELECT csrf, expires_at FROM console_sessions WHERE id_hash = ?", (_hash(cookie),)
    ).fetchone()
    if row is None or row[1] < iso(now):
        return None
    return ConsoleSession(row[0], row[1])


def csrf_ok(session: ConsoleSession, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(session.csrf, str(sent))


def sign_out(conn: Connection, cookie: str | None) -> None:
    if cookie:
        conn.execute("DELETE FROM console_sessions WHERE id_hash = ?", (_hash(cookie),))
