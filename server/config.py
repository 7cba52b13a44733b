"""Everything the server is started with, in one value the app factory takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from platformdirs import user_data_dir

from kiosk.protocol.status import RECALL_WINDOW_S
from server.clock import Clock, SystemClock
from server.database import DatabaseTarget

DEFAULT_RETENTION_EVENTS = 100_000
CATCH_UP_PAGE = 1000
# GET /api/orders without ?active: history comes in pages (default, and the most one may ask).
ORDERS_PAGE = 500
MAX_ORDERS_PAGE = 5000
# Large reads (GET /api/orders, GET /api/payments) per token: a bucket of this many, refilled at
# this rate (server/read_limiter.py).  A screen makes one or two when it starts or resyncs.
LARGE_READS_BURST = 10
LARGE_READS_PER_MINUTE = 30.0
# Socket.IO clients only send joins: a small cap stops a client from making the server buffer megabytes.
MAX_SOCKET_MESSAGE_BYTES = 64 * 1024
IDEMPOTENCY_TTL_S = 24 * 3600
# Engine.IO pings: a screen on a dead link notices within interval + timeout (15 s, not the default 45 s).
PING_INTERVAL_S = 10
PING_TIMEOUT_S = 5
# Slow and piled-up HTTP connections (server/http_guard.py; `run` flags of the same names).
# A request's line and headers must be complete this long after the connection opened (or,
# on a kept-alive connection, after its first byte): a client that trickles them is closed.
HEADER_TIMEOUT_S = 10.0
# A kept-alive connection with no new request for this long is closed (the client reconnects).
KEEPALIVE_TIMEOUT_S = 30.0
# Connections one address may hold open at once (0: no cap).  A screen holds one websocket
# and up to 4 REST connections, so 64 leaves room for a dozen screens behind one NAT address;
# at the cap the oldest connection of that address still waiting for a request is closed,
# and only when all of them are busy is the newcomer refused (503).
MAX_CONNECTIONS_PER_ADDRESS = 64
# Bytes that may wait for one socket that is not taking them (server/socket_queue.py).  The
# largest event is about 110 KB, a usual one 1 KB: 4 MiB is a minute or more of a busy food
# court.  Past it the socket is dropped; the screen reconnects and catches up by seq.
MAX_SOCKET_QUEUE_BYTES = 4 * 1024 * 1024
# An order still open this long after the kitchen got it was abandoned: closed as ``auto_closed``
# (server/stale_orders.py; ``--auto-close-after`` minutes, 0 for never).  A food court's longest
# honest order (a scheduled catering tray) is ready within a few hours.
AUTO_CLOSE_AFTER_S = 6 * 3600.0


@dataclass(frozen=True)
class HttpLimits:
    """How long pywsgi waits for a client, and how many connections one address may hold."""

    header_timeout_s: float = HEADER_TIMEOUT_S
    keepalive_timeout_s: float = KEEPALIVE_TIMEOUT_S
    max_connections_per_address: int = MAX_CONNECTIONS_PER_ADDRESS


@dataclass
class ServerConfig:
    db_path: Path
    database_url: str | None = None  # PostgreSQL (--database-url): db_path is then unused
    message_queue: str | None = None  # Redis (--message-queue): emits between server processes
    behind_proxies: int = 0  # --behind-proxy: X-Forwarded-For/-Proto hops to trust (0: the socket's address)
    admin_token: str | None = None  # None: KIOSK_ADMIN_TOKEN is not set; use the stored one or generate
    async_mode: str | None = None  # None: let Flask-SocketIO pick (tests in-process use "threading")
    retention_events: int = DEFAULT_RETENTION_EVENTS
    recall_window_s: float = RECALL_WINDOW_S
    catch_up_page: int = CATCH_UP_PAGE
    large_reads_burst: int = LARGE_READS_BURST
    large_reads_per_minute: float = LARGE_READS_PER_MINUTE
    max_socket_queue_bytes: int = MAX_SOCKET_QUEUE_BYTES  # 0: no cap
    auto_close_after_s: float | None = AUTO_CLOSE_AFTER_S  # None: never by age
    closing_time: time | None = None  # local; every open order is closed once a day at this time
    clock: Clock = field(default_factory=SystemClock)

    @property
    def database(self) -> DatabaseTarget:
        return (
            DatabaseTarget(url=self.database_url) if self.database_url else DatabaseTarget(path=self.db_path)
        )


def default_db_path() -> Path:
    """Where ``--db`` points when not given: the platform's per-user data dir."""
    return Path(user_data_dir("kiosk-server")) / "kiosk.db"
