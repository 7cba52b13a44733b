"""English <-> Indonesian at runtime: installing the translator re-translates live widgets."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import PySide6
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
    """The .ts in the repo is complete: no unfinished, empty or placeholder-losing entry."""
    ts = asset("translations", "kiosk_id.ts")
    messages = list(ET.parse(ts).getroot().iter("message"))
    assert len(messages) > 100
    unfinished = [
        message.findtext("source")
        for message in messages
        if message.find("translation") is not None
        and message.find("translation").get("type") in ("unfinished", "vanished", "obsolete")
    ]
    assert unfinished == []
    empty = [message.findtext("source") for message in messages if not _translations(message)]
    assert empty == [], "messages without an Indonesian text"
    lost = [
        (message.findtext("source"), text)
        for message in messages
        for text in _translations(message)
        if set(re.findall(r"%\d", message.findtext("source") or "")) != set(re.findall(r"%\d", text))
    ]
    assert lost == [], "a translation must keep every %1/%2 placeholder of its source"
    qm = asset("translations", "kiosk_id.qm")
    assert qm.stat().st_size > 1000


def _translations(message: ET.Element) -> list[str]:
    """The non-blank Indonesian texts of a message (each plural form of a numerus message)."""
    node = message.find("translation")
    if node is None:
        return []
    forms = node.findall("numerusform") if message.get("numerus") == "yes" else [node]
    texts = ["".join(form.itertext()).strip() for form in forms]
    return texts if texts and all(texts) else []


def test_translation_files_are_up_to_date_with_the_source(tmp_path: Path) -> None:
    """Every tr()/translate() string in kiosk/ui is in the .ts, and the .qm is compiled from it.

    Runs the same tools as scripts/update_translations.sh on copies: if this fails,
    run that script, translate what it marks unfinished, and commit both files.
    """
    tools = Path(PySide6.__file__).parent
    root = Path(__file__).resolve().parents[2]
    sources = sorted(str(path) for path in (root / "kiosk" / "ui").rglob("*.py"))
    ts = tmp_path / "kiosk_id.ts"
    ts.write_bytes(asset("translations", "kiosk_id.ts").read_bytes())
    update = [str(tools / "lupdate"), "-no-obsolete", "-locations", "none", "-target-language", "id_ID"]
    subprocess.run([*update, *sources, "-ts", str(ts)], check=True, capture_output=True, timeout=60)
    assert ts.read_bytes() == asset("translations", "kiosk_id.ts").read_bytes(), (
        "kiosk/ui has strings the .ts lacks (or the .ts has strings no longer used): "
        "run scripts/update_translations.sh and translate the unfinished entries"
    )
    qm = tmp_path / "kiosk_id.qm"
    subprocess.run(
        [str(tools / "lrelease"), str(ts), "-qm", str(qm)], check=True, capture_output=True, timeout=60
    )
    assert qm.read_bytes() == asset("translations", "kiosk_id.qm").read_bytes(), (
        "kiosk_id.qm is not compiled from the current kiosk_id.ts: run scripts/update_translations.sh"
    )


def test_setup_refusal_reads_in_indonesian(english_after: QApplication, server) -> None:
    from kiosk.ui.setup_dialog import check_connection

    install_translator(english_after, "id")
    result = check_connection(Config(server_url=server.url, room="display", token="salah"))
    assert result.message.startswith(f"token ditolak oleh {server.url}: ")
