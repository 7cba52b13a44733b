"""Receipts on paper: a real PDF read back with pdftotext, real ESC/POS bytes in a file and over TCP."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.ui.printing import PrintJob, PrintService, Receipt, ReceiptKind, receipt_text
from kiosk.ui.printing.document import default_printer_name, print_to_pdf
from kiosk.ui.printing.escpos_out import PrinterSpecError, open_printer, render_lines
from kiosk.ui.printing.service import receipts_dir
from tests.ui.support_b import sample_payment


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture
def service(qapp, tmp_path: Path) -> Iterator[PrintService]:
    created: list[PrintService] = []

    def make(spec: str = "") -> PrintService:
        svc = PrintService(spec, tmp_path / "receipts")
        created.append(svc)
        return svc

    yield make  # type: ignore[misc]
    for svc in created:
        svc.close()


def wait_job(qtbot: QtBot, svc: PrintService, run) -> PrintJob:  # type: ignore[no-untyped-def]
    outcomes: list[PrintJob] = []
    svc.done.connect(outcomes.append)
    svc.failed.connect(outcomes.append)
    run()
    qtbot.waitUntil(lambda: bool(outcomes), timeout=15_000)
    return outcomes[0]


def test_receipt_text_has_every_field(qapp) -> None:
    text = receipt_text(Receipt.from_payment(sample_payment())).plain()
    for expected in ("RECEIPT", "T1-004", "Budi", "Cashier 1", "2 x Nasi Goreng", "Rp 50.000", "Es Teh"):
        assert expected in text
    assert "Total: Rp 58.000" in text
    assert "Paid: Rp 100.000" in text
    assert "Change: Rp 42.000" in text
    assert "Method: Cash" in text
    assert "Reference: TRX-0007" in text
    assert "telur" in text and "pedas" in text


def test_refunded_payment_makes_a_refund_slip(qapp) -> None:
    payment = sample_payment(status="refunded", refund_reason="wrong order")
    receipt = Receipt.from_payment(payment)
    assert receipt.kind is ReceiptKind.REFUND
    text = receipt_text(receipt).plain()
    assert "REFUND SLIP" in text
    assert "Refunded: -Rp 58.000" in text
    assert "Reason: wrong order" in text
    assert "Change" not in text


def test_receipt_pdf_contains_order_number_and_change(qapp, tmp_path: Path) -> None:
    path = print_to_pdf(Receipt.from_payment(sample_payment()), tmp_path / "r.pdf")
    assert path.read_bytes()[:5] == b"%PDF-"
    text = pdf_text(path)
    assert "T1-004" in text
    assert "Rp 42.000" in text  # the change
    assert "Change" in text


def test_print_service_writes_pdf_off_the_gui_thread(qapp, qtbot: QtBot, service, tmp_path: Path) -> None:
    svc = service("")
    receipt = Receipt.from_payment(sample_payment(status="refunded", refund_reason="cold food"))
    job = wait_job(qtbot, svc, lambda: svc.save_pdf(receipt, tmp_path / "slip.pdf"))
    assert job.ok, job.message
    text = pdf_text(tmp_path / "slip.pdf")
    assert "REFUND SLIP" in text and "cold food" in text
    assert svc.pending == 0


def test_escpos_file_printer_gets_the_receipt_bytes(qapp, qtbot: QtBot, service, tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    svc = service(f"file:{device}")
    job = wait_job(qtbot, svc, lambda: svc.print_receipt(Receipt.from_payment(sample_payment())))
    assert job.ok, job.message
    data = device.read_bytes()
    assert b"T1-004" in data
    assert b"Rp 42.000" in data
    assert b"RECEIPT" in data
    assert data.endswith(b"\x1dV\x00")  # full cut (GS V 0)


def test_escpos_network_printer_over_real_tcp(qapp, qtbot: QtBot, service) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    received = bytearray()
    closed = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            while chunk := conn.recv(4096):
                received.extend(chunk)
        closed.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    svc = service(f"network:127.0.0.1:{port}")
    job = wait_job(qtbot, svc, lambda: svc.print_receipt(Receipt.from_payment(sample_payment())))
    assert job.ok, job.message
    assert closed.wait(10)
    listener.close()
    assert b"T1-004" in received and b"Rp 42.000" in received


def test_unreachable_printer_is_reported_not_raised(qapp, qtbot: QtBot, service) -> None:
    spare = socket.socket()
    spare.bind(("127.0.0.1", 0))
    port = spare.getsockname()[1]
    spare.close()  # nothing listens there now
    svc = service(f"network:127.0.0.1:{port}")
    job = wait_job(qtbot, svc, lambda: svc.print_receipt(Receipt.from_payment(sample_payment())))
    assert job.ok is False
    assert f"127.0.0.1:{port}" in job.message
    assert job.outcome.startswith("Printing failed: ") and f"127.0.0.1:{port}" in job.outcome


def test_without_any_printer_print_saves_a_pdf(qapp, qtbot: QtBot, service, tmp_path: Path) -> None:
    if default_printer_name() is not None:
        pytest.skip("this machine has a system printer; the PDF fallback does not apply")
    svc = service("")
    job = wait_job(qtbot, svc, lambda: svc.print_receipt(Receipt.from_payment(sample_payment())))
    assert job.ok, job.message
    assert job.target.startswith("PDF ")
    assert "T1-004" in pdf_text(Path(job.message))
    assert job.outcome == f"Saved as PDF: {job.pdf_path}"  # not "printed": it says where the file is
    assert Path(job.pdf_path) == tmp_path / "receipts" / "payment-T1-004-7.pdf"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder of its own, so "Documents" is tmp_path/home/Documents (freedesktop rules)."""
    if sys.platform != "linux":
        pytest.skip("HOME and XDG_CONFIG_HOME choose the Documents folder on Linux only")
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / ".config"))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    return folder


