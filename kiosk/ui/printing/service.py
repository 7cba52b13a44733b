"""Printing off the GUI thread, with the outcome reported where people see it.

A thermal printer on the network can take seconds to time out and a PDF
render of a long order takes a moment; neither may freeze the screen.  Jobs
run one at a time on a single worker thread (a printer prints one slip at a
time anyway) and each ends in ``done`` or ``failed`` on the GUI thread with a
message a cashier can act on ("printer 192.168.1.50:9100 not reachable: ...").

Where a receipt goes: the ESC/POS printer of ``config.printer`` when one is
set; otherwise the operating system's default printer through Qt; and on a
machine with neither, a PDF, so "Print" never just does nothing.  PDFs ("Save
PDF", and that fallback) go where a cashier finds them: a "Kiosk receipts"
folder in the user's Documents (the home folder when there is no Documents
folder), never the kiosk's hidden data folder, which the demo puts in a temp
dir.  ``PrintJob.outcome`` says in the screen's language what happened and,
for a PDF, its full path.

The shop's name and address (settings ``shop_name`` / ``shop_address``,
passed in by the screen) head every receipt this service prints.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDir, QObject, QStandardPaths, Signal

from kiosk.ui.i18n import fill
from kiosk.ui.printing.document import default_printer_name, print_to_pdf, print_to_system_printer
from kiosk.ui.printing.escpos_out import open_printer, print_escpos
from kiosk.ui.printing.receipt import Receipt
from kiosk.ui.worker_relay import relay

log = logging.getLogger("kiosk.print")

_job_ids = itertools.count(1)

RECEIPTS_FOLDER = "Kiosk receipts"


def receipts_dir() -> Path:
    """The folder for receipt PDFs: Documents/Kiosk receipts, else ~/Kiosk receipts (created; absolute).

    A folder that cannot be created or written is skipped; when none can be,
    the home one is returned and the job that writes there reports why.
    """
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    candidates = [Path(base) / RECEIPTS_FOLDER for base in (documents, QDir.homePath()) if base]
    for folder in candidates:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            log.warning("receipts folder %s cannot be created: %s", folder, error)
            continue
        if os.access(folder, os.W_OK | os.X_OK):
            return folder.absolute()
        log.warning("receipts folder %s is not writable", folder)
    return (candidates[-1] if candidates else Path.home() / RECEIPTS_FOLDER).absolute()


@dataclass(frozen=True, slots=True)
class PrintJob:
    id: int
    order_number: str
    kind: str
    target: str  # "ESC/POS file:/dev/usb/lp0", "printer Kasir", "PDF /home/ani/Documents/…/x.pdf"
    ok: bool | None = None  # None while running
    message: str = ""  # done: where it went (the PDF's full path, the printer); failed: why
    pdf_path: str = ""  # the absolute path of the PDF this job writes ("" for a printer)
    outcome: str = ""  # the sentence for the cashier, translated: "Saved as PDF: /home/ani/…/x.pdf"


class PrintService(QObject):
    """Runs print jobs on a worker thread; emits ``done``/``failed`` with the PrintJob on the GUI thread."""

    done = Signal(object)  # PrintJob
    failed = Signal(object)  # PrintJob

    def __init__(
        self,
        escpos_spec: str,
        pdf_dir: Path | None = None,
        parent: QObject | None = None,
        *,
        shop_name: str = "",
        shop_address: str = "",
    ) -> None:
        """``pdf_dir`` None: PDFs go to ``receipts_dir()`` (chosen per job, so a new Documents folder counts)."""
        super().__init__(parent)
        self._escpos_spec = escpos_spec
        self._pdf_dir = pdf_dir
        self._shop = (shop_name, shop_address)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-print")
        self._pending: dict[int, PrintJob] = {}
        self._relay = relay()  # created here, on the GUI thread
        executor = self._executor
        self.destroyed.connect(lambda *_: executor.shutdown(wait=False, cancel_futures=True))

    @property
    def pending(self) -> int:
        return len(self._pending)

    def print_receipt(self, receipt: Receipt) -> PrintJob:
        """Print to the configured device (ESC/POS, else the system printer, else a PDF)."""
        receipt = receipt.with_shop(*self._shop)
        if self._escpos_spec:
            spec = self._escpos_spec
            return self._submit(receipt, f"ESC/POS {spec}", lambda: self._escpos(receipt, spec))
        printer = default_printer_name()
        if printer is not None:
            return self._submit(
                receipt, f"printer {printer}", lambda: print_to_system_printer(receipt, printer)
            )
        return self.save_pdf(receipt)

    def save_pdf(self, receipt: Receipt, path: Path | None = None) -> PrintJob:
        """Write the receipt as a PDF (by default in the receipts folder); the job names its full path."""
        receipt = receipt.with_shop(*self._shop)
        target = (path or self._pdf_path(receipt)).absolute()
        return self._submit(
            receipt, f"PDF {target}", lambda: str(print_to_pdf(receipt, target)), pdf_path=str(target)
        )

    def close(self, wait: bool = True) -> None:
        """Finish (or drop, with wait=False) queued jobs and stop the worker thread."""
        self._executor.shutdown(wait=wait, cancel_futures=not wait)

    # -- internals ----------------------------------------------------------

    def _pdf_path(self, receipt: Receipt) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in receipt.order_number) or "order"
        folder = self._pdf_dir if self._pdf_dir is not None else receipts_dir()
        return folder / f"{receipt.kind.value}-{safe}-{receipt.payment_id}.pdf"

    @staticmethod
    def _escpos(receipt: Receipt, spec: str) -> str:
        print_escpos(receipt, open_printer(spec))
        return spec

    def _submit(self, receipt: Receipt, target: str, work: Callable[[], str], pdf_path: str = "") -> PrintJob:
        job = PrintJob(next(_job_ids), receipt.order_number, receipt.kind.value, target, pdf_path=pdf_path)
        self._pending[job.id] = job
        log.info("print job %d: %s %s to %s", job.id, job.kind, job.order_number, target)
        future = self._executor.submit(work)
        future.add_done_callback(lambda f: self._relay.deliver(self._deliver, (job, f)))
        return job

    def _deliver(self, payload: tuple[PrintJob, Future[str]]) -> None:
        job, future = payload
        self._pending.pop(job.id, None)
        if future.cancelled():
            finished = replace(job, ok=False, message="cancelled: the screen was closing")
        elif (error := future.exception()) is not None:
            finished = replace(job, ok=False, message=f"{job.target}: {error}")
            log.error("print job %d failed: %s", job.id, finished.message)
        else:
            finished = replace(job, ok=True, message=future.result())
            log.info("print job %d done: %s", job.id, finished.message)
        finished = replace(finished, outcome=_outcome(finished))
        (self.done if finished.ok else self.failed).emit(finished)


def _outcome(job: PrintJob) -> str:
    """What a finished job did, for the screen under the receipt."""
    if job.ok:
        if job.pdf_path:
            text = QCoreApplication.translate("PrintService", "Saved as PDF: %1")
        else:
            text = QCoreApplication.translate("PrintService", "Printed on %1")
    elif job.pdf_path:
        text = QCoreApplication.translate("PrintService", "The PDF was not saved: %1")
    else:
        text = QCoreApplication.translate("PrintService", "Printing failed: %1")
    return fill(text, job.message)
