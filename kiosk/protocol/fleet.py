"""What a screen reports about itself, every half minute, for the fleet view (``GET /api/devices``).

Why the screen says it: the server knows a socket is connected, but not which
app version runs there, how far the screen has applied the event log, how many
orders it shows, whether its sound is muted, or the last thing that went wrong
on it: the questions an admin with 30 screens asks first.  Strict and small,
like every body from the wire; the server refuses anything else in the ack.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from kiosk.protocol.text import clean_line

SCREEN_STATUS = "screen:status"  # client → server Socket.IO event; the ack is {"ok": true} or an error
STATUS_EVERY_S = 30.0  # how often a live screen reports
OFFLINE_AFTER_S = 75.0  # a screen not heard of for this long is shown offline (in a cluster too)

_LINE = AfterValidator(clean_line)
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), _LINE]
ErrorText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300), _LINE]


class ScreenStatus(BaseModel):
    """One report from a screen about itself."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    app_version: ShortText = ""
    room: ShortText = ""
    applied_seq: Annotated[int, Field(ge=0, le=2**53)] = 0
    orders_on_screen: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    sound_muted: bool = False
    last_error: ErrorText | None = None


class DeviceState(BaseModel):
    """One device in ``GET /api/devices``: the token's record and what its screen last reported."""

    name: str
    rooms: list[str]
    created_at: str
    revoked_at: str | None = None
    online: bool = False
    since: str | None = None  # when it came online, or went offline
    seen_at: str | None = None
    address: str | None = None
    app_version: str | None = None
    applied_seq: int | None = None
    lag: int | None = None  # the server's seq minus the applied one
    orders_on_screen: int | None = None
    sound_muted: bool | None = None
    last_error: str | None = None


class DevicesPage(BaseModel):
    devices: list[DeviceState] = Field(default_factory=list)
    seq: int
