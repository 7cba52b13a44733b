"""The connection's state as screens show it: Live / Reconnecting in 4 s / Offline since 12:03."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ConnectionState(StrEnum):
    CONNECTING = "connecting"  # first attempt since start
    LIVE = "live"  # socket up, room joined, caught up
    RECONNECTING = "reconnecting"  # waiting for / making another attempt
    OFFLINE = "offline"  # not configured, or refused (bad token): needs a person


@dataclass(frozen=True)
class ConnectionStatus:
    state: ConnectionState
    attempt: int = 0
    next_attempt_at: datetime | None = None
    offline_since: datetime | None = None
    detail: str = ""
    polling: bool = False  # events still arrive through the REST catch-up poll
