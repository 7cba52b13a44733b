"""Everything the server is started with, in one value the app factory takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir

from kiosk.protocol.status import RECALL_WINDOW_S
from server.clock import Clock, SystemClock

DEFAULT_RETENTION_EVENTS = 100_000
CATCH_UP_PAGE = 1000
# GET /api/orders without ?active: history comes in pages (default, and the most one may ask).
ORDERS_PAGE = 500
MAX_ORDERS_PAGE = 5000
# Socket.IO clients only send joins: a small cap stops a client from making the server buffer megabytes.
MAX_SOCKET_MESSAGE_BYTES = 64 * 1024
IDEMPOTENCY_TTL_S = 24 * 3600
# Engine.IO pings: a screen on a dead link notices within interval + timeout (15 s, not the default 45 s).
PING_INTERVAL_S = 10
PING_TIMEOUT_S = 5


@dataclass
class ServerConfig:
    db_path: Path
    admin_token: str | None = None  # None: KIOSK_ADMIN_TOKEN is not set; use the stored one or generate
    async_mode: str | None = None  # None: let Flask-SocketIO pick (tests in-process use "threading")
    retention_events: int = DEFAULT_RETENTION_EVENTS
    recall_window_s: float = RECALL_WINDOW_S
    catch_up_page: int = CATCH_UP_PAGE
    clock: Clock = field(default_factory=SystemClock)


def default_db_path() -> Path:
    """Where ``--db`` points when not given: the platform's per-user data dir."""
    return Path(user_data_dir("kiosk-server")) / "kiosk.db"
