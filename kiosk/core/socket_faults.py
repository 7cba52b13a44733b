"""Why a live socket was dropped when the server's own data broke it, logged in words support can act on.

A 10 MB event used to drop the socket with nothing in the log but
"connection lost": aiohttp refuses a websocket message over its
``max_msg_size`` (4 MiB by default) by closing the socket with code 1009,
engine.io writes why only to its own logger (set to ERROR, so never), and the
screen reconnected, got the message again and dropped again, every few
seconds, forever.  Now the limit is ours and explicit, the reason is read off
the socket, and the connector logs it (once, then a count at most every
``FaultLog.interval_s``) and counts the drop as a failed attempt, so the
backoff grows instead of resetting (see ``Connector``).

The limit is twice the largest request body our server accepts (1 MiB), so
whatever it can emit arrives whole, and the store skips, with a log line,
what is over its own event limit; only a foreign or broken backend goes past
it.  engine.io's HTTP long-polling replies (the handshake, and every poll of
a screen whose websocket a proxy blocks) have their own cap and deadline,
``MAX_POLL_REPLY_BYTES`` (``kiosk.core.capped_http``), and a reply refused
there is logged and backed off on the same way.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from kiosk.core.clock import Clock
from kiosk.protocol.requests import MAX_BODY_BYTES

log = logging.getLogger("kiosk.net")

MAX_MESSAGE_BYTES = 2 * MAX_BODY_BYTES
# One long-polling reply carries every packet queued since the previous poll, so a burst of
# several messages up to the websocket limit fits whole: four of them.  A reply over it is
# dropped with the connection; nothing is lost, the catch-up after the reconnect fills the gap.
MAX_POLL_REPLY_BYTES = 4 * MAX_MESSAGE_BYTES
MESSAGE_TOO_BIG = 1009  # the websocket close code (RFC 6455) aiohttp uses for a message over max_msg_size
_SIZE = re.compile(r"Message size (\d+)")


def websocket_options() -> dict[str, Any]:
    """What the engine.io client passes to ``aiohttp.ClientSession.ws_connect``."""
    return {"max_msg_size": MAX_MESSAGE_BYTES}


def watched_session(response_class: type[Any] | None = None) -> Any:
    """An ``aiohttp.ClientSession`` whose websockets remember the error that closed them.

    aiohttp returns that error (with the message's size) as the data of an
    ERROR message, which engine.io only logs; ``ws_response_class`` is
    aiohttp's public hook for a response class of our own (``response_class``
    its hook for the HTTP replies: ``capped_http`` passes its capped one).
    """
    import aiohttp  # noqa: PLC0415 - lazy, like connection.py: ~250 ms that the first frame does not need

    class WatchedWebSocket(aiohttp.ClientWebSocketResponse):
        error: BaseException | None = None

        async def receive(self, timeout: float | None = None) -> aiohttp.WSMessage:  # noqa: ASYNC109 - aiohttp's own signature
            message = await super().receive(timeout)
            if message.type is aiohttp.WSMsgType.ERROR and isinstance(message.data, BaseException):
                self.error = message.data
            return message

    if response_class is None:
        return aiohttp.ClientSession(ws_response_class=WatchedWebSocket)
    return aiohttp.ClientSession(ws_response_class=WatchedWebSocket, response_class=response_class)


def fault_of(sio: Any) -> str | None:
    """Why the server's data broke this socket (None for an ordinary loss: a restart, a cable).

    Read from the engine.io client's websocket after the disconnect; any
    websocket protocol error counts (a message over the limit, a bad frame):
    reconnecting at once would only get the same again.
    """
    ws = getattr(getattr(sio, "eio", None), "ws", None)
    if ws is None:
        return None
    error = getattr(ws, "error", None)
    code = getattr(ws, "close_code", None)
    if error is None and code != MESSAGE_TOO_BIG:
        return None
    if code == MESSAGE_TOO_BIG or getattr(error, "code", None) == MESSAGE_TOO_BIG:
        size = _SIZE.search(str(error)) if error is not None else None
        what = f"a {int(size.group(1)) / 1e6:.1f} MB message" if size else "a message"
        return (
            f"the server sent {what}, over this screen's {MAX_MESSAGE_BYTES / 2**20:.0f} MiB limit: "
            "dropped the connection (check what the server or a proxy in front of it sends)"
        )
    return f"the server's websocket broke the protocol ({error}): dropped the connection"


@dataclass
class FaultLog:
    """The reason of a fault drop: logged the first time, then at most once per ``interval_s`` with a count.

    A server that sends the same oversized event on every connect must not
    fill the log; support needs the reason once and how often it recurs.
    """

    clock: Clock
    interval_s: float = 600.0
    _last: float | None = None
    _held_back: int = 0

    def seen(self, server_url: str, reason: str, *, what: str = "lost") -> None:
        """``what`` happened to the connection: "lost" (it was up) or "failed" (it never came up)."""
        now = self.clock.monotonic()
        if self._last is not None and now - self._last < self.interval_s:
            self._held_back += 1
            return
        more = (
            f" ({self._held_back} more such drop(s) in the last {self.interval_s / 60:.0f} min, not logged each)"
            if self._held_back
            else ""
        )
        log.warning("connection to %s %s: %s%s", server_url, what, reason, more)
        self._last, self._held_back = now, 0
