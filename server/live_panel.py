"""The console's live panel (``GET /api/live``, and the console's stream): rate, open orders, refusals, alerts.

Events per minute come from the head seq sampled over time (``SeqRate``),
not from a timestamp column the event log does not have; the runner samples
it every few seconds so the panel has a figure a minute after the start.
Refusals are this process's own, kept in memory as they are logged
(server/errors.py and the join refusals of server/sockets.py): they are for
a glance at what just went wrong, the log keeps them all.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kiosk.protocol.live_panel import RECENT, LivePanel, RecentAlert, Refusal
from kiosk.protocol.status import FINAL_STATUSES
from server.database import Connection

if TYPE_CHECKING:
    from flask_socketio import SocketIO

    from server.hub import Hub

RATE_WINDOW_S = 60.0
SAMPLE_EVERY_S = 5.0


class SeqRate:
    """Events per minute: the head seq now against its value a minute ago (injected monotonic clock)."""

    def __init__(self, monotonic: Callable[[], float], window_s: float = RATE_WINDOW_S) -> None:
        self._monotonic = monotonic
        self._window_s = window_s
        self._samples: deque[tuple[float, int]] = deque()
        self._lock = threading.Lock()

    def sample(self, seq: int) -> None:
        now = self._monotonic()
        with self._lock:
            self._samples.append((now, seq))
            # keep the newest sample that is a whole window old, and everything after it
            while len(self._samples) > 1 and now - self._samples[1][0] >= self._window_s:
                self._samples.popleft()

    def per_minute(self, seq: int) -> int | None:
        """None until a sample a whole window old exists."""
        self.sample(seq)
        now = self._monotonic()
        with self._lock:
            then, then_seq = self._samples[0]
        age = now - then
        if age < self._window_s:
            return None
        return round((seq - then_seq) * 60.0 / age)


def start_rate_sampler(socketio: SocketIO, hub: Hub, rate: SeqRate, every_s: float = SAMPLE_EVERY_S) -> None:
    """Sample the head seq every few seconds, so the panel has its rate a minute after the start."""

    def loop() -> None:
        while True:
            socketio.sleep(every_s)
            rate.sample(hub.seq)

    socketio.start_background_task(loop)


class RecentRefusals:
    """The last refusals of this process, newest first."""

    def __init__(self) -> None:
        self._kept: deque[Refusal] = deque(maxlen=RECENT)
        self._lock = threading.Lock()

    def add(self, refusal: Refusal) -> None:
        with self._lock:
            self._kept.appendleft(refusal)

    def newest_first(self) -> list[Refusal]:
        with self._lock:
            return list(self._kept)


def live_panel(
    conn: Connection, *, seq: int, rate: SeqRate, refusals: RecentRefusals, stats: dict[str, Any]
) -> LivePanel:
    """The panel: ``stats`` is ``/api/stats``'s body (connections and rooms, summed over a cluster)."""
    finals = tuple(status.value for status in FINAL_STATUSES)
    open_rows = conn.execute(
        "SELECT tenant_id, COUNT(*) FROM orders WHERE status NOT IN (?, ?) GROUP BY tenant_id ORDER BY tenant_id",
        finals,
    ).fetchall()
    alerts = conn.execute(
        "SELECT created_at, severity, message FROM alerts ORDER BY id DESC LIMIT ?", (RECENT,)
    ).fetchall()
    return LivePanel(
        seq=seq,
        events_per_minute=rate.per_minute(seq),
        connections=int(stats["connections"]),
        rooms=stats["rooms"],
        orders_today=int(stats["orders_today"]),
        orders_open={str(row[0]): int(row[1]) for row in open_rows},
        refusals=refusals.newest_first(),
        alerts=[RecentAlert(at=row[0], severity=row[1], message=row[2]) for row in alerts],
    )
