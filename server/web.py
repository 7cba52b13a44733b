"""Per-request plumbing: who is calling, the decoded body, and idempotent writes."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import orjson
from flask import Response, g, request
from pydantic import BaseModel

from kiosk.protocol import iso
from kiosk.protocol.limits import MAX_IDEMPOTENCY_KEY
from kiosk.protocol.requests import MAX_BODY_BYTES, validate_body
from server import console_sessions
from server.auth import ADMIN, Principal, authenticate
from server.auth_throttle import FAILURES_ALLOWED, WINDOW_S, FailedAuthLimiter
from server.config import IDEMPOTENCY_TTL_S
from server.errors import ApiError
from server.hub import Hub, Tx
from server.jsonio import json_response
from server.state import server_state

log = logging.getLogger("server.api")

BodyT = TypeVar("BodyT", bound=BaseModel)
REPLAYED_HEADER = "Idempotent-Replayed"
_PRUNE_KEYS_EVERY = 1000  # events between sweeps of expired Idempotency-Keys


def hub() -> Hub:
    return server_state().hub


def auth_limiter() -> FailedAuthLimiter:
    return server_state().auth_limiter


def principal() -> Principal:
    """The caller, from ``Authorization: Bearer <token>``; 401 when missing or unknown, 429 while
    its address is blocked for guessing (even with a good token: a lucky guess must not show)."""
    limiter = auth_limiter()
    refuse_if_blocked("too many unknown tokens from this address")
    found = g.get("principal")
    if found is not None:
        return found  # type: ignore[no-any-return]
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        console = _console_admin()
        if console is not None:
            g.principal = console
            return console
        raise ApiError(
            401, "unauthorized", "missing Authorization header; send 'Authorization: Bearer <token>'"
        )
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "the Authorization header must be 'Bearer <token>'")
    with hub().read() as conn:
        found = authenticate(conn, token.strip())
    if found is None:
        if limiter.failed(request.remote_addr):
            log.warning(
                "%s sent %d unknown tokens within %.0f s: refusing it for a while",
                request.remote_addr,
                FAILURES_ALLOWED,
                WINDOW_S,
            )
        raise ApiError(
            401, "unauthorized", "unknown or revoked token; ask the admin for a device token (`devices add`)"
        )
    g.principal = found
    return found


def _console_admin() -> Principal | None:
    """The admin signed in to the console (its session cookie), or None; a write needs the CSRF token too."""
    cookie = request.cookies.get(console_sessions.COOKIE)
    if not cookie:
        return None
    with hub().read() as conn:
        session = console_sessions.session_of(conn, cookie, hub().clock.now())
    if session is None:
        return None
    if request.method not in ("GET", "HEAD") and not console_sessions.csrf_ok(
        session, request.headers.get(console_sessions.CSRF_HEADER)
    ):
        raise ApiError(
            403,
            "csrf_token_missing",
            "this write came with the console's sign-in but without its CSRF token; reload the console",
        )
    return ADMIN


def refuse_if_blocked(why: str) -> None:
    """429 while this address is blocked for guessing (tokens, pairing secrets), with Retry-After."""
    wait = auth_limiter().retry_after(request.remote_addr)
    if wait is not None:
        raise ApiError(
            429,
            "too_many_failed_logins",
            f"{why}; try again in {wait:.0f} s",
            headers={"Retry-After": str(max(1, round(wait)))},
        )


def identify() -> None:
    """Before each request: note a valid caller so every log line names it, even on a 404."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        with hub().read() as conn:
            g.principal = authenticate(conn, token.strip())


def forbid(who: Principal, action: str, allowed: str) -> ApiError:
    return ApiError(403, "forbidden", f"{who.describe()} may not {action}; {allowed}")


def raw_body() -> bytes:
    """The request body, at most MAX_BODY_BYTES; 413 past that, also for a chunked body.

    Werkzeug caps a body without Content-Length at the limit by cutting it
    there, and ``get_data()`` returned the first MiB as if it were the whole
    body: a valid JSON prefix was accepted.  Reading one byte more makes the
    cap refuse instead (werkzeug raises its 413, answered by our handler).
    """
    cached: bytes | None = g.get("raw_body")
    if cached is not None:
        return cached
    stream = request.stream
    data = stream.read(MAX_BODY_BYTES)
    if len(data) == MAX_BODY_BYTES and stream.read(1):
        raise ApiError(
            413, "body_too_large", f"the request body is larger than {MAX_BODY_BYTES} bytes (1 MiB)"
        )
    g.raw_body = data
    return data


