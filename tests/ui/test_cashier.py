"""Cashier counter against the real server: payment -> receipt, print, refund slip, shift totals."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.core.clock import SystemClock
from kiosk.core.connection_status import ConnectionState
from kiosk.core.formatting import format_rupiah
from kiosk.protocol import Event, PaymentStatus
from kiosk.ui.cashier.screen import CashierScreen, counter_of
from kiosk.ui.models.payments_model import PaymentsModel, of_counter, shift_totals
from kiosk.ui.printing import ReceiptKind
from tests.support.flows import pay
from tests.ui.conftest import make_config
from tests.ui.support_b import sample_payment


@pytest.fixture
def cashier(server, make_session, tmp_path: Path, qtbot: QtBot, kiosk_data_dir: Path):  # type: ignore[no-untyped-def]
    config = make_config(server, "kasir-1", tmp_path, printer=f"file:{tmp_path / 'lp0'}")
    session = make_session(config)
    qtbot.waitUntil(lambda: session.status.state is ConnectionState.LIVE, timeout=10_000)
    screen = CashierScreen(session, config, SystemClock())
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    yield screen
    screen.printer.close()


def test_payment_posted_to_the_server_opens_its_receipt(cashier: CashierScreen, server, qtbot: QtBot) -> None:
    order = server.create_order(1)  # 2 x 25.000 + 1 x 5.000
    payment = pay(server, order, counter_id=1, amount_paid=100_000)
    qtbot.waitUntil(lambda: cashier.receipt_view.receipt is not None, timeout=10_000)
    receipt = cashier.receipt_view.receipt
    assert receipt is not None and receipt.kind is ReceiptKind.PAYMENT
    shown = cashier.receipt_view.text()
    assert order["order_number"] in shown
    assert cashier.receipt_view.order_number.text() == order["order_number"]
    assert cashier.receipt_view.change_amount.text() == "Rp 45.000"
    for text in (
        "2 x Nasi Goreng Spesial",
        "Rp 50.000",
        "Total: Rp 55.000",
        "Paid: Rp 100.000",
        "Method: Cash",
    ):
        assert text in shown
    assert f"Reference: {payment['reference']}" in shown
    assert "Cashier 1" in shown
    assert cashier.model.rowCount() == 1
    state = cashier.state_extra()
    assert state["receipt"]["change"] == 45_000 and state["transactions"] == 1


def test_print_button_sends_the_receipt_to_the_escpos_device(
    cashier: CashierScreen, server, qtbot: QtBot, tmp_path: Path
) -> None:
    order = server.create_order(1)
    pay(server, order, counter_id=1, amount_paid=60_000)
    qtbot.waitUntil(lambda: cashier.receipt_view.receipt is not None, timeout=10_000)
    qtbot.mouseClick(cashier.receipt_view.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: cashier.receipt_view.print_status.text().startswith("Printed"), timeout=10_000)
    data = (tmp_path / "lp0").read_bytes()
    assert order["order_number"].encode() in data
    assert b"Rp 5.000" in data  # the change


def test_ctrl_p_prints_the_receipt_on_screen(
    cashier: CashierScreen, server, qtbot: QtBot, tmp_path: Path
) -> None:
    order = server.create_order(1)
    pay(server, order, counter_id=1, amount_paid=55_000)
    qtbot.waitUntil(lambda: cashier.receipt_view.receipt is not None, timeout=10_000)
    cashier.table.setFocus()
    qtbot.keyClick(cashier.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: cashier.receipt_view.print_status.text().startswith("Printed"), timeout=10_000)
    assert order["order_number"].encode() in (tmp_path / "lp0").read_bytes()


def test_save_pdf_writes_a_receipt_pdf_with_number_and_change(
    cashier: CashierScreen, server, qtbot: QtBot, kiosk_data_dir: Path
) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    order = server.create_order(1)
    pay(server, order, counter_id=1, amount_paid=70_000)
    qtbot.waitUntil(lambda: cashier.receipt_view.receipt is not None, timeout=10_000)
    qtbot.mouseClick(cashier.receipt_view.pdf_button, Qt.MouseButton.LeftButton)
    status = cashier.receipt_view.print_status
    qtbot.waitUntil(lambda: status.text().startswith("Saved as PDF: "), timeout=10_000)
    pdf = Path(status.text().removeprefix("Saved as PDF: "))
    assert pdf.is_absolute() and pdf.parent.name == "Kiosk receipts"  # where a cashier finds it
    assert str(pdf).startswith(os.environ["HOME"])  # the test's home, never the real one
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert order["order_number"] in text
    assert "Rp 15.000" in text


def test_refund_shows_a_refund_slip_and_updates_the_totals(
    cashier: CashierScreen, server, qtbot: QtBot
) -> None:
    first = server.create_order(1)
    second = server.create_order(2)
    paid_cash = pay(server, first, counter_id=1, amount_paid=55_000)
    pay(server, second, counter_id=1, method="qris")
    qtbot.waitUntil(lambda: cashier.model.rowCount() == 2, timeout=10_000)
    assert cashier.model.totals.by_method == {"cash": 55_000, "qris": 55_000}
    assert "Net total (2 payment(s)): Rp 110.000" in cashier.totals.text()

    response = server.request(
        "POST", f"/api/payments/{paid_cash['id']}/refund", json={"reason": "salah pesan"}
    )
    assert response.status_code == 200, response.text
    qtbot.waitUntil(
        lambda: (
            cashier.receipt_view.receipt is not None
            and cashier.receipt_view.receipt.kind is ReceiptKind.REFUND
        ),
        timeout=10_000,
    )
    shown = cashier.receipt_view.text()
    assert "REFUND SLIP" in shown and "salah pesan" in shown and first["order_number"] in shown
    assert cashier.receipt_view.change_amount.text() == "-Rp 55.000"
    qtbot.waitUntil(lambda: cashier.model.totals.refunds == 55_000, timeout=5_000)
    assert cashier.model.totals.by_method == {"cash": 55_000, "qris": 55_000}  # taken, then one given back
    shown_totals = cashier.totals.text()
    assert "Refunds (1): -Rp 55.000" in shown_totals and "Net total (2 payment(s)): Rp 55.000" in shown_totals
    assert cashier.model.rowCount() == 2  # the refunded payment stays in the list, marked refunded
    statuses = {cashier.model.index(r, 4).data() for r in range(2)}
    assert statuses == {"paid", "refunded"}


def test_after_a_restart_the_last_receipt_is_ready_to_reprint(
    server, make_session, tmp_path: Path, qtbot: QtBot, kiosk_data_dir: Path
) -> None:
    earlier = server.create_order(1)
    pay(server, earlier, counter_id=1, amount_paid=80_000)
    config = make_config(server, "kasir-1", tmp_path)
    session = make_session(config)
    qtbot.waitUntil(lambda: bool(session.store.payments), timeout=10_000)
    screen = CashierScreen(session, config, SystemClock())
    qtbot.addWidget(screen)
    assert screen.receipt_view.receipt is not None
    assert screen.receipt_view.receipt.order_number == earlier["order_number"]
    assert screen.receipt_view.change_amount.text() == "Rp 25.000"
    assert screen.receipt_view.print_button.isEnabled()
    screen.printer.close()


def test_other_counters_payments_do_not_appear(cashier: CashierScreen, server, qtbot: QtBot) -> None:
    other = server.create_order(1)
    pay(server, other, counter_id=2)
    mine = server.create_order(1)
    pay(server, mine, counter_id=1)
    qtbot.waitUntil(lambda: cashier.receipt_view.receipt is not None, timeout=10_000)
    assert cashier.receipt_view.receipt is not None
    assert cashier.receipt_view.receipt.order_number == mine["order_number"]
    assert [p.order_number for p in cashier.model.payments()] == [mine["order_number"]]


def test_selecting_an_older_transaction_opens_its_receipt(
    cashier: CashierScreen, server, qtbot: QtBot
) -> None:
    first, second = server.create_order(1), server.create_order(1)
    pay(server, first, counter_id=1)
    pay(server, second, counter_id=1)
    qtbot.waitUntil(lambda: cashier.model.rowCount() == 2, timeout=10_000)
    qtbot.waitUntil(
        lambda: (
            cashier.receipt_view.receipt is not None
            and cashier.receipt_view.receipt.order_number == second["order_number"]
        ),
        timeout=10_000,
    )
    assert cashier.focus_order(first["id"])
    assert cashier.receipt_view.receipt is not None
    assert cashier.receipt_view.receipt.order_number == first["order_number"]


# -- without a server: the pieces ------------------------------------------------


def test_shift_totals_add_up_methods_less_refunds_is_the_net() -> None:
    payments = [
        sample_payment(id=1, amount=10_000),
        sample_payment(id=2, amount=20_000, payment_method="qris"),
        sample_payment(id=3, amount=5_000, status=PaymentStatus.REFUNDED.value),
    ]
    totals = shift_totals(payments)
    assert totals.by_method == {"cash": 15_000, "qris": 20_000}  # the refunded 5 000 was taken in cash
    assert (totals.count, totals.refunds, totals.refund_count, totals.net) == (3, 5_000, 1, 30_000)
    assert sum(totals.by_method.values()) - totals.refunds == totals.net
    assert format_rupiah(totals.gross) == "Rp 35.000"


def test_payments_model_orders_newest_first_and_filters_by_counter(qapp) -> None:
    from datetime import timedelta

    from kiosk.core.store import Change, ChangeKind

    model = PaymentsModel(of_counter(1))
    early = sample_payment(id=1)
    late = sample_payment(id=2, created_at=early.created_at + timedelta(minutes=5))
    elsewhere = sample_payment(id=3, counter_id=2)
    model.apply_changes(
        [Change(ChangeKind.INSERTED, "payments", p.id, None, p) for p in (early, late, elsewhere)]
    )
    assert [p.id for p in model.payments()] == [2, 1]
    model.apply_changes([Change(ChangeKind.REMOVED, "payments", 2, late, None)])
    assert [p.id for p in model.payments()] == [1]


def test_room_names_map_to_counters() -> None:
    assert counter_of("kasir-3") == 3
    assert counter_of("display") is None
    assert counter_of("nonsense") is None
    assert Event.PAYMENT_PROCESSED.type == "payment_processed"


def test_cashier_screenshot_with_a_receipt_is_kept(
    cashier: CashierScreen, server, qtbot: QtBot, qapp, artifacts: Path
) -> None:
    from kiosk.ui import theme
    from kiosk.ui.headless import is_blank

    font, sheet = qapp.font(), qapp.styleSheet()
    theme.apply_theme(qapp)
    try:
        order = server.create_order(1, customer_name="Wayan")
        pay(server, order, counter_id=1, amount_paid=100_000)
        qtbot.waitUntil(lambda: cashier.receipt_view.receipt is not None, timeout=10_000)
        image = cashier.grab().toImage()
        assert not is_blank(image)
        assert image.save(str(artifacts / "cashier-receipt.png"))
    finally:
        qapp.setStyleSheet(sheet)
        qapp.setFont(font)


@pytest.mark.skipif(
    not os.environ.get("DISPLAY"), reason="no X display: scripts/test.sh starts Xvfb and sets DISPLAY"
)
def test_cashier_window_under_xvfb_is_not_blank(server, tmp_path: Path, artifacts: Path) -> None:
    from tests.ui import test_headless as headless

    token = server.add_device("xvfb-kasir", ["kasir-1"])
    pay(server, server.create_order(1), counter_id=1, amount_paid=60_000)
    shot = artifacts / "xvfb-cashier.png"
    done = headless.kiosk(
        "--server", server.url, "--room", "kasir-1", "--token", token, "--no-sound",
        "--screenshot", str(shot), "--quit-after", "4",
        env=headless.clean_env(tmp_path, QT_QPA_PLATFORM="xcb"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    headless.non_blank_png(shot)


def test_built_before_the_session_starts_the_last_receipt_still_opens(
    server, aloop, tmp_path: Path, qtbot: QtBot, kiosk_data_dir: Path
) -> None:
    """As the app does it: the window first, then ``session.start()``; the snapshot arrives later and silently."""
    from kiosk.core.session import Session

    earlier = server.create_order(1)
    pay(server, earlier, counter_id=1, amount_paid=80_000)
    config = make_config(server, "kasir-1", tmp_path)
    session = Session(config, data_dir=kiosk_data_dir)
    screen = CashierScreen(session, config, SystemClock())
    qtbot.addWidget(screen)
    assert screen.receipt_view.receipt is None  # nothing loaded yet
    started = aloop.create_task(session.start())
    try:
        qtbot.waitUntil(started.done, timeout=10_000)
        qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=10_000)
        receipt = screen.receipt_view.receipt
        assert receipt is not None and receipt.order_number == earlier["order_number"]
        assert screen.receipt_view.print_button.isEnabled()
    finally:
        stopped = aloop.create_task(session.stop())
        qtbot.waitUntil(stopped.done, timeout=10_000)
        screen.printer.close()
