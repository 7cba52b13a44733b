"""An aiohttp application served on a loopback port from a thread with its own event loop.

The stand-in servers of ``tests/core`` (the legacy backend, the hostile one)
are real python-socketio and aiohttp, so the screen under test talks real
HTTP and engine.io to them; what differs is only their routes and handlers.
This is the part they share: the loop in a daemon thread, an ephemeral port
(so tests can run in parallel), the URL, and a stop that cleans the runner up
before the loop ends (an unclosed runner leaves its sockets open).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from aiohttp import web

T = TypeVar("T")


class LoopbackAiohttpServer:
    """Subclasses add routes to ``self.app`` (and attach Socket.IO) before ``start()``."""

    def __init__(self, thread_name: str) -> None:
        self.app = web.Application()
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=thread_name, daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 10) -> T:
        """Run ``coroutine`` on the server's loop and wait for its result (from the test's thread)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def start(self) -> None:
        self._thread.start()
        self.run(self._start())

    async def _start(self) -> None:
        self._runner = web.AppRunner(self.app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self._runner is not None:
            self.run(self._runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