def test_save_pdf_goes_to_kiosk_receipts_in_documents_and_says_where(
    qapp, qtbot: QtBot, home: Path, kiosk_data_dir: Path
) -> None:
    svc = PrintService("")
    try:
        job = wait_job(qtbot, svc, lambda: svc.save_pdf(Receipt.from_payment(sample_payment())))
    finally:
        svc.close()
    assert job.ok, job.message
    saved = home / "Documents" / "Kiosk receipts" / "payment-T1-004-7.pdf"
    assert job.pdf_path == job.message == str(saved)
    assert job.outcome == f"Saved as PDF: {saved}"
    assert "T1-004" in pdf_text(saved)
    assert not (kiosk_data_dir / "receipts").exists()  # not the hidden data folder (a temp dir in the demo)


def test_save_pdf_follows_the_users_documents_folder(qapp, home: Path) -> None:
    (home / ".config").mkdir()
    (home / ".config" / "user-dirs.dirs").write_text('XDG_DOCUMENTS_DIR="$HOME/Dokumen"\n')
    assert receipts_dir() == home / "Dokumen" / "Kiosk receipts"


def test_save_pdf_falls_back_to_the_home_folder(qapp, qtbot: QtBot, home: Path) -> None:
    (home / "Documents").write_text("a file where the folder should be")
    svc = PrintService("")
    try:
        job = wait_job(qtbot, svc, lambda: svc.save_pdf(Receipt.from_payment(sample_payment())))
    finally:
        svc.close()
    assert job.ok, job.message
    assert Path(job.pdf_path).parent == home / "Kiosk receipts"
    assert job.outcome == f"Saved as PDF: {home / 'Kiosk receipts' / 'payment-T1-004-7.pdf'}"


def test_a_pdf_saved_to_a_relative_path_is_reported_with_its_full_path(
    qapp, qtbot: QtBot, service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    svc = service("")
    job = wait_job(qtbot, svc, lambda: svc.save_pdf(Receipt.from_payment(sample_payment()), Path("r.pdf")))
    assert job.ok and job.pdf_path == str(tmp_path / "r.pdf")
    assert job.outcome.endswith(str(tmp_path / "r.pdf"))


def test_a_pdf_that_cannot_be_written_says_where_and_why(qapp, qtbot: QtBot, service, tmp_path: Path) -> None:
    (tmp_path / "blocked").write_text("a file, not a folder")
    svc = service("")
    target = tmp_path / "blocked" / "r.pdf"
    job = wait_job(qtbot, svc, lambda: svc.save_pdf(Receipt.from_payment(sample_payment()), target))
    assert job.ok is False
    assert job.outcome.startswith("The PDF was not saved: ") and str(target) in job.outcome


def test_the_print_service_heads_receipts_with_the_shop(qapp, qtbot: QtBot, tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    shop = {"shop_name": "Food Court Maju Jaya", "shop_address": "Jl. Sudirman No. 1"}
    svc = PrintService(f"file:{device}", tmp_path, **shop)
    try:
        receipt = Receipt.from_payment(sample_payment())
        job = wait_job(qtbot, svc, lambda: svc.print_receipt(receipt))
        assert job.ok, job.message
        assert job.outcome == f"Printed on file:{device}"
        data = device.read_bytes()
        assert data.index(b"Food Court Maju Jaya") < data.index(b"Jl. Sudirman") < data.index(b"RECEIPT")
        pdf = wait_job(qtbot, svc, lambda: svc.save_pdf(receipt, tmp_path / "r.pdf"))
    finally:
        svc.close()
    assert pdf.ok, pdf.message
    text = pdf_text(tmp_path / "r.pdf")
    assert text.index("Food Court Maju Jaya") < text.index("Jl. Sudirman No. 1") < text.index("RECEIPT")


def test_printer_spec_errors_say_what_is_allowed() -> None:
    with pytest.raises(PrinterSpecError, match="network:host"):
        open_printer("bluetooth:aa")
    with pytest.raises(PrinterSpecError, match="hex"):
        open_printer("usb:zz:01")


def test_long_item_names_wrap_and_keep_the_amount_right_aligned(qapp) -> None:
    from kiosk.protocol import OrderItem
    from tests.ui.support_b import sample_order

    order = sample_order(
        items=(OrderItem(name="Ayam Bakar Madu Spesial dengan Nasi Uduk Komplit", qty=1, price=45_000),)
    )
    lines = render_lines(receipt_text(Receipt.from_payment(sample_payment(order=order))), columns=32)
    assert all(len(line) <= 32 for chunk in lines for line in chunk.split("\n"))
    assert any(line.endswith("Rp 45.000") for chunk in lines for line in chunk.split("\n"))


def test_a_job_finishing_after_its_screen_was_deleted_is_dropped_safely(
    qapp, qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import shiboken6

    caplog.set_level("INFO", logger="kiosk.ui")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    accepted = threading.Event()
    release = threading.Event()

    def serve() -> None:  # holds the job until the service is gone
        conn, _ = listener.accept()
        accepted.set()
        release.wait(10)
        conn.close()

    threading.Thread(target=serve, daemon=True).start()
    svc = PrintService(f"network:127.0.0.1:{port}", tmp_path)
    svc.print_receipt(Receipt.from_payment(sample_payment()))
    assert accepted.wait(10)
    shiboken6.delete(svc)  # the screen closed mid-job
    release.set()
    qtbot.waitUntil(lambda: "arrived after its PrintService was closed" in caplog.text, timeout=10_000)
    listener.close()
