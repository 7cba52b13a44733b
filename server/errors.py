"""REST refusals: one exception type, one handler, one log line per refusal."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from kiosk.protocol import ProtocolError, error_body, iso
from kiosk.protocol.live_panel import Refusal
from kiosk.protocol.requests import MAX_BODY_BYTES
from server.jsonio import json_response
from server.storage_guard import StorageRefusedError

log = logging.getLogger("server.api")


class ApiError(ProtocolError):
    """A refusal with its HTTP status."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(code, message, field)
        self.status = status
        self.headers = headers or {}


def unknown_qr() -> ApiError:
    """The answer for a QR token no order has, and for one of an order the caller may not see."""
    return ApiError(
        404, "unknown_qr", "no order has this QR token; scan the code on the customer's receipt", "token"
    )


# ProtocolError codes raised by the contract's validators that are not 422.
_STATUS_BY_CODE = {"invalid_body": 400, "malformed_json": 400}

_HTTP_CODES = {
    400: ("bad_request", "the request could not be understood"),
    404: ("not_found", "no such endpoint; the API lives under /api (see docs/server.md)"),
    405: ("method_not_allowed", "this endpoint does not accept that method"),
    413: (
        "body_too_large",
        f"the request body is larger than {MAX_BODY_BYTES} bytes (1 MiB), the most this server accepts",
    ),
}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ProtocolError)
    def _protocol(exc: ProtocolError) -> Response:
        status = exc.status if isinstance(exc, ApiError) else _STATUS_BY_CODE.get(exc.code, 422)
        return refusal(status, exc.to_body(), exc.headers if isinstance(exc, ApiError) else None)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        code, message = _HTTP_CODES.get(status, ("http_error", exc.description or "request refused"))
        if status == 405 and exc.valid_methods:  # type: ignore[attr-defined]
            message += ": allowed " + ", ".join(sorted(exc.valid_methods))  # type: ignore[attr-defined]
        return refusal(status, error_body(code, message))

    @app.errorhandler(sqlite3.OperationalError)
    def _storage(exc: sqlite3.OperationalError) -> Response:
        known = _STORAGE_ERRORS.get(getattr(exc, "sqlite_errorcode", -1) & 0xFF)
        if known is None:
            return _unexpected(exc)
        status, code, message = known
        return refusal(status, error_body(code, f"{message} ({exc})"))

    @app.errorhandler(StorageRefusedError)
    def _refused_storage(exc: StorageRefusedError) -> Response:
        # storage_replaced (a database file deleted or swapped under the server), server_stopping
        return refusal(503, error_body(exc.code, exc.message))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("%s %s by %s failed unexpectedly", request.method, request.path, _who())
        return json_response(
            error_body("internal_error", "the server failed on this request; the error is in its log"), 500
        )


# SQLite's primary result codes for storage that cannot take a write: the screens translate the code,
# and each refusal is one log line (a traceback per request filled what little disk was left).
_STORAGE_ERRORS = {
    13: (
        507,
        "storage_full",
        "the disk of the server's database is full; nothing was saved; free some space",
    ),
    8: (503, "storage_read_only", "the server's database is read-only; nothing was saved; check its file"),
    10: (503, "storage_error", "the server could not write its database; nothing was saved; check its disk"),
}


def refusal(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    error = body["error"]
    # 429s are not logged one by one (a guesser sends thousands); the block itself is logged once.
    level = (
        logging.DEBUG
        if status == 429
        else logging.ERROR
        if status >= 500
        else logging.WARNING
        if status in (401, 403, 413)
        else logging.INFO
    )
    log.log(
        level,
        "%s %s by %s refused %d %s: %s",
        request.method,
        request.path,
        _who(),
        status,
        error["code"],
        error["message"],
    )
    if status != 429:
        _keep_for_the_console(status, error)
    return json_response(body, status, headers)


def _keep_for_the_console(status: int, error: dict[str, Any]) -> None:
    """The live panel's "recent refusals" (server/live_panel.py); 429s are a guesser's thousands, not kept."""
    from server.state import server_state  # noqa: PLC0415 - server.state imports this module's users

    state = server_state()
    state.refusals.add(
        Refusal(
            at=iso(state.config.clock.now()),
            who=_who(),
            what=f"{request.method} {request.path}",
            status=status,
            code=str(error["code"]),
            message=str(error["message"]),
        )
    )


def _who() -> str:
    principal = g.get("principal")
    return "anonymous" if principal is None else principal.name
