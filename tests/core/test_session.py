"""The session against the real server: first load, live events, reconnects, refusals."""

from __future__ import annotations

import asyncio
import os
import random
import signal
from pathlib import Path
from typing import Any

import pytest

from kiosk.core.backoff import Backoff
from kiosk.core.clock import FakeClock
from kiosk.core.connection_status import ConnectionState, ConnectionStatus
from kiosk.core.session import Session
from kiosk.protocol import Event, OrderStatus
from tests.core.helpers import Recorder, make_config, running_session, wait_live, wait_until
from tests.support.server_process import ServerProcess, free_port


def test_first_load_is_silent_then_live_events_alert_once(server: ServerProcess, tmp_path: Path) -> None:
    before = [server.create_order()["id"] for _ in range(2)]
    token = server.add_device("kitchen", ["display"])

    async def scenario() -> None:
        async with running_session(make_config(server.url, "display", token), tmp_path) as (session, rec):
            await wait_live(session)
            assert sorted(session.store.orders) == sorted(before)
            assert session.syncer.legacy is False
            assert rec.notices == []
            assert rec.statuses[-1].offline_since is None
            new = await asyncio.to_thread(server.create_order)
            await wait_until(lambda: new["id"] in session.store.orders, what="the new order")
            assert rec.created_ids() == [new["id"]]
            assert session.store.orders[new["id"]].customer_name == new["customer_name"]
            assert session.store.seq == await asyncio.to_thread(server.seq)

    asyncio.run(scenario())


def test_bad_token_backs_off_at_the_cap_and_says_why(server: ServerProcess, tmp_path: Path) -> None:
    """An "unauthorized" refusal is retried at the cap (the penalty), never along the fast curve."""
    clock = FakeClock()  # frozen: next_attempt_at - now is exactly the delay chosen
    config = make_config(server.url, "display", "not-a-token", backoff_initial_s=0.01, backoff_max_s=0.2)
    draws = random.Random(7)  # the session's RNG, replayed: a penalty is the cap less up to half of it
    penalties = [0.2 * (1 - 0.5 * draws.random()) for _ in range(3)]

    def refusals(rec: Recorder) -> list[ConnectionStatus]:
        return [s for s in rec.statuses if s.state is ConnectionState.OFFLINE and s.next_attempt_at]

    async def scenario() -> None:
        async with running_session(config, tmp_path, clock=clock, rng=random.Random(7)) as (session, rec):
            await wait_until(lambda: len(refusals(rec)) >= 3, what="three refusals")
            assert "token" in session.status.detail
            assert session.status.next_attempt_at is not None
        waits = [(s.next_attempt_at - clock.now()).total_seconds() for s in refusals(rec)]  # type: ignore[operator]
        # the seeded penalties, each at the cap: 0.1-0.2 s with jitter 0.5; the fast curve starts at 0.01 s
        assert waits[:3] == pytest.approx(penalties, abs=1e-6)
        assert min(waits) >= 0.2 * 0.5

    asyncio.run(scenario())


def test_room_not_allowed_for_the_token_is_refused_with_the_allowed_rooms(
    server: ServerProcess, tmp_path: Path
) -> None:
    token = server.add_device("counter", ["kasir-1"])

    async def scenario() -> None:
        async with running_session(make_config(server.url, "tenant-2", token), tmp_path) as (session, _):
            await wait_until(lambda: session.status.state is ConnectionState.OFFLINE, what="refusal")
            assert "kasir-1" in session.status.detail

    asyncio.run(scenario())


def test_server_down_at_start_then_up(tmp_path: Path) -> None:
    port = free_port()
    server = ServerProcess(tmp_path / "late.db", port=port, log_path=tmp_path / "late.log")
    token = server.add_device("kitchen", ["display"])

    async def scenario() -> None:
        try:
            async with running_session(make_config(server.url, "display", token), tmp_path) as (session, rec):
                await wait_until(lambda: session.attempts >= 3, what="several attempts")
                assert session.status.state is ConnectionState.RECONNECTING
                assert session.status.attempt >= 2 and session.status.offline_since is not None
                await asyncio.to_thread(server.start)
                await wait_live(session)
                states = [s.state for s in rec.statuses]
                assert states[0] is ConnectionState.RECONNECTING or states[0] is ConnectionState.CONNECTING
        finally:
            server.stop()

    asyncio.run(scenario())


