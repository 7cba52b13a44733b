"""What the kitchen window says after a bump or a recall: it names the order as its card does."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.core.actions import ActionOutcome
from kiosk.core.clock import SystemClock
from kiosk.core.config import Config
from kiosk.core.session import Session
from kiosk.protocol import OrderStatus, Severity
from kiosk.ui.window import MainWindow
from tests.support.server_process import ServerProcess

WAIT_MS = 10_000


def open_window(qtbot: QtBot, session: Session, config: Config) -> MainWindow:
    window = MainWindow(session, config, SystemClock())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_r_with_nothing_to_recall_says_so_and_names_no_empty_order(
    qtbot: QtBot, live_session: Session, display_config: Config
) -> None:
    window = open_window(qtbot, live_session, display_config)
    grid = window.screen_widget.grid  # type: ignore[attr-defined]
    grid.setFocus()
    assert live_session.last_bumped is None
    qtbot.keyClick(grid, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: len(window.banners.banners()) == 1, timeout=WAIT_MS)
    banner = window.banners.banners()[0]
    assert banner.text() == "Nothing to recall: no order bumped on this screen is waiting"
    assert banner.severity is Severity.INFO  # nothing went wrong: it fades
    assert "Order  " not in banner.text()


def test_outcome_messages_name_the_order_as_its_card_does(
    qtbot: QtBot, server: ServerProcess, live_session: Session, display_config: Config
) -> None:
    created = server.create_order()
    window = open_window(qtbot, live_session, display_config)
    screen = window.screen_widget
    qtbot.waitUntil(lambda: screen.card_text(created["id"]) is not None, timeout=WAIT_MS)  # type: ignore[attr-defined]
    number = screen.card_text(created["id"]).number  # type: ignore[attr-defined]
    assert number == created["order_number"] and number != str(created["id"])

    window.on_action(
        ActionOutcome(created["id"], ok=False, reason="refused for the test", action="status:ready")
    )
    window.on_action(ActionOutcome(created["id"], ok=True, queued=True, action="status:preparing"))
    # An order no longer on this screen (pruned, or never here): the id the outcome carries.
    window.on_action(ActionOutcome(987654, ok=False, reason="gone", action="status:ready"))
    # A refusal with a code is said in the screen's words, not the server's English.
    window.on_action(
        ActionOutcome(
            created["id"],
            ok=False,
            reason=f"order {number} was completed 1200 s ago; it can be recalled to ready only within 900 s",
            action="status:ready",
            code="recall_window_passed",
        )
    )
    banners = [banner.text() for banner in window.banners.banners()]
    assert banners == [
        f"Order {number} was not changed: refused for the test",
        "Order 987654 was not changed: gone",
        f"Order {number} was not changed: it was completed too long ago to be recalled.",
    ]
    toasts = [toast.text() for toast in window.toasts.toasts()]
    assert f"Offline: order {number} will be updated when the connection is back" in toasts


def test_a_refused_bump_names_the_order_in_its_banner(
    qtbot: QtBot, server: ServerProcess, live_session: Session, display_config: Config
) -> None:
    """End to end: a bump the server refuses (cancelled behind the screen's back) is named in the banner."""
    created = server.create_order()
    for status in ("preparing", "ready"):
        assert server.request("PATCH", f"/api/orders/{created['id']}/status", json={"status": status}).ok
    window = open_window(qtbot, live_session, display_config)
    screen = window.screen_widget
    qtbot.waitUntil(
        lambda: (
            (order := live_session.store.orders.get(created["id"])) is not None
            and order.status is OrderStatus.READY
        ),
        timeout=WAIT_MS,
    )
    number = screen.card_text(created["id"]).number  # type: ignore[attr-defined]
    outcomes: list[ActionOutcome] = []
    live_session.subscribe_actions(outcomes.append)
    answer = server.request("DELETE", f"/api/orders/{created['id']}", json={"reason": "customer left"})
    assert answer.status_code == 200, answer.text
    screen.bump(created["id"])  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: len(outcomes) == 1 and len(window.banners.banners()) == 1, timeout=WAIT_MS)
    assert not outcomes[0].ok
    text = window.banners.banners()[0].text()
    assert outcomes[0].code == "invalid_transition", outcomes[0]
    assert (
        text == f"Order {number} was not changed: it has already moved on; the screen shows where it is now."
    )
    assert live_session.last_bumped is None  # a refused bump to completed is not a recall target
