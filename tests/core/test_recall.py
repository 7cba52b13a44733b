"""Recall (R) targets the order bumped last, from the moment of the bump, against the real server."""

from __future__ import annotations

import asyncio
from pathlib import Path

from kiosk.core.connection import ConnectionState
from kiosk.core.session import Session
from kiosk.protocol import Order, OrderStatus
from tests.core.helpers import make_config, running_session, wait_until
from tests.support.server_process import ServerProcess


def _ready_order(server: ServerProcess) -> Order:
    created = server.create_order()
    for status in ("preparing", "ready"):
        answer = server.request("PATCH", f"/api/orders/{created['id']}/status", json={"status": status})
        assert answer.status_code == 200, answer.text
    return Order.model_validate(answer.json())


def test_recall_right_after_a_bump_targets_that_order(server: ServerProcess, tmp_path: Path) -> None:
    order = _ready_order(server)
    token = server.add_device("kitchen", ["display"])

    async def scenario() -> None:
        async with running_session(make_config(server.url, "display", token), tmp_path) as (session, _):
            # The snapshot can put the order on screen a moment before the join makes the session live.
            await wait_until(
                lambda: order.id in session.store.orders and session.status.state is ConnectionState.LIVE,
                what="the ready order on screen, live",
            )
            bump = asyncio.get_running_loop().create_task(session.bump(order.id))
            await asyncio.sleep(0)  # one loop step: the bump is taken and its PATCH is on the wire
            assert not bump.done(), "the server cannot have answered within one loop step"
            assert session.store.orders[order.id].status is OrderStatus.COMPLETED  # the card, at once
            assert session.last_bumped == order.id  # ... and the recall target with it
            recalled = await session.recall()
            assert (await bump).ok
            assert recalled.ok and recalled.order_id == order.id, recalled
            final = await asyncio.to_thread(server.request, "GET", f"/api/orders/{order.id}")
            assert final.json()["status"] == "ready"  # completed, then recalled, in that order
            assert session.last_bumped is None

    asyncio.run(scenario())


def test_a_refused_bump_does_not_become_the_recall_target(server: ServerProcess, tmp_path: Path) -> None:
    first = _ready_order(server)
    second = _ready_order(server)
    token = server.add_device("kitchen", ["display"])
    # Cancelled on the server behind the screen's back: the screen still holds it as ready.
    gone = server.request("DELETE", f"/api/orders/{second.id}", json={"reason": "customer left"})
    assert gone.status_code == 200, gone.text

    async def scenario() -> None:
        # Not started: no socket, so the cancel's event cannot reach the screen before the bump.
        session = Session(make_config(server.url, "display", token), data_dir=tmp_path)
        try:
            session.store.put_order(first)
            session.store.put_order(second)
            assert (await session.bump(first.id)).ok
            assert session.last_bumped == first.id
            refused = await session.bump(second.id)
            assert not refused.ok and refused.reason, refused
            assert session.store.orders[second.id].status is OrderStatus.READY  # rolled back
            assert session.last_bumped == first.id  # the refused one is not the recall target
            recalled = await session.recall()
            assert recalled.ok and recalled.order_id == first.id, recalled
            final = await asyncio.to_thread(server.request, "GET", f"/api/orders/{first.id}")
            assert final.json()["status"] == "ready"
        finally:
            await session.stop()

    asyncio.run(scenario())
