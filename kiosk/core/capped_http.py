"""engine.io's HTTP long-polling replies, read with a size cap and a deadline.

Why: a screen whose websocket a proxy blocks connects with engine.io's
long-polling handshake (``GET /socket.io/?EIO=4&transport=polling``;
kiosk/core/transport_choice.py) and stays on polling; each reply was read
whole with aiohttp's ``await r.read()``.  A server whose ``/socket.io/`` reply
never ended grew a screen by 1.1 GB in 15 s, and the websocket limit
(``socket_faults.MAX_MESSAGE_BYTES``) never saw it.

aiohttp's ``response_class`` is its public hook for a response class of our
own, so engine.io is not patched: ``read()`` refuses a declared Content-Length
over ``MAX_POLL_REPLY_BYTES`` before reading, reads the body in chunks and
stops past it, and closes the connection (the rest is not drained).  It also
turns a read that hit its deadline into the same kind of refusal.  engine.io
gives each request an aiohttp *total* timeout (``request_timeout`` for the
handshake and the POSTs, the server's ping interval + 5 s for a long poll), and
aiohttp counts reading the body in it, so a reply trickled at one byte a second
is cut then, not kept alive by each byte; since the server chooses the long
poll's figure, ``ceiling_s`` bounds every exchange as well.

The reason, in words support can act on, goes to ``ReplyWatch`` for the
``Connector`` to log once and back off on.  The exception is a ``ValueError``
and an ``aiohttp.ClientPayloadError``: engine.io takes a ValueError from
``read()`` as a bad reply (the handshake fails with ConnectionError, the
polling read loop disconnects) and a ClientError from ``json()`` as no JSON;
anything else would end its read loop task silently, leaving a socket that
says it is connected and reads nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any

from kiosk.core.socket_faults import MAX_POLL_REPLY_BYTES, watched_session

# Four times the longest our server holds a long poll (its 10 s ping interval + engine.io's 5 s).
LONG_POLL_CEILING_S = 60.0
_CHECK = "check what the server or a proxy in front of it sends"


class ReplyWatch:
    """Why the last engine.io HTTP reply was refused (None: none was)."""

    def __init__(self) -> None:
        self.reason: str | None = None

    def take(self) -> str | None:
        """The reason, cleared: each connection attempt hears only its own."""
        reason, self.reason = self.reason, None
        return reason


def capped_session(watch: ReplyWatch, *, request_timeout_s: float = 0.0) -> Any:
    """An ``aiohttp.ClientSession`` for engine.io: websockets as ``socket_faults.watched_session``,
    HTTP replies capped at ``MAX_POLL_REPLY_BYTES`` and each exchange at ``LONG_POLL_CEILING_S``
    (or ``request_timeout_s``, if a screen is configured to wait longer).  Create it in the running loop."""
    ceiling_s = max(LONG_POLL_CEILING_S, request_timeout_s)
    import aiohttp  # noqa: PLC0415 - lazy, like connection.py: ~250 ms that the first frame does not need

    class ReplyRefusedError(aiohttp.ClientPayloadError, ValueError):
        """A reply too big or too slow to read (see the module docstring for the two bases)."""

    class CappedResponse(aiohttp.ClientResponse):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._sent_at = asyncio.get_running_loop().time()  # the request is out: the clock runs

        def _refuse(self, why: str) -> ReplyRefusedError:
            self.close()  # the connection, not back to the pool: the rest is never read
            path = self.url.path or "/"
            watch.reason = f"the server's reply to {self.method} {path} {why}"
            return ReplyRefusedError(watch.reason)

        def _took(self, got: str) -> ReplyRefusedError:
            took = asyncio.get_running_loop().time() - self._sent_at
            return self._refuse(
                f"took over {took:.1f} s ({got}): gave up "
                "(the server or a proxy in front of it is too slow or stuck)"
            )

        async def start(self, connection: Any) -> CappedResponse:
            try:
                async with asyncio.timeout_at(self._sent_at + ceiling_s):
                    await super().start(connection)
            except TimeoutError:
                raise self._took("not even its headers had come") from None
            return self

        async def read(self) -> bytes:
            if self._body is None:
                limit = f"over this screen's {MAX_POLL_REPLY_BYTES / 2**20:.0f} MiB limit"
                declared = self.content_length
                if declared is not None and declared > MAX_POLL_REPLY_BYTES:
                    raise self._refuse(f"declares {declared / 1e6:.1f} MB, {limit}: refused ({_CHECK})")
                body = bytearray()
                try:
                    async with asyncio.timeout_at(self._sent_at + ceiling_s):
                        async for chunk in self.content.iter_any():
                            body += chunk
                            if len(body) > MAX_POLL_REPLY_BYTES:
                                raise self._refuse(f"kept coming, {limit}: dropped it ({_CHECK})")
                except TimeoutError:
                    raise self._took(f"{len(body)} byte(s) of it had come") from None
                except BaseException:
                    self.close()
                    raise
                self._body = bytes(body)
            return await super().read()

    return watched_session(response_class=CappedResponse)
