"""Recall (R) walks back through the last bumped orders, newest first, from the moment of each bump, against the real server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from kiosk.core.connection_status import ConnectionState
from kiosk.core.recall import RECALL_DEPTH, RecallStack
from kiosk.core.session import Session
from kiosk.protocol import Order, OrderStatus
from kiosk.protocol.models import EntityId
from tests.core.helpers import make_config, running_session, wait_live, wait_until
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


def _server_status(server: ServerProcess, order_id: EntityId) -> str:
    return str(server.request("GET", f"/api/orders/{order_id}").json()["status"])


async def _bump_all(session: Session, orders: list[Order]) -> None:
    for order in orders:
        await wait_until(
            lambda order=order: order.id in session.store.orders, what=f"order {order.id} on screen"
        )
        bumped = await session.bump(order.id)
        assert bumped.ok and not bumped.queued, bumped


def test_recalls_after_three_bumps_restore_them_newest_first(server: ServerProcess, tmp_path: Path) -> None:
    orders = [_ready_order(server) for _ in range(3)]
    token = server.add_device("kitchen", ["display"])
    # Completed cards stay in the store for the whole test, so every echo reaches the stack's listener.
    config = make_config(server.url, "display", token, keep_final_s=600)

    async def scenario() -> None:
        async with running_session(config, tmp_path) as (session, recorder):
            await wait_live(session)
            await _bump_all(session, orders)
            assert list(session.recall_stack) == [o.id for o in reversed(orders)]
            for expected in reversed(orders):
                recalled = await session.recall()
                assert recalled.ok and not recalled.queued and recalled.order_id == expected.id, recalled
                assert session.store.orders[expected.id].status is OrderStatus.READY
            assert session.last_bumped is None and len(session.recall_stack) == 0
            statuses = await asyncio.to_thread(lambda: [_server_status(server, o.id) for o in orders])
            assert statuses == ["ready"] * 3
            # The socket echoes of the bumps and recalls arrive after the REST answers: none of them
            # may put an order back on the stack.
            body = (await asyncio.to_thread(server.request, "GET", "/api/events?room=display&after=0")).json()
            last_seq = max(event["seq"] for event in body["events"])
            await wait_until(
                lambda: (session.store.seq or 0) >= last_seq, what="the echoes of the bumps and recalls"
            )
            assert len(session.recall_stack) == 0
            nothing = await session.recall()
            assert not nothing.ok and "nothing to recall" in nothing.reason, nothing
            assert recorder.outcomes[-1] == nothing

    asyncio.run(scenario())


def test_the_eleventh_newest_bump_falls_off_the_stack(server: ServerProcess, tmp_path: Path) -> None:
    orders = [_ready_order(server) for _ in range(RECALL_DEPTH + 1)]
    token = server.add_device("kitchen", ["display"])

    async def scenario() -> None:
        # Not started, like the refused-bump test: every bump and recall is one REST call, no events.
        session = Session(make_config(server.url, "display", token), data_dir=tmp_path)
        try:
            for order in orders:
                session.store.put_order(order)
            await _bump_all(session, orders)
            oldest, kept = orders[0], orders[1:]
            assert list(session.recall_stack) == [o.id for o in reversed(kept)]
            assert oldest.id not in session.recall_stack
            recalled = [await session.recall() for _ in kept]
            assert all(r.ok for r in recalled), recalled
            assert [r.order_id for r in recalled] == [o.id for o in reversed(kept)]
            nothing = await session.recall()
            assert not nothing.ok and nothing.order_id == "" and "nothing to recall" in nothing.reason
            statuses = await asyncio.to_thread(lambda: [_server_status(server, o.id) for o in orders])
            assert statuses == ["completed"] + ["ready"] * RECALL_DEPTH  # the oldest was never recalled
        finally:
            await session.stop()

    asyncio.run(scenario())


def test_recall_with_nothing_bumped_says_there_is_nothing_to_recall(
    server: ServerProcess, tmp_path: Path
) -> None:
    token = server.add_device("kitchen", ["display"])

    async def scenario() -> None:
        async with running_session(make_config(server.url, "display", token), tmp_path) as (
            session,
            recorder,
        ):
            await wait_live(session)
            assert session.last_bumped is None
            nothing = await session.recall()
            assert not nothing.ok and not nothing.queued, nothing
            assert nothing.order_id == "" and nothing.action == "recall"
            assert nothing.reason.startswith("nothing to recall"), nothing.reason
            assert recorder.outcomes == [nothing]  # published, so the screen can say it
            assert len(session.actions.queue) == 0  # nothing was sent or queued

    asyncio.run(scenario())


def test_an_order_recalled_elsewhere_leaves_the_stack(server: ServerProcess, tmp_path: Path) -> None:
    first, second = _ready_order(server), _ready_order(server)
    token = server.add_device("kitchen", ["display"])
    config = make_config(server.url, "display", token, keep_final_s=600)

    async def scenario() -> None:
        async with running_session(config, tmp_path) as (session, _):
            await wait_live(session)
            await _bump_all(session, [first, second])
            assert session.last_bumped == second.id
            # Another screen recalls the second, then cancels it: this screen hears it as events.
            for method, body in (("PATCH", {"status": "ready"}), ("DELETE", {"reason": "customer left"})):
                path = f"/api/orders/{second.id}" + ("/status" if method == "PATCH" else "")
                answer = await asyncio.to_thread(server.request, method, path, json=body)
                assert answer.status_code == 200, answer.text
            await wait_until(
                lambda: session.store.orders[second.id].status is OrderStatus.CANCELLED,
                what="the cancel of the second order on screen",
            )
            assert list(session.recall_stack) == [first.id]
            recalled = await session.recall()
            assert recalled.ok and recalled.order_id == first.id, recalled
            assert await asyncio.to_thread(_server_status, server, first.id) == "ready"

    asyncio.run(scenario())


def test_a_bumped_order_pruned_from_the_screen_can_still_be_recalled(
    server: ServerProcess, tmp_path: Path
) -> None:
    order = _ready_order(server)
    token = server.add_device("kitchen", ["display"])
    config = make_config(server.url, "display", token, keep_final_s=0)

    async def scenario() -> None:
        async with running_session(config, tmp_path) as (session, _):
            await wait_live(session)
            await _bump_all(session, [order])
            await wait_until(lambda: order.id not in session.store.orders, what="the completed card pruned")
            assert session.last_bumped == order.id  # still completed on the server: recallable
            recalled = await session.recall()
            assert recalled.ok and recalled.order_id == order.id, recalled
            assert session.store.orders[order.id].status is OrderStatus.READY  # back on screen
            assert await asyncio.to_thread(_server_status, server, order.id) == "ready"

    asyncio.run(scenario())


def test_a_refused_recall_moves_on_to_the_next_order(tmp_path: Path) -> None:
    """Past the recall window (0 s here) the server refuses for good: the next R tries the next order."""
    strict = ServerProcess(
        tmp_path / "strict.db", extra_args=["--recall-window", "0"], log_path=tmp_path / "s.log"
    )
    strict.start()
    try:
        orders = [_ready_order(strict) for _ in range(2)]
        token = strict.add_device("kitchen", ["display"])

        async def scenario() -> None:
            session = Session(make_config(strict.url, "display", token), data_dir=tmp_path)
            try:
                for order in orders:
                    session.store.put_order(order)
                await _bump_all(session, orders)
                refused = await session.recall()
                assert not refused.ok and refused.order_id == orders[1].id, refused
                assert "recalled" in refused.reason, refused.reason
                assert session.store.orders[orders[1].id].status is OrderStatus.COMPLETED  # rolled back
                assert list(session.recall_stack) == [orders[0].id]
                second = await session.recall()
                assert not second.ok and second.order_id == orders[0].id, second
                assert session.last_bumped is None
            finally:
                await session.stop()

        asyncio.run(scenario())
    finally:
        strict.stop()


def test_the_stack_is_bounded_newest_first_and_without_repeats() -> None:
    stack = RecallStack(depth=3)
    for order_id in (1, 2, 3, 4):
        stack.push(order_id)
    assert list(stack) == [4, 3, 2] and stack.top == 4
    stack.push(2)  # bumped again after a recall elsewhere: on top, once
    assert list(stack) == [2, 4, 3]
    assert stack.discard(4) and not stack.discard(4)
    assert [stack.pop(), stack.pop(), stack.pop()] == [2, 3, None]
    assert stack.top is None and len(stack) == 0
    with pytest.raises(ValueError):
        RecallStack(depth=0)
