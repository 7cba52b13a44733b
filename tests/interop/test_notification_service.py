"""A kitchen screen against the real NotificationService backend (Node socket.io 4.8, written from its write-up).

Every live event of that backend used to be refused (``order_id`` is not
``id``, alerts have no ``data``), and its order rows (``order_status``,
``quantity``, ``menu_item_name``) read as pending orders without items.
Here the screen runs as shipped (``backend_dialect = "auto"``) and must end
level with the backend: its active orders and statuses, real names and items,
one new-order notice per order, across a SIGKILL and restart of the backend.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.protocol import OrderStatus
from kiosk.ui.printing.receipt import Receipt
from tests.core.helpers import make_config, running_session, wait_live, wait_until
from tests.interop.node_peer import NodePeer, running_peer

ITEMS = [
    {"menu_item_name": "Nasi Goreng Spesial", "quantity": 2, "price": 25000, "notes": "pedas"},
    {"menu_item_name": "Es Teh Manis", "quantity": 1, "price": 5000},
]


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[NodePeer]:
    with running_peer("notification_service", tmp_path) as peer:
        yield peer


def new_order(peer: NodePeer, customer: str) -> dict[str, Any]:
    return peer.call("POST", "/api/orders", {"tenant_id": 1, "customer_name": customer, "items": ITEMS})  # type: ignore[no-any-return]


def active_on_backend(peer: NodePeer) -> dict[int, str]:
    rows = peer.call("GET", "/api/orders?status=pending,preparing,ready")
    return {row["id"]: row["order_status"] for row in rows}


def test_a_kitchen_follows_the_notification_service_through_a_shift_and_a_crash(
    backend: NodePeer, tmp_path: Path
) -> None:
    first = new_order(backend, "Budi Santoso")

    async def scenario() -> None:
        config = make_config(backend.url, "display", "unused-token")
        async with running_session(config, tmp_path / "screen", join_timeout_s=0.5) as (session, rec):
            await wait_live(session)
            assert session.syncer.dialect.name == "notification-service"
            held = session.store.orders[first["id"]]
            assert [item.name for item in held.items] == ["Nasi Goreng Spesial", "Es Teh Manis"]
            assert held.items[0].qty == 2 and held.status is OrderStatus.PENDING

            # live: a partial order:created, completed from GET /api/orders/:id
            second = await asyncio.to_thread(new_order, backend, "Siti Aminah")
            await wait_until(
                lambda: (
                    second["id"] in session.store.orders
                    and len(session.store.orders[second["id"]].items) == 2
                ),
                what="the new order with its items",
            )
            assert session.store.orders[second["id"]].customer_name == "Siti Aminah"

            # a bump goes to its PATCH route; a cancel to its DELETE, with the reason
            bumped = await session.bump(second["id"])
            assert bumped.ok, bumped.reason
            cancelled = await session.cancel(first["id"], "habis")
            assert cancelled.ok, cancelled.reason
            await wait_until(
                lambda: active_on_backend(backend) == {second["id"]: "preparing"}, what="the backend moved"
            )
            await wait_until(
                lambda: (
                    session.store.orders.get(first["id"]) is None
                    or session.store.orders[first["id"]].status is OrderStatus.CANCELLED
                ),
                what="the cancel on screen",
            )

            # an alert at top level
            await asyncio.to_thread(
                backend.call, "POST", "/_test/alert", {"severity": "warning", "message": "Gas low"}
            )
            await wait_until(
                lambda: any(a.message == "Gas low" for a in session.store.alerts), what="the alert"
            )

            # it takes no tokens: only what was sent before the verdict (the first list, the first
            # connect) carried one; nothing since
            handed = await asyncio.to_thread(backend.call, "GET", "/_test/tokens")
            wheres = [seen["where"] for seen in handed]
            assert set(wheres) <= {"/api/orders", "socket"} and len(wheres) == len(set(wheres)), handed

            # SIGKILL; an order made while the screen is away; the backend comes back
            await asyncio.to_thread(backend.kill)
            await wait_until(session.connector.offline.is_set, what="the screen noticed")
            await asyncio.to_thread(backend.start)
            third = await asyncio.to_thread(new_order, backend, "Agus")
            await wait_until(
                lambda: (
                    third["id"] in session.store.orders and len(session.store.orders[third["id"]].items) == 2
                ),
                what="the order made during the outage",
            )
            await wait_live(session)
            assert (
                await asyncio.to_thread(backend.call, "GET", "/_test/tokens") == []
            )  # reconnected without it

            shown = {
                key: order.status.value
                for key, order in session.store.orders.items()
                if order.status in (OrderStatus.PENDING, OrderStatus.PREPARING, OrderStatus.READY)
            }
            assert shown == active_on_backend(backend)
            announced = rec.created_ids()
            assert sorted(set(announced)) == sorted([second["id"], third["id"]]), announced
            assert len(announced) == len(set(announced)), f"an order was announced twice: {announced}"

    asyncio.run(scenario())


def test_a_burst_of_50_orders_is_50_cards_with_items_50_fetches_and_50_announcements(
    backend: NodePeer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        config = make_config(backend.url, "display", "unused-token")
        async with running_session(config, tmp_path / "screen", join_timeout_s=0.5) as (session, rec):
            await wait_live(session)
            made = await asyncio.to_thread(lambda: [new_order(backend, f"Tamu {n}")["id"] for n in range(50)])
            await wait_until(
                lambda: all(key in session.store.orders and session.store.orders[key].items for key in made),
                what="50 orders with their items",
            )
            assert session.enricher.fetches == 50
            assert sorted(rec.created_ids()) == sorted(made)

    asyncio.run(scenario())


def test_the_cashier_and_the_stall_hold_payments_built_from_events_alone(
    backend: NodePeer, tmp_path: Path
) -> None:
    order = new_order(backend, "Dewi")

    async def scenario() -> None:
        kasir_config = make_config(backend.url, "kasir-1", "unused-token")
        stall_config = make_config(backend.url, "tenant-1", "unused-token")
        async with (
            running_session(kasir_config, tmp_path / "kasir", join_timeout_s=0.5) as (kasir, _),
            running_session(stall_config, tmp_path / "stall", join_timeout_s=0.5) as (stall, _),
        ):
            await wait_live(kasir)
            await wait_live(stall)
            # the stall holds its tenant's orders, whole; the counter holds none (it hears no order events)
            assert [item.name for item in stall.store.orders[order["id"]].items] == [
                "Nasi Goreng Spesial",
                "Es Teh Manis",
            ]
            assert kasir.store.orders == {}
            paid = await asyncio.to_thread(
                backend.call,
                "POST",
                "/api/payments",
                {
                    "order_id": order["id"],
                    "amount_paid": 60000,
                    "payment_method": "cash",
                    "checkout_counter_id": 1,
                },
            )
            await wait_until(lambda: paid["id"] in kasir.store.payments, what="the payment at the counter")
            payment = kasir.store.payments[paid["id"]]
            assert (payment.amount, payment.amount_paid, payment.change) == (55000, 60000, 5000)
            assert payment.reference == paid["transaction_reference"] and payment.status == "paid"
            # the kasir room hears no order events: the receipt's customer and items come from a fetch
            await wait_until(lambda: kasir.store.payments[paid["id"]].order is not None, what="the order")
            receipt = Receipt.from_payment(kasir.store.payments[paid["id"]])
            assert receipt.customer_name == "Dewi"
            assert [(line.name, line.qty) for line in receipt.lines] == [
                ("Nasi Goreng Spesial", 2),
                ("Es Teh Manis", 1),
            ]
            assert (receipt.total, receipt.paid, receipt.change) == (55000, 60000, 5000)
            await asyncio.to_thread(
                backend.call, "POST", f"/api/payments/{paid['id']}/refund", {"reason": "salah"}
            )
            await wait_until(
                lambda: (
                    paid["id"] in stall.store.payments
                    and stall.store.payments[paid["id"]].status == "refunded"
                ),
                what="the refund at the stall",
            )
            assert stall.store.payments[paid["id"]].refund_reason == "salah"
            assert len(stall.store.payments) == 1  # the refund's own row is not a second payment

    asyncio.run(scenario())


def test_a_screen_set_to_the_notification_service_never_hands_it_the_token(
    backend: NodePeer, tmp_path: Path
) -> None:
    new_order(backend, "Wati")

    async def scenario() -> None:
        config = make_config(backend.url, "display", "a-device-token", backend_dialect="notification-service")
        async with running_session(config, tmp_path / "screen") as (session, _):
            await wait_live(session)
            made = await asyncio.to_thread(new_order, backend, "Joko")
            await wait_until(lambda: made["id"] in session.store.orders, what="a live order")
            assert await asyncio.to_thread(backend.call, "GET", "/_test/tokens") == []

    asyncio.run(scenario())


def test_a_move_the_backend_refuses_is_shown_in_its_words_and_the_card_goes_back(
    backend: NodePeer, tmp_path: Path
) -> None:
    order = new_order(backend, "Rudi")

    async def scenario() -> None:
        config = make_config(backend.url, "display", "unused", backend_dialect="notification-service")
        async with running_session(config, tmp_path / "screen") as (session, _):
            await wait_live(session)
            for _ in range(3):  # pending -> preparing -> ready -> completed, each taken
                done = await session.bump(order["id"])
                assert done.ok, done.reason
            recalled = await session.recall()  # completed -> ready: this backend has no recall
            assert not recalled.ok
            assert recalled.reason == "cannot move completed to ready", recalled.reason
            assert backend.call("GET", f"/api/orders/{order['id']}")["order_status"] == "completed"

    asyncio.run(scenario())


def test_a_qr_scan_and_a_user_notification_reach_their_rooms(backend: NodePeer, tmp_path: Path) -> None:
    order = new_order(backend, "Maya")

    async def scenario() -> None:
        display = make_config(backend.url, "display", "unused", backend_dialect="notification-service")
        user = make_config(backend.url, "user-7", "unused", backend_dialect="notification-service")
        async with (
            running_session(display, tmp_path / "display") as (kitchen, heard),
            running_session(user, tmp_path / "user") as (phone, _),
        ):
            await wait_live(kitchen)
            await wait_live(phone)
            await asyncio.to_thread(backend.call, "POST", "/api/qr/scan", {"token": order["qr_token"]})
            await wait_until(
                lambda: any(n.event.value == "qr:scanned" for n in heard.notices), what="the scan"
            )
            assert (
                kitchen.store.orders[order["id"]].status is OrderStatus.PENDING
            )  # its "scanned" is the QR's
            await asyncio.to_thread(
                backend.call,
                "POST",
                "/_test/notify",
                {"user_id": 7, "type": "order_ready", "order_id": order["id"]},
            )
            await wait_until(lambda: len(phone.store.notifications) == 1, what="the user's notification")
            (note,) = phone.store.notifications
            assert (note.type, note.data["order_number"]) == ("order_ready", order["order_number"])
            assert kitchen.store.notifications == ()

    asyncio.run(scenario())
