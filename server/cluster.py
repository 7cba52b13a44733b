"""Several server processes as one: the sequencer between the hub and the screens, Redis between processes.

On PostgreSQL a commit may come from any process, so every process runs a
sequencer (server/sequencer.py): its own commits and what Redis brings from
the others go in, and each seq comes out once, in order, to this process's
sockets.  Without ``--message-queue`` (or while Redis is down) the sequencer's
tick reads the others' commits from the event log twice a second: delivery
degrades to that delay (under a second), never to a loss.

The join ack's ``seq`` becomes the sequencer's delivered watermark (``hub.watermark``):
what a joining screen has not been sent live is exactly what is after it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from server.database import PgConnection
from server.event_log import read_deliveries, read_head
from server.jsonio import OrjsonModule
from server.processes import HEARTBEAT_S, ProcessRegistry, process_id
from server.revocation import drop_device
from server.sequencer import Part, Sequencer

if TYPE_CHECKING:
    from flask_socketio import SocketIO

    from server.broadcast import Broadcaster
    from server.config import ServerConfig
    from server.hub import Hub
    from server.redis_manager import KioskRedisManager
    from server.sockets import Connections

log = logging.getLogger("server.cluster")

# How often the sequencer looks for holes older than its grace and reads the head (at most every 0.5 s):
# with every fourth publish lost at 50 events/s, a 1 s tick held deliveries p50 0.69 s behind.
TICK_S = 0.25
SUBSCRIBE_WAIT_S = 3.0


class ClusterUnavailableError(RuntimeError):
    """Cluster mode cannot start (a missing driver, an incompatible python-socketio); one line."""


def client_manager(config: ServerConfig) -> KioskRedisManager | None:
    """The Redis manager for ``--message-queue``, checked before the server is built; None without it."""
    if not config.message_queue:
        return None
    try:
        import redis  # noqa: F401, PLC0415 - the optional extra, only for --message-queue

        from server.redis_manager import ClusterHookError, KioskRedisManager, check_hooks  # noqa: PLC0415
    except ImportError:
        raise ClusterUnavailableError(
            "--message-queue needs the Redis client, which is not installed: pip install 'kiosk[cluster]'"
        ) from None
    try:
        check_hooks()
    except ClusterHookError as exc:
        raise ClusterUnavailableError(str(exc)) from None
    return KioskRedisManager(config.message_queue, json=OrjsonModule)


@dataclass
class Cluster:
    """This process's part of the cluster, for the stats and the background loop."""

    sequencer: Sequencer
    manager: KioskRedisManager | None
    registry: ProcessRegistry
    connections: Connections
    broadcaster: Broadcaster

    def revoked(self, name: str) -> None:
        """A device revoked here: the other processes drop its sockets too (at their sweep without Redis)."""
        if self.manager is not None:
            self.manager.publish_revoked(name)

    def state(self) -> dict[str, Any]:
        """What this process reports in its heartbeat and in ``/api/stats``."""
        counts = self.sequencer.counts()
        return {
            "connections": self.connections.count(),
            "rooms": self.broadcaster.local_rooms(),
            "delivered_seq": self.sequencer.delivered,
            "lag": counts.get("lag", 0),
            "sequencer": counts,
            "redis": None if self.manager is None else self.manager.counts(),
        }


def attach(
    socketio: SocketIO,
    hub: Hub,
    *,
    broadcaster: Broadcaster,
    connections: Connections,
    config: ServerConfig,
    manager: KioskRedisManager | None,
) -> Cluster:
    """Put the sequencer between the hub's commits and this process's sockets; start listening."""
    assert config.database_url is not None
    reader = PgConnection(config.database_url, read_only=True)  # the sequencer's own session

    def deliver(_seq: int, parts: list[Part]) -> None:
        for name, envelope, rooms in parts:
            broadcaster.emit(name, envelope, rooms)

    sequencer = Sequencer(
        deliver,
        lambda after, through: read_deliveries(reader, after, through),
        lambda: read_head(reader),
        logger=logging.getLogger("server.sequencer"),
    )
    if manager is not None:
        manager.offer = sequencer.offer
        manager.on_revoke = lambda name: drop_device(socketio, connections, name)
        manager.start_publisher()
        if not manager.wait_subscribed(SUBSCRIBE_WAIT_S):
            log.warning(
                "Redis at %s does not answer; starting anyway: other processes' events arrive through the "
                "event log within about a second until it does",
                manager.redis_url,
            )
    # Subscribed first, then the head: nothing committed in between is missed (start keeps earlier offers).
    sequencer.start(read_head(reader))

    def emit(seq: int, parts: list[Part]) -> None:
        if manager is not None:
            manager.publish_seq(seq, parts)
        sequencer.offer(seq, parts)

    hub.emitter = emit
    hub.watermark = lambda: sequencer.delivered
    registry = ProcessRegistry(PgConnection(config.database_url), process_id(), config.clock.now())
    cluster = Cluster(sequencer, manager, registry, connections, broadcaster)
    log.info(
        "cluster mode: process %s, events between processes through %s, delivered through seq %d",
        registry.me,
        manager.redis_url if manager is not None else "the event log only (no --message-queue)",
        sequencer.delivered,
    )
    return cluster


def start_background(socketio: SocketIO, cluster: Cluster, config: ServerConfig) -> None:
    """The tick (holes, lost tails, Redis down) four times a second, and the heartbeat."""

    def loop() -> None:
        beats = 0.0
        failing = False
        while True:
            socketio.sleep(TICK_S)
            cluster.sequencer.tick()
            beats += TICK_S
            if beats < HEARTBEAT_S:
                continue
            beats = 0.0
            try:
                cluster.registry.beat(config.clock.now(), cluster.state())
            except Exception as exc:  # the stats lose this process for a while, no more
                if not failing:
                    log.warning(
                        "heartbeat not written (the stats leave this process out until it is): %s", exc
                    )
                failing = True
            else:
                if failing:
                    log.info("heartbeat written again")
                failing = False

    socketio.start_background_task(loop)
