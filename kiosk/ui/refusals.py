"""A server refusal in the screen's language: the stable ``code`` picks the sentence.

The server answers every refusal with ``{"error": {"code", "message"}}``; its
English message is for the log and for support, the code is for people.  A
code this table does not know falls back to the server's own message.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication

log = logging.getLogger("kiosk.ui")


def _texts() -> dict[str, str]:
    translate = QCoreApplication.translate
    malformed = translate(
        "Refusal", "The server did not understand the request. Update this screen, or tell the admin."
    )
    unsaved = translate(
        "Refusal", "The server cannot save anything right now (its database). Tell the admin."
    )
    return {
        "unauthorized": translate(
            "Refusal",
            "The server does not know this device token, or it was revoked. Ask the admin for a new one.",
        ),
        "forbidden": translate(
            "Refusal", "This device may not use this room. Ask the admin for a token that includes it."
        ),
        "invalid_room": translate(
            "Refusal", "That is not a room name. Use display, kasir-N (a counter) or tenant-N (a stall)."
        ),
        "not_found": translate("Refusal", "The server does not have this order (any more)."),
        "unsupported": translate(
            "Refusal",
            "This order backend does not take that action from a screen. Do it on the backend itself.",
        ),
        "internal_error": translate(
            "Refusal", "The server failed to answer. Try again; if it goes on, tell the admin."
        ),
        "storage_full": translate(
            "Refusal", "The server's disk is full, so nothing was saved. Tell the admin to free some space."
        ),
        "server_stopping": translate(
            "Refusal", "The server is restarting, so nothing was saved. Try again in a minute."
        ),
        "too_many_large_reads": translate(
            "Refusal",
            "The server is busy with this screen's reloads; the screen tries again by itself shortly.",
        ),
        "too_many_connections": translate(
            "Refusal", "The server refuses more connections from this network address. Tell the admin."
        ),
        "too_many_failed_logins": translate(
            "Refusal",
            "Too many wrong device tokens came from this network address. Wait a minute, then check the "
            "token with the admin.",
        ),
        "body_too_large": translate("Refusal", "This request is too large for the server. Tell the admin."),
        "invalid_id": translate(
            "Refusal",
            "This order came from the server with an ID this screen cannot use, so nothing was sent. "
            "Tell the admin.",
        ),
        "storage_read_only": unsaved,
        "storage_error": unsaved,
        "storage_replaced": unsaved,
        "invalid_body": malformed,
        "malformed_json": malformed,
        "invalid_field": malformed,
        "missing_field": malformed,
        "unknown_field": malformed,
    }


def refusal_text(code: str | None, server_message: str) -> str:
    """The sentence to show for a refusal; the server's English message goes to the log."""
    log.info("server refused: %s (%s)", server_message, code or "no code")
    return _texts().get(code or "", server_message)


def _refund_texts() -> dict[str, str]:
    """Refund refusals a cashier can act on; the general table says the rest."""
    translate = QCoreApplication.translate
    return {
        "already_refunded": translate("Refusal", "This payment was already refunded; nothing more is owed."),
        "not_found": translate(
            "Refusal", "The server does not have this payment, or it was taken at another counter."
        ),
        "forbidden": translate(
            "Refusal", "This device may not refund this payment: only its own counter or the admin may."
        ),
        "offline": translate(
            "Refusal", "A refund needs the connection to the server; try again when it is back."
        ),
        "no_answer": translate(
            "Refusal",
            "The server did not answer, so the refund is not confirmed: do not hand the money back yet. "
            "Try again; it is never refunded twice.",
        ),
        "reason_required": translate("Refusal", "A refund needs a reason."),
    }


def refund_refusal_text(code: str | None, server_message: str) -> str:
    """``refusal_text`` for a refund: "not found" and "forbidden" speak of the payment and its counter."""
    text = _refund_texts().get(code or "")
    if text is None:
        return refusal_text(code, server_message)
    log.info("refund refused: %s (%s)", server_message, code)
    return text


def _order_texts() -> dict[str, str]:
    """Refusals of a bump, recall or cancel, said of the order the banner names."""
    translate = QCoreApplication.translate
    moved_on = translate("Refusal", "it has already moved on; the screen shows where it is now.")
    return {
        "invalid_transition": moved_on,
        "use_cancel": moved_on,
        "not_on_screen": translate("Refusal", "it is no longer on this screen."),
        "not_found": translate("Refusal", "the server no longer has it."),
        "recall_window_passed": translate("Refusal", "it was completed too long ago to be recalled."),
        "not_ready": translate("Refusal", "it is not ready yet."),
        "reason_required": translate("Refusal", "a cancel needs a reason."),
    }


def order_refusal_text(code: str | None, reason: str) -> str:
    """What follows "Order N was not changed:"; the English ``reason`` is logged by the caller."""
    return _order_texts().get(code or "") or _texts().get(code or "", reason)
