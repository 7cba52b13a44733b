"""The kitchen window on the real NotificationService backend: cards with real names and items, bumped at its route.

The store-level scenarios are in tests/interop; this is what a cook sees:
its ``order:created`` carries no items, and the card must show them
(fetched from ``GET /api/orders/:id``) rather than an empty card.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.core.config import load_config
from kiosk.core.connection_status import ConnectionState
from kiosk.core.session import Session
from tests.interop.node_peer import NodePeer, running_peer
from tests.ui.test_kitchen_screen import WAIT_MS, kitchen_of, open_window

ITEMS = [
    {"menu_item_name": "Mie Ayam Bakso", "quantity": 2, "price": 18000, "notes": "tanpa sambal"},
    {"menu_item_name": "Es Campur", "quantity": 1, "price": 12000},
]


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[NodePeer]:
    with running_peer("notification_service", tmp_path) as peer:
        yield peer


def test_a_cook_sees_the_items_of_an_order_its_event_did_not_carry_and_bumps_it(
    qtbot: QtBot, backend: NodePeer, tmp_path: Path, make_session: Callable[..., Session]
) -> None:
    config = load_config(
        path=tmp_path / "absent.toml",
        env={},
        overrides={
            "server_url": backend.url,
            "room": "display",
            "token": "unused",
            "backend_dialect": "notification-service",
        },
    )
    session = make_session(config)
    qtbot.waitUntil(lambda: session.status.state is ConnectionState.LIVE, timeout=WAIT_MS)
    window = open_window(qtbot, session, config)
    screen = kitchen_of(window)
    order = backend.call(
        "POST", "/api/orders", {"tenant_id": 1, "customer_name": "Pak Harjo", "items": ITEMS}
    )

    def card_lines() -> list[str]:
        text = screen.card_text(order["id"])
        return [] if text is None else text.lines()

    qtbot.waitUntil(lambda: "2× Mie Ayam Bakso" in card_lines(), timeout=WAIT_MS)
    lines = card_lines()
    assert "Pak Harjo" in lines and "1× Es Campur" in lines
    assert any("tanpa sambal" in line for line in lines)

    screen.grid.setFocus()
    qtbot.keyClick(screen.grid, Qt.Key.Key_1)
    qtbot.keyClick(screen.grid, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: backend.call("GET", f"/api/orders/{order['id']}")["order_status"] == "preparing",
        timeout=WAIT_MS,
    )