def body(model: type[BodyT]) -> BodyT:
    """The JSON body validated against a contract model (400 malformed, 422 invalid)."""
    raw = raw_body()
    if not raw.strip():
        raise ApiError(400, "invalid_body", "the request body is empty; send a JSON object")
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, "malformed_json", f"the request body is not valid JSON: {exc}") from None
    return validate_body(model, payload)


def query_int(name: str, *, minimum: int = 0) -> int | None:
    text = request.args.get(name)
    if text is None or text == "":
        return None
    try:
        value = int(text)
    except ValueError:
        raise ApiError(
            422, "invalid_field", f"{name} must be a whole number, got {text[:40]!r}", name
        ) from None
    if value < minimum or value > 2**53:
        raise ApiError(422, "invalid_field", f"{name} must be between {minimum} and 2^53", name)
    return value


def transact(action: Callable[[Tx], dict[str, Any]], status: int = 200) -> Response:
    """Run a write; with an ``Idempotency-Key`` a retry replays the stored answer.

    The key's record is written in the same transaction as the change, so a
    retry after a crash either finds both or neither.  Only successes are
    remembered: a refused request changes nothing, so retrying it is safe.
    """
    who = principal()
    key = request.headers.get("Idempotency-Key")
    if key is not None and (not key.strip() or len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable()):
        raise ApiError(
            422,
            "invalid_field",
            f"Idempotency-Key must be 1–{MAX_IDEMPOTENCY_KEY} printable characters",
            "Idempotency-Key",
        )
    with hub().write() as tx:
        before = tx.seq
        fingerprint = request_fingerprint() if key is not None else ""
        if key is not None:
            replay = _replay(tx, who, key, fingerprint)
            if replay is not None:
                return replay
        result = action(tx)
        if tx.seq // _PRUNE_KEYS_EVERY > before // _PRUNE_KEYS_EVERY:
            prune_idempotency(tx)
        if key is not None:
            tx.conn.execute(
                "INSERT INTO idempotency (principal, key, method, path, status, body, created_at, request_hash) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    who.name,
                    key,
                    request.method,
                    request.path,
                    status,
                    orjson.dumps(result).decode(),
                    iso(tx.clock.now()),
                    fingerprint,
                ),
            )
    # The audit trail support asks for: which device changed what, and where it is in the log.
    log.info("%s %s by %s: %d (seq %d)", request.method, request.path, who.name, status, tx.seq)
    return json_response(result, status)


def request_fingerprint() -> str:
    """A hash of what the request asks for: its JSON body with sorted keys (or its raw bytes).

    Stored with the key, so a key reused for a different body is refused
    instead of silently answering with the first request's result (which left
    the second order uncreated).
    """
    raw = raw_body()
    try:
        canonical = orjson.dumps(orjson.loads(raw), option=orjson.OPT_SORT_KEYS) if raw else b""
    except orjson.JSONDecodeError:
        canonical = raw
    return hashlib.sha256(canonical).hexdigest()


def _replay(tx: Tx, who: Principal, key: str, fingerprint: str) -> Response | None:
    row = tx.conn.execute(
        "SELECT method, path, status, body, created_at, request_hash FROM idempotency "
        "WHERE principal = ? AND key = ?",
        (who.name, key),
    ).fetchone()
    if row is None:
        return None
    expired = iso(tx.clock.now() - timedelta(seconds=IDEMPOTENCY_TTL_S))
    if row["created_at"] < expired:
        tx.conn.execute("DELETE FROM idempotency WHERE principal = ? AND key = ?", (who.name, key))
        return None
    if row["method"] != request.method or row["path"] != request.path:
        raise ApiError(
            422,
            "idempotency_key_reused",
            f"this Idempotency-Key was already used for {row['method']} {row['path']}; use a new key per request",
            "Idempotency-Key",
        )
    if row["request_hash"] and row["request_hash"] != fingerprint:
        raise ApiError(
            422,
            "idempotency_key_reused",
            f"this Idempotency-Key was already used for another {row['method']} {row['path']} request "
            "with a different body; use a new key per request",
            "Idempotency-Key",
        )
    log.info(
        "%s %s by %s: replayed the answer stored for its Idempotency-Key",
        request.method,
        request.path,
        who.name,
    )
    return json_response(orjson.loads(row["body"]), row["status"], {REPLAYED_HEADER: "true"})


def prune_idempotency(tx: Tx) -> None:
    expired = iso(tx.clock.now() - timedelta(seconds=IDEMPOTENCY_TTL_S))
    tx.conn.execute("DELETE FROM idempotency WHERE created_at < ?", (expired,))
