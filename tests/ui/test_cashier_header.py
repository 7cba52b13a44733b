"""The cashier's header line: the day's net and counts, following payments and refunds as they arrive.

A kasir room receives no order events, so the header's "0 open order(s)" never
changed on a counter; the screen's ``summary_text()`` replaces it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from kiosk.core.clock import SystemClock
from kiosk.core.connection_status import ConnectionState
from kiosk.core.session import Session
from kiosk.ui.cashier.screen import CashierScreen
from kiosk.ui.window import MainWindow
from tests.support.flows import pay
from tests.support.server_process import ServerProcess
from tests.ui.conftest import make_config

WAIT_MS = 10_000


def test_the_header_shows_the_days_net_and_counts_as_payments_and_refunds_arrive(
    server: ServerProcess, make_session: Callable[..., Session], tmp_path: Path, qtbot: QtBot
) -> None:
    config = make_config(server, "kasir-1", tmp_path, printer=f"file:{tmp_path / 'lp0'}")
    session = make_session(config)
    window = MainWindow(session, config, SystemClock())
    qtbot.addWidget(window)
    window.show()
    screen = window.screen_widget
    assert isinstance(screen, CashierScreen)
    header = window.header.count_label
    qtbot.waitUntil(lambda: session.status.state is ConnectionState.LIVE, timeout=WAIT_MS)
    assert header.text() == "No payments yet this shift"

    first = pay(server, server.create_order(1), counter_id=1, amount_paid=100_000)  # Rp 55.000
    qtbot.waitUntil(lambda: header.text() == "Net Rp 55.000 · 1 payment(s)", timeout=WAIT_MS)
    with qtbot.waitSignal(screen.summaryChanged, timeout=WAIT_MS):
        pay(server, server.create_order(2), counter_id=1, method="qris")
    qtbot.waitUntil(lambda: header.text() == "Net Rp 110.000 · 2 payment(s)", timeout=WAIT_MS)
    pay(server, server.create_order(1), counter_id=2)  # another counter's: not this drawer's money
    refund = server.request("POST", f"/api/payments/{first['id']}/refund", json={"reason": "salah pesan"})
    assert refund.status_code == 200, refund.text
    qtbot.waitUntil(lambda: header.text() == "Net Rp 55.000 · 2 payment(s) · 1 refund(s)", timeout=WAIT_MS)
    assert header.text() == screen.summary_text()
    assert "open order" not in header.text()
