"""python-socketio's Redis manager, carrying Kiosk's seqs between processes and trusted for speed only.

Why a subclass: measured with the stock manager, emits from two processes reach
screens out of order, and a Redis restart silently loses what is published
while the listener backs off (up to 60 s).  Here each committed seq travels as
one message ``{"method": "emit", "kiosk_seq": s, "parts": [...]}``; a process
that hears it hands it to its sequencer (server/sequencer.py), which delivers
in seq order and reads whatever Redis lost from the event log.  So nothing
depends on Redis's order or delivery; only the delay does.

Two more changes, both for faults: publishing goes through an outbox drained
by a background task with short timeouts (a Redis that hangs never holds a
request, and never the hub's lock), and the listener reconnects within a
second or two instead of backing off to a minute.

Built on private hooks of python-socketio (``_handle_emit``, ``_publish``,
``_redis_listen_with_retries``, ``_thread``); ``check_hooks`` refuses cluster
mode at start if a release moved them, since correctness depends on them.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import socketio

from server.sequencer import Part

log = logging.getLogger("server.cluster")

HOOKS = ("_handle_emit", "_publish", "_redis_listen_with_retries", "_thread", "_redis_connect")
PUBLISH_TIMEOUT_S = 0.5
OUTBOX_CAP = 10_000  # past it a message is dropped: the event log has it (the sequencer fills it)
RETRY_S = (0.2, 0.5, 1.0, 2.0)  # the listener's reconnect waits; then every 2 s
# Tests only (tests/cluster): lose every Nth seq published, to prove the event log fills the hole.
FAULTS_ENV = "KIOSK_TEST_FAULTS"
SKIP_PUBLISH_ENV = "KIOSK_TEST_SKIP_PUBLISH_EVERY"

Offer = Callable[[int, list[Part]], None]


class ClusterHookError(RuntimeError):
    """This python-socketio does not have the hooks the cluster's exact delivery builds on."""


def check_hooks() -> None:
    missing = [name for name in HOOKS if not callable(getattr(socketio.RedisManager, name, None))]
    if missing:
        raise ClusterHookError(
            f"python-socketio {getattr(socketio, '__version__', '?')} lacks {', '.join(missing)}, which "
            "cluster mode builds on: install the version pyproject.toml's cluster extra names"
        )


class KioskRedisManager(socketio.RedisManager):  # type: ignore[misc]
    """Local fan-out stays ours (server/broadcast.py); Redis only tells other processes what committed."""

    local_fanout = True  # Broadcaster frames once and writes to this process's sockets itself

    def __init__(self, url: str, channel: str = "kiosk", json: Any = None) -> None:
        super().__init__(
            url,
            channel=channel,
            json=json,
            # The listener's connection: it blocks reading, so no read timeout; a dead Redis ends it.
            redis_options={"socket_connect_timeout": PUBLISH_TIMEOUT_S, "socket_keepalive": True},
        )
        self._publisher_options = {
            "socket_timeout": PUBLISH_TIMEOUT_S,
            "socket_connect_timeout": PUBLISH_TIMEOUT_S,
            "socket_keepalive": True,
        }
        self.offer: Offer | None = None  # set by server/cluster.py: the sequencer's offer
        self.on_revoke: Callable[[str], object] | None = None  # drops a revoked device's local sockets
        self._outbox: queue.Queue[dict[str, Any]] = queue.Queue(OUTBOX_CAP)
        self._subscribed = threading.Event()
        self._counts = dict.fromkeys(
            ("published", "publish_failed", "outbox_dropped", "received", "resubscribed", "skipped_by_test"),
            0,
        )
        self._publisher: Any = None
        self._skip_every = _test_skip_every()
        self._failing = False

    # -- publishing --------------------------------------------------------------------------
    def publish_seq(self, seq: int, parts: list[Part]) -> None:
        """Queue one committed seq for the other processes; never blocks."""
        self._publish({"method": "emit", "kiosk_seq": seq, "parts": parts, "host_id": self.host_id})

    def publish_revoked(self, name: str) -> None:
        """Tell the other processes a device was revoked: its sockets there go now, not at their sweep."""
        self._publish({"method": "emit", "kiosk_revoke": name, "host_id": self.host_id})

    def _publish(self, data: dict[str, Any]) -> None:
        try:
            self._outbox.put_nowait(data)
        except queue.Full:
            self._counts["outbox_dropped"] += 1

    def start_publisher(self) -> None:
        self.server.start_background_task(self._drain_outbox)

    def _drain_outbox(self) -> None:
        while True:
            data = self._outbox.get()
            if self._skip_every and "kiosk_seq" in data and data["kiosk_seq"] % self._skip_every == 0:
                self._counts["skipped_by_test"] += 1
                continue
            try:
                if self._publisher is None:
                    self._publisher = self._get_redis_module().Redis.from_url(
                        self.redis_url, **self._publisher_options
                    )
                self._publisher.publish(self.channel, self.json.dumps(data))
                self._counts["published"] += 1
                if self._failing:
                    self._failing = False
                    log.info("publishing to Redis works again")
            except Exception as exc:  # any failure: the event log has it
                self._counts["publish_failed"] += 1
                self._publisher = None
                if not self._failing:
                    self._failing = True
                    log.warning(
                        "cannot publish to Redis at %s (%s); other processes read the event log until it is back",
                        self.redis_url,
                        exc,
                    )

    # -- listening ---------------------------------------------------------------------------
    def _handle_emit(self, message: dict[str, Any]) -> None:
        revoked = message.get("kiosk_revoke")
        if isinstance(revoked, str):
            if self.on_revoke is not None:
                self.on_revoke(revoked)
            return
        seq = message.get("kiosk_seq")
        if seq is None:
            super()._handle_emit(message)
            return
        self._counts["received"] += 1
        if self.offer is not None and isinstance(seq, int) and isinstance(message.get("parts"), list):
            self.offer(seq, [(str(name), envelope, rooms) for name, envelope, rooms in message["parts"]])

    def _redis_listen_with_retries(self) -> Iterator[Any]:
        attempt = 0
        while True:
            try:
                self._redis_connect()
                self.pubsub.subscribe(self.channel)
                if self._subscribed.is_set():
                    self._counts["resubscribed"] += 1
                    log.info("listening to Redis again at %s", self.redis_url)
                self._subscribed.set()
                attempt = 0
                yield from self.pubsub.listen()
            except Exception as exc:  # the connection is gone, whatever the reason
                wait = RETRY_S[min(attempt, len(RETRY_S) - 1)]
                if attempt == 0:
                    log.warning(
                        "lost Redis at %s (%s); retrying every %g s, the event log fills in meanwhile",
                        self.redis_url,
                        exc,
                        RETRY_S[-1],
                    )
                attempt += 1
                time.sleep(wait)

    def wait_subscribed(self, timeout_s: float) -> bool:
        return self._subscribed.wait(timeout_s)

    def counts(self) -> dict[str, int]:
        return {**self._counts, "outbox": self._outbox.qsize()}


def _test_skip_every() -> int:
    if os.environ.get(FAULTS_ENV) != "1":
        return 0
    return int(os.environ.get(SKIP_PUBLISH_ENV) or 0)
