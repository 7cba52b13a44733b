"""Interop: against an older backend (no event_id/seq/tokens/catch-up) the core still works."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.protocol import Event, JoinEvent, OrderStatus
from tests.core.helpers import make_config, running_session, wait_live, wait_until
from tests.core.legacy_server import LegacyServer


@pytest.fixture
def legacy() -> Iterator[LegacyServer]:
    server = LegacyServer()
    server.start()
    yield server
    server.stop()


def test_legacy_backend_is_detected_and_followed(legacy: LegacyServer, tmp_path: Path) -> None:
    legacy.order(1)

    async def scenario() -> None:
        config = make_config(legacy.url, "display", "any-token")
        async with running_session(config, tmp_path, join_timeout_s=0.5) as (session, rec):
            await wait_live(session)
            assert session.syncer.legacy is True and "legacy" in session.status.detail
            await wait_until(lambda: legacy.joins, what="the legacy join")
            assert legacy.joins == [(JoinEvent.JOIN_DISPLAY.value, None)]
            assert list(session.store.orders) == [1] and rec.notices == []  # first load is quiet

            created = legacy.order(2)
            await asyncio.to_thread(legacy.emit, Event.ORDER_CREATED, created)
            await asyncio.to_thread(legacy.emit, Event.ORDER_CREATED, created)  # delivered twice
            moved = legacy.order(2, "preparing", minute=5)
            await asyncio.to_thread(
                legacy.emit, Event.ORDER_STATUS_CHANGED, {**moved, "new_status": "preparing"}
            )
            await wait_until(
                lambda: 2 in session.store.orders and session.store.orders[2].status is OrderStatus.PREPARING,
                what="the status change",
            )
            await asyncio.to_thread(legacy.emit, Event.ORDER_CREATED, created)  # a late, older copy
            assert [(n.event, n.entity.id) for n in rec.notices] == [  # type: ignore[union-attr]
                (Event.ORDER_CREATED, 2),
                (Event.ORDER_STATUS_CHANGED, 2),
            ]

            # an event lost while disconnected: the reconnect resyncs from the order list
            legacy.order(3)
            connects = session.connects
            await asyncio.to_thread(legacy.kick_all)
            await wait_until(lambda: 3 in session.store.orders, what="the resync")
            assert session.connects > connects
            assert session.store.orders[2].status is OrderStatus.PREPARING
            assert session.store.orders[1].status is OrderStatus.PENDING
            assert rec.created_ids()[-1] == 3 and rec.created_ids().count(3) == 1

    asyncio.run(scenario())
