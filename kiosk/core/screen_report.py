"""The screen's report about itself, every half minute while live (kiosk/protocol/fleet.py).

The admin's fleet view shows it: app version, how far this screen has applied
the event log (so its lag), orders on screen, whether its sound is muted, and
the last thing that went wrong.  Sent only to Kiosk's own server (a seed
backend has no such event), as a Socket.IO call with an ack; a refusal or a
failure is logged once and never disturbs the screen.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Protocol

from kiosk import __version__
from kiosk.core.connection_status import ConnectionState, ConnectionStatus
from kiosk.protocol.fleet import SCREEN_STATUS, STATUS_EVERY_S

log = logging.getLogger("kiosk.net")


class Reporting(Protocol):
    """What this reads of the Session (kiosk/core/session.py, which makes the reporter)."""

    config: Any
    store: Any
    syncer: Any
    connector: Any

    @property
    def status(self) -> ConnectionStatus: ...

    def subscribe_status(self, callback: Callable[[ConnectionStatus], None]) -> Callable[[], None]: ...


class ScreenReporter:
    def __init__(self, session: Reporting, *, every_s: float = STATUS_EVERY_S) -> None:
        self.session = session
        self.every_s = every_s
        # What the UI adds (its sound's mute switch); set by the window, empty for a headless core.
        self.extras: Callable[[], dict[str, Any]] = dict
        self.last_error: str | None = None
        self.sent = 0
        self._refused_logged = False
        session.subscribe_status(self._on_status)

    def _on_status(self, status: ConnectionStatus) -> None:
        # A failure's reason (a reconnect, an offline spell), not the "connecting" of a start.
        if status.state in (ConnectionState.RECONNECTING, ConnectionState.OFFLINE) and status.detail:
            self.last_error = status.detail[:300]

    def status(self) -> dict[str, Any]:
        session = self.session
        return {
            "app_version": __version__[:40],
            "room": session.config.room[:40],
            "applied_seq": max(0, session.store.seq or 0),
            "orders_on_screen": len(session.store.orders),
            "sound_muted": bool(self.extras().get("sound_muted", False)),
            "last_error": self.last_error,
        }

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.every_s)
            await self.send()

    async def send(self) -> None:
        """One report, if live on Kiosk's own server; never raises."""
        session = self.session
        if session.status.state is not ConnectionState.LIVE or not session.syncer.dialect.native:
            return
        try:
            ack = await session.connector.call(SCREEN_STATUS, self.status())
        except Exception as exc:  # a timeout, a connection gone: the next report tries again
            log.debug("status report not sent: %s", exc)
            return
        if isinstance(ack, dict) and ack.get("ok") is True:
            self.sent += 1
        elif not self._refused_logged:
            self._refused_logged = True
            log.warning("the server refused this screen's status report: %s", ack)
