"""English <-> Indonesian at runtime: installing the translator re-translates live widgets."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.core.clock import FakeClock
from kiosk.core.config import Config
from kiosk.core.session import Session
from kiosk.paths import asset
from kiosk.ui.cashier.receipt_view import ReceiptView
from kiosk.ui.cashier.screen import CashierScreen
from kiosk.ui.i18n import current_language, install_translator
from kiosk.ui.printing import Receipt, receipt_text
from kiosk.ui.setup_dialog import SetupDialog
from kiosk.ui.tenant.screen import TenantScreen
from tests.ui.support_b import sample_payment


@pytest.fixture
def english_after(qapp: QApplication) -> Iterator[QApplication]:
    yield qapp
    install_translator(qapp, "en")


def idle_session(room: str, tmp_path: Path) -> Session:
    """A real Session that is never started: no server needed to build a screen."""
    return Session(Config(room=room), clock=FakeClock(), data_dir=tmp_path)


def test_switching_language_retranslates_the_tenant_screen(
    english_after: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    config = Config(room="tenant-1")
    screen = TenantScreen(idle_session("tenant-1", tmp_path), config, FakeClock())
    qtbot.addWidget(screen)
    assert screen.buttons["accept"].text() == "Accept"
    install_translator(english_after, "id")
    assert current_language() == "id"
    qtbot.waitUntil(lambda: screen.buttons["accept"].text() == "Terima", timeout=2000)
    assert screen.buttons["cancel"].text() == "Batal…"
    assert screen.heading.text() == "Pesanan (0 terbuka)"
    assert screen.pickups_heading.text() == "Pengambilan (QR)"
    install_translator(english_after, "en")
    qtbot.waitUntil(lambda: screen.buttons["accept"].text() == "Accept", timeout=2000)
    assert screen.heading.text() == "Orders (0 open)"


def test_receipts_and_cashier_screen_speak_indonesian(
    english_after: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    screen = CashierScreen(idle_session("kasir-1", tmp_path), Config(room="kasir-1"), FakeClock())
    qtbot.addWidget(screen)
    view = ReceiptView()
    qtbot.addWidget(view)
    view.show_receipt(Receipt.from_payment(sample_payment()))
    assert "Change: Rp 42.000" in view.text()
    install_translator(english_after, "id")
    qtbot.waitUntil(lambda: view.print_button.text() == "Cetak", timeout=2000)
    assert "Kembalian: Rp 42.000" in view.text()
    assert "Tunai" in view.text() and "STRUK" in view.text()
    assert screen.list_heading.text() == "Transaksi shift ini"
    assert screen.receipt_view.title.text() == "Menunggu pembayaran…"
    assert screen.model.headerData(0, Qt.Orientation.Horizontal) == "Waktu"
    assert "Total bersih (0 pembayaran)" in screen.totals.text()
    paper = receipt_text(Receipt.from_payment(sample_payment(status="refunded"))).plain()
    assert paper.startswith("BUKTI PENGEMBALIAN DANA")


def test_setup_dialog_follows_the_language(english_after: QApplication, qtbot: QtBot) -> None:
    dialog = SetupDialog(Config())
    qtbot.addWidget(dialog)
    assert dialog.save_button.text() == "Check and save"
    install_translator(english_after, "id")
    qtbot.waitUntil(lambda: dialog.save_button.text() == "Periksa dan simpan", timeout=2000)
    assert dialog.windowTitle() == "Pengaturan kiosk"


def test_picking_a_language_in_the_setup_dialog_switches_it_at_once(
    english_after: QApplication, qtbot: QtBot
) -> None:
    dialog = SetupDialog(Config())
    qtbot.addWidget(dialog)
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("id"))
    qtbot.waitUntil(lambda: dialog.save_button.text() == "Periksa dan simpan", timeout=2000)
    assert current_language() == "id"
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("en"))
    qtbot.waitUntil(lambda: dialog.save_button.text() == "Check and save", timeout=2000)


def test_unknown_language_is_refused_with_the_choices(qapp: QApplication) -> None:
    with pytest.raises(ValueError, match="use one of en, id"):
        install_translator(qapp, "fr")


def test_every_string_has_an_indonesian_translation() -> None:
    """The .ts in the repo is complete and the compiled .qm is not older than it."""
    ts = asset("translations", "kiosk_id.ts")
    unfinished = [
        message.findtext("source")
        for message in ET.parse(ts).getroot().iter("message")
        if message.find("translation") is not None
        and message.find("translation").get("type") in ("unfinished", "vanished", "obsolete")
    ]
    assert unfinished == []
    qm = asset("translations", "kiosk_id.qm")
    assert qm.stat().st_size > 1000


def test_setup_refusal_reads_in_indonesian(english_after: QApplication, server) -> None:
    from kiosk.ui.setup_dialog import check_connection

    install_translator(english_after, "id")
    result = check_connection(Config(server_url=server.url, room="display", token="salah"))
    assert result.message.startswith(f"token ditolak oleh {server.url}: ")
