"""A line's status and the rush mark through the action path: optimistic, sent, queued, rolled back.

Against the real server: the card (the store) shows the change at once, the
server's order agrees afterwards, a refusal rolls the card back, and the
queue file keeps item and priority actions across a restart, checked as
strictly as the server checks them.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from kiosk.core.action_queue import parse_queued
from kiosk.core.actions import Action, ActionQueue, local_result
from kiosk.core.optimism import Optimism
from kiosk.protocol import Order, OrderStatus
from kiosk.protocol.models import OrderItem
from kiosk.protocol.status import ItemStatus, Priority
from tests.core.helpers import make_config, running_session, wait_live, wait_until
from tests.support.server_process import ServerProcess


def server_order(server: ServerProcess, order_id: Any) -> dict[str, Any]:
    response = server.request("GET", f"/api/orders/{order_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_line_bump_shows_at_once_reaches_the_server_and_a_refusal_rolls_back(
    server: ServerProcess, tmp_path: Path
) -> None:
    token = server.add_device("items", ["display"])
    created = server.create_order()
    order_id, first, second = created["id"], created["items"][0]["id"], created["items"][1]["id"]

    async def scenario() -> None:
        async with running_session(make_config(server.url, "display", token), tmp_path) as (session, rec):
            await wait_live(session)
            await wait_until(lambda: order_id in session.store.orders, what="the order")
            task = asyncio.ensure_future(
                session.actions.submit(Action("item", order_id, status="started", item_id=first))
            )
            await asyncio.sleep(0)  # the optimistic step runs before the first await of the REST call
            shown = session.store.orders[order_id]
            assert shown.items[0].status is ItemStatus.STARTED
            assert shown.status is OrderStatus.PREPARING  # as the server will move it
            outcome = await task
            assert outcome.ok and outcome.action == "item:started"
            on_server = await asyncio.to_thread(server_order, server, order_id)
            assert on_server["items"][0]["status"] == "started" and on_server["status"] == "preparing"

            voided = await session.actions.submit(
                Action("item", order_id, status="voided", reason="stok habis", item_id=second)
            )
            assert voided.ok
            assert session.store.orders[order_id].items[1].void_reason == "stok habis"
            # a void is final: the server refuses to take it back and the card rolls back
            refused = await session.actions.submit(Action("item", order_id, status="pending", item_id=second))
            assert not refused.ok and refused.code == "invalid_transition"
            assert session.store.orders[order_id].items[1].status is ItemStatus.VOIDED
            assert any(not o.ok and o.action == "item:pending" for o in rec.outcomes)

            rush = await session.actions.submit(Action("priority", order_id, status="rush"))
            assert rush.ok and session.store.orders[order_id].priority is Priority.RUSH
            on_server = await asyncio.to_thread(server_order, server, order_id)
            assert on_server["priority"] == "rush" and on_server["items"][1]["status"] == "voided"

    asyncio.run(scenario())


def test_item_and_priority_actions_survive_the_queue_file_and_bad_lines_are_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "actions.jsonl"
    queue = ActionQueue(path)
    line = Action("item", 7, status="done", item_id=2)
    void = Action("item", 7, status="voided", reason="habis", item_id=3)
    rush = Action("priority", 7, status="rush")
    for action in (line, void, rush):
        queue.append(action)
    with path.open("a") as handle:
        for bad in (
            {"kind": "item", "order_id": 7, "status": "done", "key": "k1"},  # no line
            {"kind": "item", "order_id": 7, "status": "voided", "item_id": 1, "key": "k2"},  # no reason
            {"kind": "priority", "order_id": 7, "status": "urgent", "key": "k3"},
            {"kind": "status", "order_id": 7, "status": "ready", "item_id": 1, "key": "k4"},
        ):
            handle.write(json.dumps(bad) + "\n")
    again = list(ActionQueue(path))
    assert [(a.kind, a.item_id, a.status, a.reason) for a in again] == [
        ("item", 2, "done", None),
        ("item", 3, "voided", "habis"),
        ("priority", None, "rush", None),
    ]
    assert len(path.with_name(path.name + ".rejected").read_text().splitlines()) == 4
    assert line.request() == ("PATCH", "/api/orders/7/items/2/status", {"status": "done"})
    assert void.request()[2] == {"status": "voided", "reason": "habis"}
    assert rush.request() == ("PATCH", "/api/orders/7/priority", {"priority": "rush"})
    with pytest.raises(ValueError, match="line number"):
        Action("item", 7, status="done").request()
    with pytest.raises(ValueError, match="item_id"):
        parse_queued({"kind": "item", "order_id": 7, "status": "done", "item_id": True, "key": "k"})


def test_the_echo_of_an_earlier_tap_does_not_pull_the_card_back() -> None:
    """Tapped twice (started, then done) before any answer: the first echo is an earlier step."""
    server = Order(id=1, version=1, items=(OrderItem(id=1, name="Sate"),))
    started = local_result(server, Action("item", 1, status="started", item_id=1))
    done = local_result(started, Action("item", 1, status="done", item_id=1))
    optimism = Optimism()
    optimism.begin(server, started)
    optimism.begin(server, done)
    echo = started.model_copy(update={"version": 2})
    assert optimism.absorb_earlier_step(done, echo)  # the card stays done
    final = done.model_copy(update={"version": 3})
    assert not optimism.absorb_earlier_step(done, final)
    # someone else's change (an add-on while the line is started) is not an earlier step
    other = started.model_copy(update={"version": 4, "items": (*started.items, OrderItem(id=2, name="Es"))})
    assert not optimism.absorb_earlier_step(done, other)
