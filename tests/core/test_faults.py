"""Fault tests against the real server: kill mid-burst, blocked websockets, restarts, offline actions."""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import requests

from kiosk.core.actions import Action
from kiosk.core.connection_status import ConnectionState
from kiosk.protocol import Event, OrderStatus
from tests.core.helpers import events_of, make_config, running_session, wait_live, wait_until
from tests.core.proxy import BlockingProxy
from tests.support.server_process import ServerProcess, order_body


def _active_ids(server: ServerProcess) -> set[Any]:
    return {o["id"] for o in server.request("GET", "/api/orders?active").json()["orders"]}


def _post_burst(server: ServerProcess, count: int, created: list[Any], stop: threading.Event) -> None:
    """POST ``count`` orders, retrying each with its Idempotency-Key through a server crash."""
    http = requests.Session()
    headers = {"Authorization": f"Bearer {server.admin_token}"}
    for n in range(count):
        deadline = time.monotonic() + 60
        while not stop.is_set():
            try:
                response = http.post(
                    f"{server.url}/api/orders",
                    json=order_body(tenant_id=1 + n % 3, customer_name=f"Burst {n}"),
                    headers={**headers, "Idempotency-Key": f"burst-{n}"},
                    timeout=5,
                )
                if response.status_code in (200, 201):
                    created.append(response.json()["id"])
                    break
            except requests.RequestException:
                http = requests.Session()
            if time.monotonic() > deadline:
                raise AssertionError(f"order {n} could not be posted within 60 s")
            time.sleep(0.02)  # retry pacing inside a deadline, not synchronisation


def test_sigkill_mid_burst_ends_equal_to_the_server_with_one_alert_each(
    server: ServerProcess, tmp_path: Path
) -> None:
    token = server.add_device("kitchen", ["display"])

    async def scenario() -> None:
        created: list[Any] = []
        stop = threading.Event()
        async with running_session(make_config(server.url, "display", token), tmp_path) as (session, rec):
            try:
                await wait_live(session)
                poster = asyncio.ensure_future(asyncio.to_thread(_post_burst, server, 200, created, stop))
                await wait_until(lambda: len(created) >= 80, what="80 orders posted")
                await asyncio.to_thread(server.kill)
                await wait_until(
                    lambda: session.status.state is not ConnectionState.LIVE, what="the loss noticed"
                )
                await asyncio.to_thread(server.start)
                await asyncio.wait_for(poster, 90)
                assert len(created) == 200 and len(set(created)) == 200
                expected = await asyncio.to_thread(_active_ids, server)
                assert expected == set(created)
                await wait_until(
                    lambda: (
                        session.status.state is ConnectionState.LIVE and set(session.store.orders) == expected
                    ),
                    within=30,
                    what="the store equal to the server's active orders",
                )
                counts = Counter(rec.created_ids())
                assert set(counts) == expected
                assert max(counts.values()) == 1, [k for k, v in counts.items() if v > 1]
                assert session.store.seq == await asyncio.to_thread(server.seq)
            finally:
                stop.set()

    asyncio.run(scenario())


def test_blocked_websocket_events_still_arrive_by_polling(server: ServerProcess, tmp_path: Path) -> None:
    token = server.add_device("kitchen", ["display"])
    existing = server.create_order()["id"]
    proxy = BlockingProxy(server.port)

    async def scenario() -> None:
        async with running_session(make_config(proxy.url, "display", token), tmp_path) as (session, rec):
            await wait_until(lambda: session.status.polling, what="the polling fallback")
            assert session.status.state is ConnectionState.RECONNECTING
            assert proxy.blocked >= 1
            assert existing in session.store.orders and rec.notices == []
            new = (await asyncio.to_thread(server.create_order))["id"]
            await wait_until(lambda: new in session.store.orders, what="an order through polling")
            assert rec.created_ids() == [new]
            outcome = await session.bump(new)  # actions need only REST
            assert outcome.ok and not outcome.queued
            assert session.status.state is not ConnectionState.LIVE

    try:
        asyncio.run(scenario())
    finally:
        proxy.close()


def test_outage_longer_than_the_event_log_reloads_and_announces_each_new_order_once(tmp_path: Path) -> None:
    server = ServerProcess(
        tmp_path / "short.db", log_path=tmp_path / "short.log", extra_args=["--retention-events", "5"]
    )
    server.start()
    token = server.add_device("kitchen", ["display"])
    kept = server.create_order()["id"]
    proxy = BlockingProxy(server.port, block_socketio=False)

    async def scenario() -> None:
        async with running_session(make_config(proxy.url, "display", token), tmp_path) as (session, rec):
            await wait_live(session)
            proxy.cut()
            await wait_until(lambda: session.status.state is not ConnectionState.LIVE, what="the cut noticed")
            during = [(await asyncio.to_thread(server.create_order))["id"] for _ in range(20)]
            proxy.block_all = False
            await wait_until(
                lambda: (
                    session.status.state is ConnectionState.LIVE
                    and set(session.store.orders) == {kept, *during}
                ),
                what="the reload",
            )
            assert session.syncer.resets >= 1  # the log no longer reached back
            assert sorted(rec.created_ids()) == sorted(during)

    try:
        asyncio.run(scenario())
    finally:
        proxy.close()
        server.stop()


