"""``/admin``: the console's sign-in and its page, served by kiosk-server itself (no second service).

The page is plain HTML and one small script (server/console_page.py) that uses
the same REST API as everyone (``/api/devices``, ``/api/pairing``), signed in by
the session cookie (server/console_sessions.py) and sending the CSRF token with
every write.  Failed sign-ins count against the address like unknown tokens, so
guessing the admin token here is as slow as over the API.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, redirect, request, stream_with_context

from kiosk.paths import asset
from server import console_sessions
from server.console_feed import console_stream
from server.console_page import console_html, locked_out_text, login_html
from server.console_script import CONSOLE_SCRIPT
from server.console_text import LANGUAGE_COOKIE, language_of, words
from server.web import auth_limiter, hub

log = logging.getLogger("server.api")

console = Blueprint("console", __name__, url_prefix="/admin")
SESSION_CHECK_S = 5.0  # how often a stream looks whether its session was signed out or expired

_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _page(html: str, status: int = 200) -> Response:
    answer = Response(html, status=status, mimetype="text/html", headers=_HEADERS)
    if request.args.get("lang") in ("en", "id"):  # the language picked stays picked
        answer.set_cookie(LANGUAGE_COOKIE, request.args["lang"], max_age=365 * 86400, samesite="Strict")
    return answer


def _session() -> console_sessions.ConsoleSession | None:
    with hub().read() as conn:
        return console_sessions.session_of(
            conn, request.cookies.get(console_sessions.COOKIE), hub().clock.now()
        )


@console.get("")
@console.get("/")
def page() -> Response:
    session = _session()
    if session is None:
        return redirect("/admin/login", 303)  # type: ignore[return-value]
    return _page(console_html(session.csrf, language_of(request)))


@console.get("/stream")
def stream() -> Response:
    """The console's live updates as server-sent events (server/console_feed.py)."""
    if _session() is None:
        return Response("sign in first\n", status=401, mimetype="text/plain", headers=_HEADERS)
    socketio = current_app.extensions["socketio"]
    clock = hub().clock
    looked = {"at": clock.monotonic()}

    def still_signed_in() -> bool:
        if clock.monotonic() - looked["at"] < SESSION_CHECK_S:
            return True
        looked["at"] = clock.monotonic()
        return _session() is not None

    events = console_stream(still_signed_in, socketio.sleep, clock.monotonic)
    headers = {**_HEADERS, "X-Accel-Buffering": "no"}  # nginx: pass each event on at once
    return Response(stream_with_context(events), mimetype="text/event-stream", headers=headers)


def favicon() -> Response:
    """``/favicon.ico``: every browser asks on every console page, and each 404 was a logged refusal."""
    try:
        icon = asset("icons", "kiosk.ico").read_bytes()
    except OSError:  # a server installed without the assets
        return Response(status=204)
    return Response(icon, mimetype="image/x-icon", headers={"Cache-Control": "max-age=86400"})


@console.get("/console.js")
def script() -> Response:
    return Response(CONSOLE_SCRIPT, mimetype="text/javascript", headers=_HEADERS)


@console.get("/login")
def login_form() -> Response:
    return _page(login_html(language_of(request)))


@console.post("/login")
def login() -> Response:
    limiter = auth_limiter()
    address = request.remote_addr
    wait = limiter.retry_after(address)
    if wait is not None:
        language = language_of(request)
        return _page(login_html(language, locked_out_text(language, wait)), 429)
    token = (request.form.get("token") or "").strip()
    with hub().write() as tx:
        signed = console_sessions.sign_in(tx.conn, token, tx.clock.now(), address)
    if signed is None:
        if limiter.failed(address):
            log.warning("%s failed to sign in to the console too often: refusing it for a while", address)
        log.warning("console sign-in from %s refused: not the admin token", address)
        language = language_of(request)
        return _page(login_html(language, words(language)["wrong_token"]), 401)
    session_id, session = signed
    log.info("console: the admin signed in from %s (until %s)", address, session.expires_at)
    answer = redirect("/admin", 303)
    answer.set_cookie(
        console_sessions.COOKIE,
        session_id,
        max_age=console_sessions.SESSION_HOURS * 3600,
        path="/",
        secure=request.is_secure,
        httponly=True,
        samesite="Strict",
    )
    return answer  # type: ignore[return-value]


@console.post("/logout")
def logout() -> Response:
    session = _session()
    if session is not None and console_sessions.csrf_ok(session, request.form.get("csrf")):
        with hub().write() as tx:
            console_sessions.sign_out(tx.conn, request.cookies.get(console_sessions.COOKIE))
        log.info("console: the admin signed out")
    answer = redirect("/admin/login", 303)
    answer.delete_cookie(console_sessions.COOKIE, path="/")
    return answer  # type: ignore[return-value]
