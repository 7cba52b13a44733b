"""The screens of the fan-out benchmark: one process holding many Socket.IO clients.

Each worker process runs one asyncio loop with ``count`` python-socketio
``AsyncClient``s (websocket transport only, as the kiosk prefers), joins them
all to the room and stamps every event the moment its handler runs.  The send
time travels inside the payload as ``time.monotonic_ns()``; CLOCK_MONOTONIC is
one clock for the whole machine on Linux, so publisher and screens in
different processes share it.

The parent talks to a worker through three shared objects only: a counter of
joined clients, a counter of distinct events received (so it can wait on a
condition instead of sleeping) and a stop event; the worker answers with one
``WorkerResult`` on a queue.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event as MpEvent
from typing import Any

import socketio

MARKER_RE = re.compile(r"fanout i=(\d+) t=(\d+)")
CONNECT_CONCURRENCY = 10
DISCONNECT_TIMEOUT_S = 10.0


def marker(index: int, sent_ns: int) -> str:
    """The text the publisher hides in a payload field and the screens read back."""
    return f"fanout i={index} t={sent_ns}"


@dataclass(frozen=True)
class WorkerConfig:
    """What one worker process needs to know; picklable for the spawn start method."""

    worker_id: int
    url: str
    clients: int
    event: str
    join_argument: Any  # ``{"room": "display"}`` for our server, ``"display"`` for Node
    token: str | None
    marker_path: tuple[str, ...]  # where the marker sits in the envelope, e.g. ("data", "message")
    events: int  # how many events the publisher will send (indices 0..events-1)
    warmup: int  # indices below this count for losses but not for latency


@dataclass
class WorkerResult:
    worker_id: int
    error: str | None = None
    latencies_us: list[int] = field(default_factory=list)
    missing: int = 0
    duplicates: int = 0
    reordered: int = 0
    foreign: int = 0
    disconnects: int = 0
    payload_bytes: int = 0
    clients_complete: int = 0


@dataclass
class _Screen:
    """One client's view: what it has seen and when."""

    events: int
    warmup: int
    seen: bytearray = field(init=False)
    latencies_us: list[int] = field(default_factory=list)
    distinct: int = 0
    duplicates: int = 0
    reordered: int = 0  # an envelope whose seq is below one already seen
    last_seq: int = 0
    foreign: int = 0
    disconnected: bool = False

    def __post_init__(self) -> None:
        self.seen = bytearray(self.events)


def _dig(envelope: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(envelope, dict):
            return None
        envelope = envelope.get(key)
    return envelope


async def _run(
    cfg: WorkerConfig, ready: Synchronized[int], received: Synchronized[int], stop: MpEvent
) -> WorkerResult:
    result = WorkerResult(cfg.worker_id)
    screens = [_Screen(cfg.events, cfg.warmup) for _ in range(cfg.clients)]
    clients: list[socketio.AsyncClient] = []
    payload_size: list[int] = []

    def attach(sio: socketio.AsyncClient, screen: _Screen) -> None:
        def on_event(envelope: Any) -> None:
            now = time.monotonic_ns()
            found = MARKER_RE.fullmatch(str(_dig(envelope, cfg.marker_path)))
            if found is None:
                screen.foreign += 1
                return
            index, sent_ns = int(found[1]), int(found[2])
            if index >= cfg.events or screen.seen[index]:
                screen.duplicates += 1
                return
            screen.seen[index] = 1
            screen.distinct += 1
            seq = envelope.get("seq") if isinstance(envelope, dict) else None
            if isinstance(seq, int):
                if seq < screen.last_seq:
                    screen.reordered += 1
                screen.last_seq = max(screen.last_seq, seq)
            received.value += 1  # one writer per counter: this process
            if index >= cfg.warmup:
                screen.latencies_us.append((now - sent_ns) // 1000)
            if not payload_size:
                payload_size.append(len(json.dumps(envelope, separators=(",", ":"))))

        def on_disconnect(*_reason: Any) -> None:
            if not stop.is_set():  # our own disconnect at the end is not a drop
                screen.disconnected = True

        sio.on(cfg.event, on_event)
        sio.on("disconnect", on_disconnect)

    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def connect(screen: _Screen) -> None:
        sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        attach(sio, screen)
        clients.append(sio)
        async with gate:
            await sio.connect(
                cfg.url,
                transports=["websocket"],
                auth={"token": cfg.token} if cfg.token else None,
                wait_timeout=20,
            )
            ack = await sio.call("join", cfg.join_argument, timeout=20)
        if not (isinstance(ack, dict) and ack.get("ok") is True):
            raise RuntimeError(f"join {cfg.join_argument!r} was refused: {ack!r}")
        ready.value += 1

    try:
        await asyncio.gather(*(connect(screen) for screen in screens))
    except Exception as exc:
        result.error = f"worker {cfg.worker_id}: could not connect and join {cfg.url}: {exc!r}"
    if result.error is None:
        # The parent decides when the run is over (all received, or its deadline passed).
        await asyncio.get_running_loop().run_in_executor(None, stop.wait)
    await asyncio.wait_for(
        asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True),
        DISCONNECT_TIMEOUT_S,
    )
    for screen in screens:
        result.latencies_us.extend(screen.latencies_us)
        result.missing += cfg.events - screen.distinct
        result.duplicates += screen.duplicates
        result.reordered += screen.reordered
        result.foreign += screen.foreign
        result.disconnects += screen.disconnected
        result.clients_complete += screen.distinct == cfg.events
    result.payload_bytes = payload_size[0] if payload_size else 0
    return result


def worker_main(
    cfg: WorkerConfig,
    ready: Synchronized[int],
    received: Synchronized[int],
    stop: MpEvent,
    results: Queue[WorkerResult],
) -> None:
    """Entry point of a worker process: always answers, with an error if it failed."""
    try:
        result = asyncio.run(_run(cfg, ready, received, stop))
    except Exception as exc:
        result = WorkerResult(cfg.worker_id, error=f"worker {cfg.worker_id} crashed: {exc!r}")
    results.put(result)
