"""Which transports a connection attempt asks engine.io for: websocket first, long-polling where websockets are blocked.

Why websocket first: engine.io's default opens with a long-polling handshake
and then upgrades, which behind a load balancer spreading requests over several
server processes needs sticky sessions (round robin sends the second poll to a
process that does not know the sid: 400 "Invalid session").  A websocket-only
connection is one upgrade request and then one TCP connection: no stickiness.

Why the fallback: some networks and proxies refuse websockets.  "Websocket not
possible here" is an answer to the upgrade request other than a websocket
handshake (aiohttp's ``WSServerHandshakeError``: a proxy's 403, a block page's
200, a 400 from a server that only polls, a 502...).  Anything else -
connection refused, DNS, a reset, a timeout - is the server, or the way to it,
being down: today's backoff, and websocket first again.

After a refusal the same attempt goes on at once with ``POLLING_FIRST``
(engine.io's default, which still tries the upgrade), and that choice is kept
for ``remember_s`` on the injected clock (or until the screen restarts), then
websocket-only is tried again.  It is dropped sooner when a polling connection
upgrades to websocket after all (websockets work), or when the refusal was a
5xx and long-polling failed too: a gateway whose server is down answers every
transport that way, which says nothing about websockets.

aiohttp is imported only when an attempt failed, like connection.py's imports.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus

from kiosk.core.clock import Clock

log = logging.getLogger("kiosk.net")

WEBSOCKET_ONLY = ("websocket",)
POLLING_FIRST = ("polling", "websocket")
REMEMBER_S = 600.0


def refused_upgrade(exc: BaseException | None) -> tuple[int, str] | None:
    """(status, words) if ``exc``, or what it was raised from, is a websocket upgrade answered without a handshake.

    python-socketio raises its ConnectionError from engine.io's, which engine.io
    raised while handling aiohttp's ``WSServerHandshakeError``: the chain is walked.
    """
    import aiohttp  # noqa: PLC0415 - lazy, see the module docstring

    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, aiohttp.WSServerHandshakeError):
            if exc.status != HTTPStatus.SWITCHING_PROTOCOLS:
                try:
                    phrase = f" {HTTPStatus(exc.status).phrase}"
                except ValueError:
                    phrase = ""
                return exc.status, f"the websocket upgrade was answered {exc.status}{phrase}"
            return exc.status, f"the answer to the websocket upgrade was no handshake: {exc.message}"
        exc = exc.__cause__ or exc.__context__
    return None


class TransportChoice:
    """Websocket-only, or long-polling first for a while after websockets were refused (see the module docstring)."""

    def __init__(self, clock: Clock, *, remember_s: float = REMEMBER_S) -> None:
        self.clock = clock
        self.remember_s = remember_s
        self.reason: str | None = None  # why websockets look blocked; None: websocket first
        self.confirmed = False  # a connection stayed on long-polling since the refusal
        self._until = 0.0
        self._gateway = False  # the refusal was a 5xx
        self._told = False

    @property
    def polling(self) -> bool:
        """Whether attempts ask for long-polling first now."""
        if self.reason is not None and self.clock.monotonic() >= self._until:
            log.info("trying websockets again after %.0f min on long-polling", self.remember_s / 60)
            self.reason = None
        return self.reason is not None

    def transports(self) -> list[str]:
        """What the next attempt passes to ``AsyncClient.connect(transports=...)``."""
        return list(POLLING_FIRST if self.polling else WEBSOCKET_ONLY)

    def failed(self, transports: Sequence[str], exc: BaseException) -> bool:
        """An attempt with ``transports`` failed with ``exc``: True if it should go on at once over long-polling."""
        if tuple(transports) == WEBSOCKET_ONLY:
            refused = refused_upgrade(exc)
            if refused is None:
                return False  # down, not blocked: the backoff, websocket first again
            status, self.reason = refused
            self.confirmed, self._gateway = False, status >= HTTPStatus.INTERNAL_SERVER_ERROR
            self._until = self.clock.monotonic() + self.remember_s
            log.info("%s: trying long-polling", self.reason)
            return True
        if self._gateway and self.reason is not None and not self.confirmed:
            log.info("long-polling failed too: %s said nothing about websockets", self.reason)
            self.reason = None
        return False

    def connected(self, transport: str | None, *, upgrades: object = None) -> None:
        """An attempt connected; engine.io ended on ``transport`` (its ``upgrades``: what the server offered)."""
        if transport == "websocket":
            if self.reason is not None:
                log.info("websockets work again (the upgrade succeeded); connecting websocket-first")
            self.reason = None
            return
        if self.reason is None or self.confirmed:
            return
        self.confirmed = True
        offered = isinstance(upgrades, list | tuple) and "websocket" in upgrades
        why = self.reason if offered else f"{self.reason}; the server offered no upgrade"
        (log.warning if not self._told else log.info)(
            "websockets look blocked between this screen and the server (%s); using long-polling "
            "for %.0f min",
            why,
            self.remember_s / 60,
        )
        self._told = True

    @property
    def note(self) -> str:
        """For the status detail of a connection on long-polling."""
        return "long-polling: websockets look blocked" if self.reason is not None else ""
