"""Refund… on the cashier screen against the real server: reason, confirmation, the server's refusal.

The dialog is opened with ``open()`` (never a blocking ``exec()``), so each test
finds it, types into it and clicks its buttons like a cashier.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import PySide6
import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTranslator
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from kiosk.core.clock import FakeClock
from kiosk.core.config import Config
from kiosk.core.session import Session
from kiosk.protocol import Event, PaymentStatus
from kiosk.ui.cashier.refund_dialog import RefundDialog
from kiosk.ui.cashier.screen import CashierScreen
from kiosk.ui.printing import ReceiptKind
from tests.core.helpers import events_of
from tests.support.flows import pay
from tests.support.server_process import ServerProcess
from tests.ui.support_b import sample_payment
from tests.ui.test_cashier import cashier  # noqa: F401 - the cashier screen fixture, reused

WAIT_MS = 10_000
ALREADY_REFUNDED = "This payment was already refunded; nothing more is owed."
ALREADY_REFUNDED_ID = "Dana pembayaran ini sudah dikembalikan; tidak ada lagi yang harus dibayarkan."


def server_status(server: ServerProcess, payment_id: int) -> str:
    payments = server.request("GET", "/api/payments").json()["payments"]
    return str(next(p for p in payments if p["id"] == payment_id)["status"])


def paid_receipt_on_screen(screen: CashierScreen, server: ServerProcess, qtbot: QtBot) -> dict[str, Any]:
    payment = pay(server, server.create_order(1), counter_id=1, amount_paid=100_000)  # Rp 55.000
    qtbot.waitUntil(
        lambda: (r := screen.receipt_view.receipt) is not None and r.payment_id == payment["id"],
        timeout=WAIT_MS,
    )
    qtbot.waitUntil(screen.receipt_view.refund_button.isEnabled, timeout=WAIT_MS)
    return payment


def open_refund_dialog(screen: CashierScreen, qtbot: QtBot) -> RefundDialog:
    qtbot.mouseClick(screen.receipt_view.refund_button, Qt.MouseButton.LeftButton)
    dialog = screen.findChild(RefundDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    return dialog


def test_refund_with_a_reason_refunds_on_the_server_and_the_screen_shows_it(
    cashier: CashierScreen,  # noqa: F811 - the imported fixture
    server: ServerProcess,
    qtbot: QtBot,
) -> None:
    payment = paid_receipt_on_screen(cashier, server, qtbot)
    dialog = open_refund_dialog(cashier, qtbot)
    assert payment["order_number"] in dialog.prompt.text()
    assert dialog.amount.text() == "Rp 55.000"
    assert payment["reference"] in dialog.details.text()
    assert dialog.confirm_button.text() == "Refund Rp 55.000"  # says what will happen
    for button in (cashier.receipt_view.refund_button, dialog.confirm_button, dialog.back_button):
        assert button.focusPolicy() == Qt.FocusPolicy.NoFocus
    qtbot.keyClicks(dialog.reason_edit, "salah pesan")
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(
        lambda: server_status(server, payment["id"]) == PaymentStatus.REFUNDED.value, timeout=WAIT_MS
    )
    qtbot.waitUntil(
        lambda: (r := cashier.receipt_view.receipt) is not None and r.kind is ReceiptKind.REFUND,
        timeout=WAIT_MS,
    )
    qtbot.waitUntil(lambda: cashier.findChild(RefundDialog) is None, timeout=WAIT_MS)  # closed and gone
    assert "salah pesan" in cashier.receipt_view.text()  # the refund slip, with the reason
    assert cashier.receipt_view.change_amount.text() == "-Rp 55.000"
    assert cashier.model.index(0, 4).data() == "refunded"
    assert cashier.model.totals.refunds == 55_000
    assert not cashier.receipt_view.refund_button.isEnabled()  # a refund slip cannot be refunded
    assert events_of(server, payment["id"], Event.PAYMENT_REFUNDED, "kasir-1") == 1
    cashier.focus_order(payment["order_id"])  # the refunded payment, picked from the list
    assert not cashier.receipt_view.refund_button.isEnabled()


def test_an_empty_reason_cannot_be_confirmed(
    cashier: CashierScreen,  # noqa: F811 - the imported fixture
    server: ServerProcess,
    qtbot: QtBot,
) -> None:
    payment = paid_receipt_on_screen(cashier, server, qtbot)
    dialog = open_refund_dialog(cashier, qtbot)
    assert not dialog.confirm_button.isEnabled()
    qtbot.keyClicks(dialog.reason_edit, "    ")
    assert not dialog.confirm_button.isEnabled()
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)  # Enter does not confirm either
    assert dialog.isVisible() and not dialog.busy
    qtbot.keyClicks(dialog.reason_edit, "x")
    assert dialog.confirm_button.isEnabled()
    dialog.reason_edit.clear()
    assert not dialog.confirm_button.isEnabled()
    assert server_status(server, payment["id"]) == PaymentStatus.PAID.value


def test_backing_out_of_the_dialog_changes_nothing_on_the_server(
    cashier: CashierScreen,  # noqa: F811 - the imported fixture
    server: ServerProcess,
    qtbot: QtBot,
) -> None:
    payment = paid_receipt_on_screen(cashier, server, qtbot)
    dialog = open_refund_dialog(cashier, qtbot)
    qtbot.keyClicks(dialog.reason_edit, "salah pesan")
    assert dialog.back_button.text() == "Don't refund"
    qtbot.mouseClick(dialog.back_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: cashier.findChild(RefundDialog) is None, timeout=WAIT_MS)
    assert server_status(server, payment["id"]) == PaymentStatus.PAID.value
    assert events_of(server, payment["id"], Event.PAYMENT_REFUNDED, "kasir-1") == 0
    assert cashier.receipt_view.refund_button.isEnabled()  # still a paid payment, still refundable
    again = open_refund_dialog(cashier, qtbot)  # and it can be asked again
    qtbot.keyClick(again.reason_edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: cashier.findChild(RefundDialog) is None, timeout=WAIT_MS)
    assert server_status(server, payment["id"]) == PaymentStatus.PAID.value


@pytest.fixture
def indonesian_refusals(qapp: QApplication, tmp_path: Path) -> Iterator[None]:
    """A translator holding the refusal's Indonesian (compiled here, so the test does not wait for the .ts)."""
    ts = tmp_path / "refusal_id.ts"
    ts.write_text(
        '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1" language="id_ID">'
        f"<context><name>Refusal</name><message><source>{ALREADY_REFUNDED}</source>"
        f"<translation>{ALREADY_REFUNDED_ID}</translation></message></context></TS>",
        encoding="utf-8",
    )
    qm = tmp_path / "refusal_id.qm"
    lrelease = Path(PySide6.__file__).parent / "lrelease"
    subprocess.run([str(lrelease), str(ts), "-qm", str(qm)], check=True, capture_output=True, timeout=60)
    translator = QTranslator()
    assert translator.load(str(qm))
    qapp.installTranslator(translator)
    yield
    qapp.removeTranslator(translator)