def test_actions_update_at_once_and_refusals_roll_back(server: ServerProcess, tmp_path: Path) -> None:
    order = server.create_order()
    token = server.add_device("kitchen", ["display"])

    async def scenario() -> None:
        async with running_session(make_config(server.url, "display", token), tmp_path) as (session, rec):
            await wait_live(session)
            oid = order["id"]
            outcome = await session.bump(oid)
            assert outcome.ok and not outcome.queued
            assert session.store.orders[oid].status is OrderStatus.PREPARING
            await session.bump(oid)
            done = await session.bump(oid)
            assert done.ok and session.store.orders[oid].status is OrderStatus.COMPLETED
            recalled = await session.recall()
            assert recalled.ok and session.store.orders[oid].status is OrderStatus.READY
            refused = await session.set_status(oid, OrderStatus.PENDING)
            assert not refused.ok and "from ready an order may go to" in refused.reason
            missing = await session.set_status(999999, OrderStatus.PREPARING)
            assert not missing.ok and "999999" in missing.reason
            cancelled = await session.cancel(oid, "customer left")
            assert cancelled.ok
            await wait_until(
                lambda: server.request("GET", f"/api/orders/{oid}").json()["status"] == "cancelled"
            )
            assert [o.ok for o in rec.outcomes] == [True, True, True, True, False, False, True]

    asyncio.run(scenario())


def test_real_server_events_three_times_and_out_of_order(server: ServerProcess) -> None:
    """The server's own envelopes, replayed 3x with status_changed first: right state, one alert."""
    from kiosk.core.store import Store
    from tests.core.test_store import Recorder as StoreRecorder

    order = server.create_order()
    assert server.request("PATCH", f"/api/orders/{order['id']}/status", json={"status": "preparing"}).ok
    events = server.request("GET", "/api/events?room=display&after=0").json()["events"]
    assert [e["type"] for e in events] == [Event.ORDER_CREATED.type, Event.ORDER_STATUS_CHANGED.type]
    store = Store()
    rec = StoreRecorder()
    store.subscribe(rec)
    for envelope in [events[1], events[0]] * 3:
        store.apply_envelope(envelope)
    assert store.orders[order["id"]].status is OrderStatus.PREPARING
    assert store.orders[order["id"]].version == 2
    assert len(rec.notices) == 1 and rec.notices[0].first_seen
    assert store.seq == events[1]["seq"]


def _pay(server: ServerProcess, order: dict[str, Any], counter: int = 1) -> dict[str, Any]:
    body = {"order_id": order["id"], "amount_paid": 100000, "payment_method": "cash", "counter_id": counter}
    response = server.request("POST", "/api/payments", json=body)
    assert response.status_code == 201, response.text
    payment: dict[str, Any] = response.json()
    return payment


def test_counter_room_loads_the_days_payments_and_hears_new_ones(
    server: ServerProcess, tmp_path: Path
) -> None:
    earlier = _pay(server, server.create_order())
    elsewhere = _pay(server, server.create_order(), counter=2)
    token = server.add_device("counter-1", ["kasir-1"])

    async def scenario() -> None:
        async with running_session(make_config(server.url, "kasir-1", token), tmp_path) as (session, rec):
            await wait_live(session)
            assert session.syncer.legacy is False
            assert (
                list(session.store.payments) == [earlier["id"]]
                and elsewhere["id"] not in session.store.payments
            )
            assert session.store.orders == {} and rec.notices == []
            order = await asyncio.to_thread(server.create_order)
            paid = await asyncio.to_thread(_pay, server, order)
            await wait_until(lambda: paid["id"] in session.store.payments, what="the new payment")
            assert [n.event for n in rec.notices] == [Event.PAYMENT_PROCESSED]
            assert session.store.payments[paid["id"]].order is not None  # the full order rides along

    asyncio.run(scenario())


