"""Session.refund against the real server: once only, refusals with the server's code, never blind offline."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from kiosk.core.actions import REFUND_OFFLINE
from kiosk.core.rest import ServerUnreachableError
from kiosk.core.session import Session
from kiosk.protocol import Event, PaymentStatus
from tests.core.helpers import events_of, make_config, running_session, wait_live, wait_until
from tests.support.flows import pay
from tests.support.server_process import ServerProcess, free_port


def paid_at_counter(server: ServerProcess, counter_id: int = 1) -> dict[str, Any]:
    return pay(server, server.create_order(1), counter_id=counter_id)


def server_payment(server: ServerProcess, payment_id: int) -> dict[str, Any]:
    body = server.request("GET", "/api/payments").json()
    found: dict[str, Any] = next(p for p in body["payments"] if p["id"] == payment_id)
    return found


def lose_the_next_answer(session: Session, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The next REST call reaches the server, but its answer never comes back (a timeout after the commit)."""
    real_call = session.rest.call
    keys: list[str] = []

    async def call(method: str, path: str, **kwargs: Any) -> Any:
        keys.append(kwargs.get("idempotency_key") or "")
        answer = await real_call(method, path, **kwargs)
        if len(keys) == 1:
            raise ServerUnreachableError(f"{method} {path}: ReadTimeout (the answer was lost)")
        return answer

    monkeypatch.setattr(session.rest, "call", call)
    return keys


