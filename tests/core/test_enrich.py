"""Partial orders completed from the backend's order route: at once, once each, retried, never over a newer status."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kiosk.core.clock import FakeClock
from kiosk.core.dialects import load_dialect, native_dialect
from kiosk.core.enrich import Enricher
from kiosk.core.rest import ApiRefusedError, ServerUnreachableError
from kiosk.core.store import Store
from kiosk.protocol import Order, OrderStatus
from tests.core.helpers import wait_until
from tests.core.test_dialects import KNEX_ROW, SEED_ORDER_CREATED, SEED_STATUS_CHANGED
from tests.support.scripted_rest import ScriptedRest

SERVICE = load_dialect("notification-service")


def created(order_id: int) -> dict[str, Any]:
    data = {**SEED_ORDER_CREATED["data"], "order_id": order_id, "order_number": f"T1-{order_id:03d}"}  # type: ignore[dict-item]
    return SERVICE.translate_event("order:created", {**SEED_ORDER_CREATED, "data": data})


def row(order_id: int, status: str = "pending") -> dict[str, Any]:
    return {**KNEX_ROW, "id": order_id, "order_number": f"T1-{order_id:03d}", "order_status": status}


async def run_with(rest: ScriptedRest, store: Store, until: Any, **kwargs: Any) -> Enricher:
    enricher = Enricher(rest, store, lambda: SERVICE, **kwargs)
    store.subscribe(enricher)
    task = asyncio.get_running_loop().create_task(enricher.run())
    try:
        await until(enricher)
    finally:
        task.cancel()
    return enricher


def test_a_created_order_gets_its_items_and_keeps_a_status_that_moved_on_meanwhile() -> None:
    store = Store(clock=FakeClock())
    rest = ScriptedRest({("GET", "/api/orders/1"): row(1, status="pending")})

    async def scenario(enricher: Enricher) -> None:
        store.apply_envelope(created(1), advance_seq=False)
        store.apply_envelope(
            SERVICE.translate_event("order:status_changed", SEED_STATUS_CHANGED), advance_seq=False
        )
        await wait_until(lambda: enricher.filled == 1, 5, "the order completed")

    asyncio.run(run_with(rest, store, scenario))
    order = store.orders[1]
    assert [item.name for item in order.items] == ["Nasi Goreng", "Es Teh"]
    assert order.status is OrderStatus.PREPARING  # the fetch said pending: the event's later status stays
    assert rest.paths() == ["/api/orders/1"]


def test_a_burst_of_50_new_orders_is_50_fetches_and_their_status_changes_none() -> None:
    store = Store(clock=FakeClock())
    rest = ScriptedRest({("GET", f"/api/orders/{n}"): row(n) for n in range(1, 51)})

    async def scenario(enricher: Enricher) -> None:
        store.apply_batch((created(n), False) for n in range(1, 51))
        await wait_until(lambda: enricher.filled == 50, 10, "50 orders completed")
        for n in range(1, 51):
            change = {**SEED_STATUS_CHANGED, "data": {**SEED_STATUS_CHANGED["data"], "order_id": n}}  # type: ignore[dict-item]
            store.apply_envelope(SERVICE.translate_event("order:status_changed", change), advance_seq=False)
        await asyncio.sleep(0)  # one loop turn for a worker that would (wrongly) start a fetch

    enricher = asyncio.run(run_with(rest, store, scenario))
    assert enricher.fetches == 50 and sorted(rest.paths()) == sorted(f"/api/orders/{n}" for n in range(1, 51))
    assert all(len(order.items) == 2 for order in store.orders.values())


def test_an_unreachable_backend_is_asked_again_and_a_gone_order_is_not() -> None:
    store = Store(clock=FakeClock())
    rest = ScriptedRest(
        {
            ("GET", "/api/orders/1"): [
                ServerUnreachableError("down"),
                ServerUnreachableError("down"),
                row(1),
            ],
            ("GET", "/api/orders/2"): ApiRefusedError(404, "not_found", "no such order"),
        }
    )

    async def scenario(enricher: Enricher) -> None:
        store.apply_batch([(created(1), False), (created(2), False)])
        await wait_until(lambda: enricher.filled == 1 and enricher.waiting() == 0, 5, "order 1 completed")

    asyncio.run(run_with(rest, store, scenario, retry_s=0.01))
    assert rest.paths().count("/api/orders/1") == 3
    assert rest.paths().count("/api/orders/2") == 1
    assert len(store.orders[1].items) == 2 and store.orders[2].items == ()


def test_kiosks_own_whole_orders_are_never_fetched() -> None:
    store = Store(clock=FakeClock())
    rest = ScriptedRest({})
    enricher = Enricher(rest, store, native_dialect)
    store.subscribe(enricher)
    whole = Order(id=5, customer_name="Ani", tenant_id=1).model_dump(mode="json")
    store.apply_envelope({"event_id": "e1", "seq": 1, "type": "order_created", "data": whole})
    assert 5 in store.orders and enricher.waiting() == 0


@pytest.mark.parametrize("refusal", [ApiRefusedError(403, "forbidden", "not yours")])
def test_an_order_the_backend_will_not_show_is_left_as_the_events_say(refusal: ApiRefusedError) -> None:
    store = Store(clock=FakeClock())
    rest = ScriptedRest({("GET", "/api/orders/1"): refusal})

    async def scenario(enricher: Enricher) -> None:
        store.apply_envelope(created(1), advance_seq=False)
        await wait_until(lambda: rest.calls and enricher.waiting() == 0, 5, "the refused fetch")

    enricher = asyncio.run(run_with(rest, store, scenario))
    assert enricher.fetches == 1 and enricher.filled == 0 and store.orders[1].customer_name == "John Doe"
