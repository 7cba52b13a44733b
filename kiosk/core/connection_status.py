"""How a screen's connection stands, and who is told when it changes: what the header badge shows.

Apart from kiosk/core/connection.py (the socket loop that sets it) because the
screens read it and never need the loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kiosk.core.clock import Clock
from kiosk.core.listeners import Listeners


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


class StatusBoard:
    """The current ConnectionStatus and who wants to hear about changes."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.status = ConnectionStatus(ConnectionState.CONNECTING, offline_since=clock.now())
        self._listeners: Listeners[Callable[[ConnectionStatus], None]] = Listeners()

    def subscribe(self, callback: Callable[[ConnectionStatus], None]) -> Callable[[], None]:
        return self._listeners.subscribe(callback)

    def set(
        self,
        state: ConnectionState,
        *,
        attempt: int = 0,
        next_attempt_at: datetime | None = None,
        detail: str = "",
        polling: bool | None = None,
        keep: bool = False,
    ) -> None:
        previous = self.status
        if keep:
            status = ConnectionStatus(
                previous.state,
                previous.attempt,
                previous.next_attempt_at,
                previous.offline_since,
                previous.detail,
                polling=bool(polling),
            )
        else:
            offline_since = (
                None if state is ConnectionState.LIVE else (previous.offline_since or self.clock.now())
            )
            status = ConnectionStatus(
                state,
                attempt,
                next_attempt_at,
                offline_since,
                detail,
                polling=False
                if state is ConnectionState.LIVE
                else bool(polling if polling is not None else previous.polling),
            )
        if status == previous:
            return
        self.status = status
        self._listeners.tell(lambda callback: callback(status), f"connection status {status.state.value}")
