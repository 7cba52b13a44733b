"""Pairing a screen without copying tokens: the code a screen shows, and what it and the admin send.

The flow: a screen with no token asks the server for a pairing (``StartPairing``)
and gets a short ``code`` to show and a long ``secret`` to keep; the admin
approves the code with a name and rooms (``ApprovePairing``, from the console or
``kiosk-server devices approve``); the screen, polling with its secret
(``ClaimPairing``), then receives its device token once, in that answer.

Why a code *and* a secret: the code is read aloud and typed by the admin, so it
is short and not secret; what proves "I am the screen that asked" is the secret,
which never leaves the screen and the server.  Guessing a code gains nothing
(approving needs the admin token), and a secret is 32 random bytes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from kiosk.protocol.text import clean_line

# No 0/O, 1/I/L: a code is read from across a kitchen and typed by hand.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
CODE_TTL_S = 600.0  # a code lives ten minutes; the screen asks for a new one after that
SECRET_BYTES = 32

Secret = Annotated[str, StringConstraints(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]
# After the length checks: no control or direction characters (kiosk.protocol.text), as every text field.
_LINE = AfterValidator(clean_line)
# A device name is a path segment (DELETE /api/devices/NAME): no slash or backslash.
DeviceName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[^/\\\\]+$"), _LINE
]
RoomName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), _LINE]
ScreenNote = Annotated[str, StringConstraints(strip_whitespace=True, max_length=80), _LINE]


def normal_code(text: str) -> str:
    """``k7m 4qp`` / ``K7M-4QP`` → ``K7M4QP``: what the admin types, however it was grouped."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def shown_code(code: str) -> str:
    """``K7M4QP`` → ``K7M 4QP``: two groups of three, easier to read aloud."""
    return f"{code[:3]} {code[3:]}"


class _Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class StartPairing(_Body):
    """``POST /api/pairing`` from a screen with no token: what it says about itself (shown to the admin)."""

    app_version: ScreenNote = ""
    hostname: ScreenNote = ""


class PairingStarted(BaseModel):
    code: str
    secret: str
    expires_at: str
    poll_s: float


class ClaimPairing(_Body):
    """``POST /api/pairing/claim``: the screen asks whether its code was approved."""

    secret: Secret


class PairingState(BaseModel):
    """The claim's answer: still waiting, or approved with the token (sent this once)."""

    status: Literal["waiting", "approved"]
    expires_at: str | None = None
    name: str | None = None
    rooms: list[str] = Field(default_factory=list)
    token: str | None = None


class ApprovePairing(_Body):
    """``POST /api/pairing/{code}/approve`` (admin): the name and rooms the new screen gets."""

    name: DeviceName
    rooms: Annotated[list[RoomName], Field(min_length=1, max_length=20)]


class PairingApproved(BaseModel):
    code: str
    name: str
    rooms: list[str]
    status: Literal["approved"]


class WaitingScreen(BaseModel):
    """One screen showing a code, for the admin's list."""

    code: str
    created_at: str
    expires_at: str
    address: str | None
    app_version: str
    hostname: str
    status: str


class PairingsPage(BaseModel):
    """``GET /api/pairing`` (admin): the screens showing a code now."""

    pairings: list[WaitingScreen] = Field(default_factory=list)
