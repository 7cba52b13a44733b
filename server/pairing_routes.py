"""The pairing routes: a screen asks and polls without a token; the admin lists and approves.

Their rules and bodies are declared in kiosk/protocol/api.py like every route;
what they do is server/pairing.py.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from kiosk.protocol import api as api_routes
from kiosk.protocol.pairing import ApprovePairing, ClaimPairing, StartPairing
from server import pairing, policy
from server.console_feed import pairings_page
from server.errors import ApiError, refusal
from server.jsonio import json_response
from server.state import server_state
from server.web import auth_limiter, body, hub, principal, raw_body, refuse_if_blocked

pairing_api = Blueprint("pairing", __name__, url_prefix=api_routes.API_PREFIX)


@pairing_api.errorhandler(pairing.PairingRefusedError)
def _refused(exc: pairing.PairingRefusedError) -> Response:
    """As every refusal: the error body, the status, Retry-After where waiting helps."""
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    return refusal(exc.status, exc.to_body(), headers)


@pairing_api.route(api_routes.START_PAIRING.flask_rule, methods=[api_routes.START_PAIRING.method])
def start() -> Response:
    refuse_if_blocked("too many failed attempts from this address")
    limiter = server_state().pairing_limiter
    if limiter.retry_after(request.remote_addr) is not None or limiter.failed(request.remote_addr):
        raise ApiError(
            429,
            "too_many_pairings",
            "this address asked for many pairing codes in a short time; wait a minute and try again",
            headers={"Retry-After": "60"},
        )
    asked = body(StartPairing) if raw_body().strip() else StartPairing()  # a screen may say nothing of itself
    with hub().write() as tx:
        started = pairing.start(tx.conn, asked, request.remote_addr, tx.clock.now())
    return json_response(started.model_dump(), api_routes.START_PAIRING.status)


@pairing_api.route(api_routes.CLAIM_PAIRING.flask_rule, methods=[api_routes.CLAIM_PAIRING.method])
def claim() -> Response:
    refuse_if_blocked("too many failed attempts from this address")
    asked = body(ClaimPairing)
    try:
        with hub().write() as tx:
            state = pairing.claim(tx.conn, asked.secret, tx.clock.now())
    except pairing.PairingRefusedError as exc:
        if exc.code == "unknown_pairing":
            auth_limiter().failed(request.remote_addr)  # a guessed secret counts like a guessed token
        raise
    return json_response(state.model_dump(exclude_defaults=True))


@pairing_api.route(api_routes.LIST_PAIRINGS.flask_rule, methods=[api_routes.LIST_PAIRINGS.method])
def waiting() -> Response:
    policy.check_admin(principal(), "see the screens waiting to be paired")
    return json_response(pairings_page())


@pairing_api.route(api_routes.APPROVE_PAIRING.flask_rule, methods=[api_routes.APPROVE_PAIRING.method])
def approve(code: str) -> Response:
    policy.check_admin(principal(), "approve screens")
    asked = body(ApprovePairing)
    with hub().write() as tx:
        approved = pairing.approve(tx.conn, code, asked, tx.clock.now())
    return json_response(approved)