def test_a_refusal_is_shown_in_the_screens_language_and_the_servers_words_go_to_the_log(
    cashier: CashierScreen,  # noqa: F811 - the imported fixture
    server: ServerProcess,
    qtbot: QtBot,
    indonesian_refusals: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    payment = paid_receipt_on_screen(cashier, server, qtbot)
    dialog = open_refund_dialog(cashier, qtbot)
    # meanwhile the admin refunds it from the back office
    behind = server.request("POST", f"/api/payments/{payment['id']}/refund", json={"reason": "admin"})
    assert behind.status_code == 200, behind.text
    qtbot.keyClicks(dialog.reason_edit, "salah pesan")
    with caplog.at_level(logging.INFO, logger="kiosk.ui"):
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.status.text() == ALREADY_REFUNDED_ID, timeout=WAIT_MS)
    assert dialog.status.property("role") == "error"
    assert dialog.isVisible() and not dialog.busy  # it stays to be read; retry or back out
    assert dialog.confirm_button.isEnabled() and dialog.back_button.isEnabled()
    assert f"payment {payment['reference']} was already refunded" in caplog.text  # the server's English
    assert "already_refunded" in caplog.text
    assert QCoreApplication.translate("Refusal", ALREADY_REFUNDED) == ALREADY_REFUNDED_ID
    assert events_of(server, payment["id"], Event.PAYMENT_REFUNDED, "kasir-1") == 1  # the admin's only
    qtbot.mouseClick(dialog.back_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: cashier.findChild(RefundDialog) is None, timeout=WAIT_MS)


# -- without a server: the dialog on its own ------------------------------------------


def test_while_the_refund_is_out_the_dialog_cannot_be_closed(qtbot: QtBot) -> None:
    dialog = RefundDialog(sample_payment(amount=58_000))
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.keyClicks(dialog.reason_edit, "salah pesan")
    with qtbot.waitSignal(dialog.confirmed, timeout=WAIT_MS) as sent:
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert sent.args == ["salah pesan"]
    assert dialog.busy and dialog.status.text() == "Sending the refund to the server…"
    assert not dialog.confirm_button.isEnabled() and not dialog.back_button.isEnabled()
    dialog.reject()  # Esc, or the window manager's close
    dialog.close()
    assert dialog.isVisible()
    dialog.show_refusal("no")
    dialog.reject()
    assert not dialog.isVisible()


def test_refund_is_offered_only_for_a_paid_payment_this_screen_holds(qtbot: QtBot, tmp_path: Path) -> None:
    config = Config(room="kasir-1")
    session = Session(config, clock=FakeClock(), data_dir=tmp_path)
    paid, refunded = sample_payment(id=1), sample_payment(id=2, status=PaymentStatus.REFUNDED.value)
    session.store.load_snapshot([], [paid, refunded])
    screen = CashierScreen(session, config, FakeClock())
    qtbot.addWidget(screen)
    button: QPushButton = screen.receipt_view.refund_button
    screen.show_payment(paid)
    assert button.isEnabled()
    screen.show_payment(refunded)
    assert not button.isEnabled()
    screen.show_payment(paid, ReceiptKind.REFUND)
    assert not button.isEnabled()
    receipt = screen.receipt_view.receipt
    assert receipt is not None and screen.ask_refund(receipt) is None  # a refund slip is not refundable
    screen.printer.close()
