"""The server's own objects, under one typed Flask extension: ``app.extensions["kiosk"]``.

Why one object: the hub, the config, the socket registry, the limiters and
the broadcaster used to sit under seven string keys (``"kiosk_hub"``,
``"kiosk_config"``...), each read back with a ``type: ignore``, so a typo was
a KeyError at request time and mypy knew nothing of what came back.
Flask-SocketIO keeps itself the same way (``app.extensions["socketio"]``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

from server.live_panel import RecentRefusals, SeqRate
from server.read_limiter import LargeReadLimiter

if TYPE_CHECKING:
    from server.auth_throttle import FailedAuthLimiter
    from server.broadcast import Broadcaster
    from server.cluster import Cluster
    from server.config import ServerConfig
    from server.hub import Hub
    from server.sockets import Connections

KEY = "kiosk"
PAIRINGS_PER_WINDOW = 20  # pairing codes one address may ask for in 10 minutes

BlockingRunner = Callable[[Callable[[], Any]], Any]


@dataclass
class ServerState:
    config: ServerConfig
    hub: Hub
    connections: Connections
    auth_limiter: FailedAuthLimiter
    broadcaster: Broadcaster
    started: float  # the config clock's monotonic time at start, for uptime
    # How a route runs blocking work (SQLite reads) off the event loop; set when the server is run
    # (server/runner.py), None in-process, where a read runs where it is asked.
    run_blocking: BlockingRunner | None = None
    cluster: Cluster | None = None  # on PostgreSQL (server/cluster.py)
    refusals: RecentRefusals = field(default_factory=RecentRefusals)  # for the console's live panel
    _pairing_limiter: FailedAuthLimiter | None = field(default=None, repr=False)
    _read_limiter: LargeReadLimiter | None = field(default=None, repr=False)
    _seq_rate: SeqRate | None = field(default=None, repr=False)

    @property
    def seq_rate(self) -> SeqRate:
        """Events per minute for the live panel, on the config's clock (server/live_panel.py)."""
        if self._seq_rate is None:
            self._seq_rate = SeqRate(self.config.clock.monotonic)
        return self._seq_rate

    @property
    def read_limiter(self) -> LargeReadLimiter:
        """Made on first use, from the config as it is then (a test may change the limits after start)."""
        if self._read_limiter is None:
            self._read_limiter = LargeReadLimiter(
                self.config.clock,
                burst=self.config.large_reads_burst,
                per_minute=self.config.large_reads_per_minute,
            )
        return self._read_limiter

    @property
    def pairing_limiter(self) -> FailedAuthLimiter:
        """Pairing codes asked per address (server/pairing_routes.py): a screen needs one per 10 min."""
        if self._pairing_limiter is None:
            from server.auth_throttle import FailedAuthLimiter  # noqa: PLC0415 - typing-only at the top

            self._pairing_limiter = FailedAuthLimiter(
                self.config.clock, allowed=PAIRINGS_PER_WINDOW, window_s=600
            )
        return self._pairing_limiter


def install(app: Flask, state: ServerState) -> None:
    app.extensions[KEY] = state


def server_state(app: Flask | None = None) -> ServerState:
    """This app's state (the current request's app when ``app`` is None)."""
    found = (app if app is not None else current_app).extensions[KEY]
    assert isinstance(found, ServerState)
    return found
