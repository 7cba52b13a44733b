"""Helpers for core tests on a plain asyncio loop: running a session, waiting on conditions, recording."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

from kiosk.core.actions import ActionOutcome
from kiosk.core.config import Config, load_config
from kiosk.core.connection_status import ConnectionState, ConnectionStatus
from kiosk.core.session import Session
from kiosk.core.store import Change, Notice
from kiosk.protocol import Event
from tests.support.server_process import ServerProcess

FAST = {
    "backoff_initial_s": 0.05,
    "backoff_max_s": 0.5,
    "stable_after_s": 1.0,
    "poll_interval_s": 0.2,
    "request_timeout_s": 3.0,
}


def make_config(url: str, room: str, token: str, **overrides: object) -> Config:
    values: dict[str, object] = {"server_url": url, "room": room, "token": token, **FAST, **overrides}
    return load_config(path=Path("/nonexistent/kiosk.toml"), env={}, overrides=values)


async def wait_until(predicate: Callable[[], object], within: float = 15.0, what: str = "condition") -> None:
    """Poll a condition with a deadline (the loop keeps running between checks)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(0.02)


async def stop_timed(session: Session, exchanges: Callable[[], Sequence[Any]], what: str) -> float:
    """Stop ``session``; how long the stop took, once every exchange the server saw is closed (``closed_at``)."""
    started = time.monotonic()
    await session.stop()
    took = time.monotonic() - started
    await wait_until(lambda: all(e.closed_at is not None for e in exchanges()), within=3, what=what)
    return took


async def wait_live(session: Session, what: str = "live") -> None:
    await wait_until(lambda: session.status.state is ConnectionState.LIVE, what=what)


@contextlib.asynccontextmanager
async def running_session(
    config: Config, data_dir: Path, **kwargs: Any
) -> AsyncIterator[tuple[Session, Recorder]]:
    """A started Session with a Recorder attached before the start (so it hears the first status); stopped on exit.

    ``kwargs`` go to ``Session`` (clock, rng, join_timeout_s).
    """
    session = Session(config, data_dir=data_dir, **kwargs)
    recorder = Recorder(session)
    await session.start()
    try:
        yield session, recorder
    finally:
        await session.stop()


def events_of(server: ServerProcess, order_id: Any, event: Event, room: str = "display") -> int:
    """How many ``event`` envelopes for this order the server has logged (an action applied twice shows as 2)."""
    body = server.request("GET", f"/api/events?room={room}&after=0").json()
    return sum(1 for e in body["events"] if e["type"] == event.type and e["data"]["id"] == order_id)


class Recorder:
    """Everything a screen would hear from a Session."""

    def __init__(self, session: Session) -> None:
        self.changes: list[Change] = []
        self.notices: list[Notice] = []
        self.statuses: list[ConnectionStatus] = []
        self.outcomes: list[ActionOutcome] = []
        session.store.subscribe(self)
        session.subscribe_status(self.statuses.append)
        session.subscribe_actions(self.outcomes.append)

    def on_changes(self, changes: Sequence[Change]) -> None:
        self.changes.extend(changes)

    def on_notice(self, notice: Notice) -> None:
        self.notices.append(notice)

    def created_ids(self) -> list[Any]:
        """Order ids announced as new (one per order is the goal)."""
        return [
            n.entity.id  # type: ignore[union-attr]
            for n in self.notices
            if n.event is Event.ORDER_CREATED or (n.first_seen and n.event.value.startswith("order:"))
        ]