def test_a_refund_is_applied_once_even_when_its_answer_is_lost_and_it_is_retried(
    server: ServerProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    payment = paid_at_counter(server)
    token = server.add_device("counter-1", ["kasir-1"])

    async def scenario() -> None:
        async with running_session(make_config(server.url, "kasir-1", token), tmp_path) as (session, rec):
            await wait_live(session)
            await wait_until(lambda: payment["id"] in session.store.payments, what="the payment")
            keys = lose_the_next_answer(session, monkeypatch)
            lost = await session.refund(payment["id"], "  salah pesan  ")
            assert not lost.ok and lost.code == "no_answer" and lost.action == "refund"
            assert lost.payment_id == payment["id"] and lost.order_id == payment["order_id"]
            assert "never refunds twice" in lost.reason
            first = await asyncio.to_thread(server_payment, server, payment["id"])
            assert first["status"] == PaymentStatus.REFUNDED.value  # it did happen, only the answer was lost
            assert first["refund_reason"] == "salah pesan"

            retried = await session.refund(payment["id"], "salah pesan")
            assert retried.ok, retried.reason  # the stored success, not "already refunded"
            assert keys[0] == keys[1] and keys[0]  # the retry carried the same Idempotency-Key
            again = await asyncio.to_thread(server_payment, server, payment["id"])
            assert again["refunded_at"] == first["refunded_at"] and again["version"] == first["version"]
            assert (
                await asyncio.to_thread(events_of, server, payment["id"], Event.PAYMENT_REFUNDED, "kasir-1")
                == 1
            )
            await wait_until(
                lambda: session.store.payments[payment["id"]].status == PaymentStatus.REFUNDED.value,
                what="the payment:refunded event",
            )
            assert session.refunds.pending_key(payment["id"]) is None  # answered: the key is spent
            assert rec.outcomes == []  # the caller shows it; the window's order banner is not for refunds

    asyncio.run(scenario())


def test_refunding_twice_is_refused_with_the_servers_code_and_message(
    server: ServerProcess, tmp_path: Path
) -> None:
    payment = paid_at_counter(server)
    token = server.add_device("counter-1", ["kasir-1"])

    async def scenario() -> None:
        async with running_session(make_config(server.url, "kasir-1", token), tmp_path) as (session, _):
            await wait_live(session)
            assert (await session.refund(payment["id"], "customer changed their mind")).ok
            twice = await session.refund(payment["id"], "customer changed their mind")
            assert not twice.ok and twice.code == "already_refunded"
            assert payment["reference"] in twice.reason and "already refunded" in twice.reason
            assert (
                await asyncio.to_thread(events_of, server, payment["id"], Event.PAYMENT_REFUNDED, "kasir-1")
                == 1
            )

    asyncio.run(scenario())


def test_another_counters_payment_is_refused_and_left_alone(server: ServerProcess, tmp_path: Path) -> None:
    """The policy: kasir-N refunds the payments of counter N only; another counter does not even see them."""
    theirs = paid_at_counter(server, counter_id=1)
    token = server.add_device("counter-2", ["kasir-2"])

    async def scenario() -> None:
        async with running_session(make_config(server.url, "kasir-2", token), tmp_path) as (session, _):
            await wait_live(session)
            refused = await session.refund(theirs["id"], "wrong counter")
            assert not refused.ok and refused.code == "not_found"
            assert refused.reason == f"no payment with id {theirs['id']}"
            assert session.refunds.pending_key(theirs["id"]) is None
        status = await asyncio.to_thread(server_payment, server, theirs["id"])
        assert status["status"] == PaymentStatus.PAID.value

    asyncio.run(scenario())


def test_a_stall_that_sees_the_payment_may_not_refund_it(server: ServerProcess, tmp_path: Path) -> None:
    payment = paid_at_counter(server, counter_id=1)
    token = server.add_device("stall-1", ["tenant-1"])

    async def scenario() -> None:
        async with running_session(make_config(server.url, "tenant-1", token), tmp_path) as (session, _):
            await wait_live(session)
            refused = await session.refund(payment["id"], "not ours to give back")
            assert not refused.ok and refused.code == "forbidden"
            assert payment["reference"] in refused.reason and "kasir-N" in refused.reason
        status = await asyncio.to_thread(server_payment, server, payment["id"])
        assert status["status"] == PaymentStatus.PAID.value

    asyncio.run(scenario())


def test_a_refund_needs_a_reason(server: ServerProcess, tmp_path: Path) -> None:
    payment = paid_at_counter(server)
    token = server.add_device("counter-1", ["kasir-1"])

    async def scenario() -> None:
        async with running_session(make_config(server.url, "kasir-1", token), tmp_path) as (session, _):
            await wait_live(session)
            blank = await session.refund(payment["id"], "   ")
            assert not blank.ok and blank.code == "reason_required"
        status = await asyncio.to_thread(server_payment, server, payment["id"])
        assert status["status"] == PaymentStatus.PAID.value

    asyncio.run(scenario())


def test_offline_a_refund_is_refused_at_once_and_never_sent_later(tmp_path: Path) -> None:
    """Money is not refunded blind: no queue, no replay when the server comes back."""
    port = free_port()
    server = ServerProcess(tmp_path / "offline.db", port=port, log_path=tmp_path / "offline.log")
    server.start()
    try:
        payment = paid_at_counter(server)
        token = server.add_device("counter-1", ["kasir-1"])
        server.stop()
        config = make_config(server.url, "kasir-1", token)

        async def scenario() -> None:
            async with running_session(config, tmp_path) as (session, _):
                await wait_until(lambda: not session.rest.reachable, what="a failed poll")
                refused = await session.refund(payment["id"], "salah pesan")
                assert not refused.ok and refused.code == "offline" and refused.reason == REFUND_OFFLINE
                assert len(session.actions.queue) == 0
                await asyncio.to_thread(server.start)
                await wait_live(session)
                await wait_until(lambda: payment["id"] in session.store.payments, what="the day's payments")
                assert session.store.payments[payment["id"]].status == PaymentStatus.PAID.value
                assert len(session.actions.queue) == 0  # nothing waits to be replayed

        asyncio.run(scenario())
        assert server_payment(server, payment["id"])["status"] == PaymentStatus.PAID.value
        assert "/refund" not in server.log_tail(10_000)  # the server never heard of it
    finally:
        server.stop()


def test_live_after_a_timed_out_call_a_refund_is_still_tried(server: ServerProcess, tmp_path: Path) -> None:
    """A kasir screen makes no other REST call while live, so one lost answer must not block refunds."""
    payment = paid_at_counter(server)
    token = server.add_device("counter-1", ["kasir-1"])

    async def scenario() -> None:
        async with running_session(make_config(server.url, "kasir-1", token), tmp_path) as (session, _):
            await wait_live(session)
            session.rest.reachable = False  # as after a timeout
            outcome = await session.refund(payment["id"], "salah pesan")
            assert outcome.ok, outcome.reason

    asyncio.run(scenario())
