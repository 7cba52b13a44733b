"""A kitchen screen against the real admin-room backend (Node socket.io 4.8, written from its write-up).

That backend authenticates a socket with the admin token and puts it in its
one ``admin`` room, sends new orders flat (``orderCreated``: ``order_id``,
``total``, no envelope) and no status events at all, and lists orders at
``GET /api/admin/orders``.  The screen is set to ``backend_dialect =
"admin-room"``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.core.connection_status import ConnectionState
from kiosk.protocol import OrderStatus
from tests.core.helpers import make_config, running_session, wait_live, wait_until
from tests.interop.node_peer import NodePeer, running_peer

TOKEN = "admin-secret"
ITEMS = [{"name": "Soto Ayam", "qty": 2, "price": 20000}, {"name": "Es Jeruk", "qty": 1, "price": 8000}]


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[NodePeer]:
    with running_peer("admin_room", tmp_path) as peer:
        yield peer


def new_order(peer: NodePeer, customer: str) -> dict[str, Any]:
    return peer.call("POST", "/api/orders/create", {"customer_name": customer, "items": ITEMS})  # type: ignore[no-any-return]


def test_a_kitchen_on_the_admin_room_sees_orders_live_bumps_them_and_hears_reservations(
    backend: NodePeer, tmp_path: Path
) -> None:
    first = new_order(backend, "Rina")

    async def scenario() -> None:
        config = make_config(backend.url, "display", TOKEN, backend_dialect="admin-room")
        async with running_session(config, tmp_path / "screen", join_timeout_s=2) as (session, rec):
            await wait_live(session)
            held = session.store.orders[first["order_id"]]
            assert (held.customer_name, held.total_amount) == ("Rina", 48000)
            assert [item.name for item in held.items] == ["Soto Ayam", "Es Jeruk"]

            second = await asyncio.to_thread(new_order, backend, "Yusuf")
            await wait_until(lambda: second["order_id"] in session.store.orders, what="the live order")
            assert len(session.store.orders[second["order_id"]].items) == 2  # whole from the event: no fetch
            assert rec.created_ids() == [second["order_id"]]

            bumped = await session.bump(second["order_id"])
            assert bumped.ok, bumped.reason
            rows = await asyncio.to_thread(
                lambda: {row["order_id"]: row["status"] for row in admin_list(backend)["orders"]}
            )
            assert rows[second["order_id"]] == "preparing"
            assert session.store.orders[second["order_id"]].status is OrderStatus.PREPARING

            # it has no cancel route: refused on the screen, in words, and the card stays
            refused = await session.cancel(second["order_id"], "habis")
            assert not refused.ok and refused.code == "unsupported", refused
            assert session.store.orders[second["order_id"]].status is OrderStatus.PREPARING

            await asyncio.to_thread(
                backend.call,
                "POST",
                "/api/reserve",
                {"name": "Keluarga Hadi", "party_size": 6, "time": "19:00"},
            )
            await wait_until(
                lambda: any(n.type == "reservation_created" for n in session.store.notifications),
                what="the reservation",
            )
            (note,) = session.store.notifications
            assert note.data["name"] == "Keluarga Hadi"
            assert session.enricher.fetches == 0

    asyncio.run(scenario())


def admin_list(peer: NodePeer) -> Any:
    import requests

    response = requests.get(
        f"{peer.url}/api/admin/orders", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5
    )
    response.raise_for_status()
    return response.json()


def test_a_wrong_admin_token_is_refused_in_words(backend: NodePeer, tmp_path: Path) -> None:
    async def scenario() -> None:
        config = make_config(backend.url, "display", "not-the-admin-token", backend_dialect="admin-room")
        async with running_session(config, tmp_path / "screen", join_timeout_s=2) as (session, _):
            await wait_until(lambda: session.status.state is ConnectionState.OFFLINE, what="the refusal")
            assert "refused this device's token" in session.status.detail

    asyncio.run(scenario())


def test_a_restaurants_own_dialect_file_polls_for_the_moves_no_event_tells(
    backend: NodePeer, tmp_path: Path
) -> None:
    """The admin room sends no status events: a move made on its dashboard reaches the screen by the poll."""
    shipped = (Path(__file__).resolve().parents[2] / "assets" / "dialects" / "admin-room.toml").read_text()
    assert "poll_s = 6" in shipped
    own = tmp_path / "our-admin-room.toml"
    own.write_text(
        shipped.replace('name = "admin-room"', 'name = "our-admin-room"').replace(
            "poll_s = 6", "poll_s = 0.5"
        )
    )
    order = new_order(backend, "Lina")

    async def scenario() -> None:
        config = make_config(backend.url, "display", TOKEN, backend_dialect=str(own))
        async with running_session(config, tmp_path / "screen", join_timeout_s=2) as (session, _):
            await wait_live(session)
            assert session.syncer.dialect.name == "our-admin-room"
            await asyncio.to_thread(dashboard_moves, backend, order["order_id"], "preparing")
            await wait_until(
                lambda: session.store.orders[order["order_id"]].status is OrderStatus.PREPARING,
                within=5,
                what="the dashboard's move, by the poll",
            )

    asyncio.run(scenario())


def dashboard_moves(peer: NodePeer, order_id: int, status: str) -> None:
    import requests

    response = requests.patch(
        f"{peer.url}/api/admin/orders/{order_id}",
        json={"status": status},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    )
    response.raise_for_status()
