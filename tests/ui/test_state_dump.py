"""The state dump of a cashier's and a stall's window: the session's dump, the full lists, the screen's part.

Support reads this file at exit (``--dump-state``); before, the session's own
view (attempts, legacy mode, queued actions, skipped events) and what the
screen held (the receipt, the stall's last action) never reached it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from kiosk.core.clock import SystemClock
from kiosk.core.connection_status import ConnectionState
from kiosk.core.session import Session
from kiosk.ui.cashier.screen import CashierScreen
from kiosk.ui.headless import state_dump, write_state
from kiosk.ui.tenant.screen import TenantScreen
from kiosk.ui.window import MainWindow
from tests.support.flows import pay
from tests.ui.conftest import make_config

WAIT_MS = 10_000


def open_window(qtbot: QtBot, make_session: Any, config: Any) -> tuple[Session, MainWindow]:
    session: Session = make_session(config)
    qtbot.waitUntil(lambda: session.status.state is ConnectionState.LIVE, timeout=WAIT_MS)
    window = MainWindow(session, config, SystemClock())
    qtbot.addWidget(window)
    window.show()
    return session, window


def dumped(session: Session, window: MainWindow, tmp_path: Path) -> dict[str, Any]:
    """The dump as written to disk and read back, so it is also shown to be plain JSON."""
    path = tmp_path / "state.json"
    write_state(path, state_dump(session, window.screen_widget.state_extra(), 2, 1))
    result: dict[str, Any] = json.loads(path.read_text())
    return result


def assert_session_part(state: dict[str, Any], session: Session) -> None:
    assert state["connection"]["state"] == "live"
    assert state["connection"]["legacy"] is session.syncer.legacy
    assert state["connection"]["attempts"] == session.attempts
    assert state["queued_actions"] == 0
    assert state["skipped_events"] == session.store.skipped
    assert state["room"] == session.config.room
    assert (state["sounds_played"], state["sounds_heard"]) == (2, 1)


def test_a_cashiers_dump_holds_its_receipt_and_the_sessions_view(
    server: Any, make_session: Any, tmp_path: Path, qtbot: QtBot, kiosk_data_dir: Path
) -> None:
    config = make_config(server, "kasir-1", tmp_path, printer=f"file:{tmp_path / 'lp0'}")
    session, window = open_window(qtbot, make_session, config)
    screen = window.screen_widget
    assert isinstance(screen, CashierScreen)
    order = server.create_order(1)
    pay(server, order, counter_id=1, amount_paid=100_000)
    qtbot.waitUntil(lambda: screen.receipt_view.receipt is not None, timeout=WAIT_MS)
    state = dumped(session, window, tmp_path)
    screen.printer.close()
    assert_session_part(state, session)
    assert state["screen"] == json.loads(json.dumps(screen.state_extra()))
    assert state["screen"]["counter"] == 1 and state["screen"]["transactions"] == 1
    assert state["screen"]["receipt"]["change"] == 45_000
    # the counts keep their own names; "payments" stays the full list
    assert state["payment_count"] == len(state["payments"]) == 1
    assert state["payments"][0]["order_id"] == order["id"]
    assert state["order_count"] == len(state["orders"])


def test_a_stalls_dump_holds_its_list_and_last_action(
    server: Any, make_session: Any, tmp_path: Path, qtbot: QtBot, kiosk_data_dir: Path
) -> None:
    mine = server.create_order(1, customer_name="Sari")
    server.create_order(2, customer_name="Other stall")
    config = make_config(server, "tenant-1", tmp_path)
    session, window = open_window(qtbot, make_session, config)
    screen = window.screen_widget
    assert isinstance(screen, TenantScreen)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=WAIT_MS)
    screen.act("accept")
    qtbot.waitUntil(lambda: screen.last_outcome is not None, timeout=WAIT_MS)
    state = dumped(session, window, tmp_path)
    assert_session_part(state, session)
    assert state["screen"]["tenant"] == 1
    assert state["screen"]["shown_orders"] == [mine["order_number"]]
    assert state["screen"]["last_action"] == {"order_id": mine["id"], "ok": True, "reason": ""}
    assert state["order_count"] == len(state["orders"])
    assert mine["id"] in {order["id"] for order in state["orders"]}
