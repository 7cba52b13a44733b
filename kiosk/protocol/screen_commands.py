"""Steering a screen from the console: rename it, change its rooms, and the commands it obeys live.

The admin's request (``ScreenCommand``) reaches one device or every screen in
a room; the server passes it on as the Socket.IO event ``screen:command``
(``CommandToScreen``, with the device's name for "identify") and waits a few
seconds for each screen's ack (``ScreenAnswer``).

Why the screen and not the server validates pushed settings: the settings
table (kiosk/core/config.py) is the screen's, with checks the server cannot
run (a printer, a dialect file); the screen answers with the very message a
bad value in its TOML file would give, and the console shows it.  The server
only checks the shape here: a name the console may push, a plain value.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StringConstraints,
    model_validator,
)

from kiosk.protocol.pairing import DeviceName, RoomName

SCREEN_COMMAND = "screen:command"  # server → screen Socket.IO event; the ack is a ScreenAnswer
IDENTIFY_S = 10.0  # how long a screen shows its name when asked to identify itself
ANSWER_WAIT_S = 5.0  # how long the server waits for the screens' acks
# What the console may change on a screen; the rest (server, token, room, printer) is set at the screen.
PUSHABLE_SETTINGS = (
    "warn_after_s",
    "late_after_s",
    "language",
    "sound",
    "stations",
    "other_stations",
    "card_density",
    "allergy_keywords",
    "repeat_chime_s",
)
CommandName = Literal["identify", "reload", "settings"]
SettingText = Annotated[str, StringConstraints(max_length=500)]
SettingValue = StrictBool | StrictInt | StrictFloat | SettingText | list[SettingText]


class ScreenCommand(BaseModel):
    """``POST /api/devices/{name}/command`` and ``POST /api/rooms/{room}/command``."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    command: CommandName
    settings: Annotated[dict[str, SettingValue], Field(max_length=len(PUSHABLE_SETTINGS))] = Field(
        default_factory=dict
    )

    @model_validator(mode="after")
    def _settings_only_with_settings(self) -> ScreenCommand:
        unknown = sorted(set(self.settings) - set(PUSHABLE_SETTINGS))
        if unknown:
            raise ValueError(
                f"setting {unknown[0]!r} cannot be pushed; the console may push {', '.join(PUSHABLE_SETTINGS)}"
            )
        if self.command == "settings" and not self.settings:
            raise ValueError("a settings command needs at least one setting")
        if self.command != "settings" and self.settings:
            raise ValueError(f"{self.command!r} takes no settings")
        return self


class CommandToScreen(ScreenCommand):
    """What a screen receives: the command, and the name the server knows it by (shown by "identify")."""

    name: Annotated[str, StringConstraints(max_length=64)] = ""


class ScreenAnswer(BaseModel):
    """A screen's ack to a command, and one line of the console's reply."""

    model_config = ConfigDict(extra="forbid")

    screen: str = ""
    ok: bool
    message: Annotated[str, StringConstraints(max_length=500)] = ""


class CommandResults(BaseModel):
    """The reply to a command: each screen's answer, and how many screens did not answer in time."""

    answers: list[ScreenAnswer] = Field(default_factory=list)
    unanswered: list[str] = Field(default_factory=list)
    relayed: bool = False  # also sent to the screens on the cluster's other processes (answers not awaited)


class ChangeDevice(BaseModel):
    """``PATCH /api/devices/{name}``: a new name, new rooms, or both; its live sockets reconnect under them."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    name: DeviceName | None = None
    rooms: Annotated[list[RoomName], Field(min_length=1, max_length=20)] | None = None

    @model_validator(mode="after")
    def _something(self) -> ChangeDevice:
        if self.name is None and self.rooms is None:
            raise ValueError("give a new name, new rooms, or both")
        return self