def test_stale_screen_action_is_refused_and_rolled_back_with_the_reason(
    server: ServerProcess, tmp_path: Path
) -> None:
    token = server.add_device("kitchen", ["display"])
    order = server.create_order()["id"]
    proxy = BlockingProxy(server.port)

    async def scenario() -> None:
        # a screen that only polls every minute: it cannot know the order was cancelled elsewhere
        config = make_config(proxy.url, "display", token, poll_interval_s=60)
        async with running_session(config, tmp_path) as (session, rec):
            # the first poll done (the next is a minute away): the cancel below cannot reach the screen
            # (waiting for the order alone let a poll still paging pick the cancel up: CI, once)
            await wait_until(
                lambda: order in session.store.orders and session.status.polling, what="the first poll"
            )
            response = await asyncio.to_thread(
                server.request, "DELETE", f"/api/orders/{order}", json={"reason": "customer left"}
            )
            assert response.status_code == 200, response.text
            outcome = await session.bump(order)
            assert not outcome.ok and "cancelled" in outcome.reason
            assert session.store.orders[order].status is OrderStatus.PENDING  # rolled back
            shown = [c.new.status for c in rec.changes if c.key == order and c.new is not None]  # type: ignore[union-attr]
            assert shown[-2:] == [OrderStatus.PREPARING, OrderStatus.PENDING]

    try:
        asyncio.run(scenario())
    finally:
        proxy.close()


def test_restart_with_the_dedup_file_repeats_no_alert(server: ServerProcess, tmp_path: Path) -> None:
    token = server.add_device("kitchen", ["display"])
    data = tmp_path / "data"

    async def scenario() -> None:
        config = make_config(server.url, "display", token)
        async with running_session(config, data) as (first, rec1):
            await wait_live(first)
            seq_before = first.store.seq
            ids = [(await asyncio.to_thread(server.create_order))["id"] for _ in range(3)]
            await wait_until(lambda: len(rec1.created_ids()) == 3, what="three alerts")
        # a crash would leave the saved seq behind the seen ids: roll it back to the worst case
        state_file = next(data.glob("state-*.json"))
        state_file.write_text(json.dumps({"server_url": server.url, "seq": seq_before}))
        shutil.copytree(data, tmp_path / "without-dedup")
        next((tmp_path / "without-dedup").glob("seen-*.jsonl")).unlink()
        while_closed = (await asyncio.to_thread(server.create_order))["id"]

        for directory, expected in (
            (data, [while_closed]),
            (tmp_path / "without-dedup", [*ids, while_closed]),
        ):
            async with running_session(config, directory) as (again, rec):
                await wait_live(again, what="live again")
                assert set(again.store.orders) == {*ids, while_closed}
                assert sorted(rec.created_ids()) == sorted(expected)

    asyncio.run(scenario())


def test_bump_while_offline_is_applied_once_when_back(server: ServerProcess, tmp_path: Path) -> None:
    token = server.add_device("kitchen", ["display"])
    order = server.create_order()["id"]
    queue_file = tmp_path / "actions-display.jsonl"

    async def scenario() -> None:
        async with running_session(make_config(server.url, "display", token), tmp_path) as (session, rec):
            await wait_live(session)
            await asyncio.to_thread(server.kill)
            await wait_until(lambda: session.status.state is not ConnectionState.LIVE, what="offline")
            outcome = await session.bump(order)
            assert outcome.ok and outcome.queued
            assert session.store.orders[order].status is OrderStatus.PREPARING  # shown at once
            assert len(queue_file.read_text().splitlines()) == 1
            await asyncio.to_thread(server.start)
            await wait_until(lambda: any(o.replayed and o.ok for o in rec.outcomes), what="the replay")
            await wait_live(session, what="live again")
            assert queue_file.read_text() == ""
            answer = (await asyncio.to_thread(server.request, "GET", f"/api/orders/{order}")).json()
            assert answer["status"] == "preparing" and answer["version"] == 2
            assert await asyncio.to_thread(events_of, server, order, Event.ORDER_STATUS_CHANGED) == 1
            assert session.store.orders[order].version == 2

    asyncio.run(scenario())


def test_queued_action_whose_answer_was_lost_is_not_applied_twice(
    server: ServerProcess, tmp_path: Path
) -> None:
    token = server.add_device("kitchen", ["display"])
    order = server.create_order()["id"]
    action = Action("status", order, status="preparing")
    # the request reached the server, then the app died before it could drop the queue entry
    first = server.request(
        "PATCH",
        f"/api/orders/{order}/status",
        token=token,
        json={"status": "preparing"},
        headers={"Idempotency-Key": action.key},
    )
    assert first.status_code == 200, first.text
    (tmp_path / "actions-display.jsonl").write_text(json.dumps(action.__dict__) + "\n")

    async def scenario() -> None:
        async with running_session(make_config(server.url, "display", token), tmp_path) as (_, rec):
            await wait_until(lambda: any(o.replayed for o in rec.outcomes), what="the replay")
            assert [o.ok for o in rec.outcomes] == [True]
            answer = (await asyncio.to_thread(server.request, "GET", f"/api/orders/{order}")).json()
            assert answer["version"] == 2
            assert await asyncio.to_thread(events_of, server, order, Event.ORDER_STATUS_CHANGED) == 1

    asyncio.run(scenario())


def test_actions_left_in_the_queue_while_live_are_retried(server: ServerProcess, tmp_path: Path) -> None:
    token = server.add_device("kitchen", ["display"])
    order = server.create_order()["id"]

    async def scenario() -> None:
        async with running_session(make_config(server.url, "display", token), tmp_path) as (session, rec):
            await wait_live(session)
            # as if the replay on connect had met a 5xx: the entry is still waiting while live
            session.actions.queue.append(Action("status", order, status="preparing"))
            await wait_until(lambda: len(session.actions.queue) == 0, what="the retry")
            assert [o.ok and o.replayed for o in rec.outcomes] == [True]
            await wait_until(
                lambda: session.store.orders[order].status is OrderStatus.PREPARING, what="the event"
            )

    asyncio.run(scenario())