def test_user_room_gets_its_notifications_and_everyone_gets_alerts(
    server: ServerProcess, tmp_path: Path
) -> None:
    token = server.add_device("manager", ["user-4"])

    async def scenario() -> None:
        async with running_session(make_config(server.url, "user-4", token), tmp_path) as (session, rec):
            await wait_live(session)
            assert session.syncer.legacy is False and session.store.seq is not None
            for path, body in (
                ("/api/notifications", {"user_id": 4, "type": "shift", "data": {"text": "shift starts"}}),
                ("/api/notifications", {"user_id": 5, "type": "shift", "data": {}}),
                ("/api/alerts", {"severity": "warning", "message": "printer 2 offline"}),
            ):
                response = await asyncio.to_thread(server.request, "POST", path, json=body)
                assert response.status_code == 201, response.text
            await wait_until(lambda: len(rec.notices) >= 2, what="notification and alert")
            assert [n.event for n in rec.notices] == [Event.NOTIFICATION, Event.ALERT]
            assert session.store.notifications[0].user_id == 4
            assert session.store.alerts[0].message == "printer 2 offline"

    asyncio.run(scenario())


def test_a_loss_shows_at_once_while_the_live_report_still_waits_for_its_ack(tmp_path: Path) -> None:
    """Going live sends a report and awaits its ack; a loss meanwhile must not wait for that ack.

    CI caught the header badge still saying Live 10 s after its server was
    killed: the report sent on going live was awaiting an ack (up to
    ``request_timeout_s``) and the loss was not looked at until it gave up.
    Here the server is frozen (SIGSTOP) the moment the screen goes live, so
    that ack never comes, and then killed.
    """
    server = ServerProcess(tmp_path / "frozen.db", log_path=tmp_path / "frozen.log")
    token = server.add_device("kitchen", ["display"])
    config = make_config(server.url, "display", token, request_timeout_s=30.0)

    def freeze_the_server_on_live(status: ConnectionStatus) -> None:
        if status.state is ConnectionState.LIVE and server.running and server.pid is not None:
            os.kill(server.pid, signal.SIGSTOP)

    async def scenario() -> None:
        session = Session(config, data_dir=tmp_path)
        session.subscribe_status(freeze_the_server_on_live)
        await session.start()
        try:
            await wait_live(session)
            await asyncio.to_thread(server.kill)
            await wait_until(
                lambda: session.status.state is ConnectionState.RECONNECTING, within=5, what="the loss shown"
            )
        finally:
            await session.stop()

    server.start()
    try:
        asyncio.run(scenario())
    finally:
        server.stop()


def test_reconnect_delays_follow_the_seeded_curve(tmp_path: Path) -> None:
    """Server down: the badge's next-attempt times are exactly the seeded backoff curve, capped."""
    clock = FakeClock()  # frozen: next_attempt_at - now is exactly the delay chosen
    config = make_config(
        f"http://127.0.0.1:{free_port()}", "display", "t", backoff_initial_s=0.02, backoff_max_s=0.16
    )
    reference = Backoff(0.02, 0.16, rng=random.Random(7))
    expected = [round(reference.next_delay(), 9) for _ in range(7)]

    async def scenario() -> None:
        async with running_session(config, tmp_path, clock=clock, rng=random.Random(7)) as (session, rec):
            await wait_until(lambda: session.attempts >= 8, what="eight attempts")
        waits = [
            round((s.next_attempt_at - clock.now()).total_seconds(), 6)
            for s in rec.statuses
            if s.state is ConnectionState.RECONNECTING and s.next_attempt_at is not None
        ]
        assert waits[:7] == [round(d, 6) for d in expected]
        assert [s.attempt for s in rec.statuses if s.next_attempt_at][:7] == [1, 2, 3, 4, 5, 6, 7]
        assert max(waits) <= 0.16 and min(waits[3:7]) >= 0.08  # capped, jitter within half the cap

    asyncio.run(scenario())
