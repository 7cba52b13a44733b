"""Receipts through Qt's print system: a system printer, or a PDF file.

Rendered as a small HTML table in a QTextDocument on a page as wide as an
80 mm receipt roll, so the same layout works on a thermal printer driven by
the OS (CUPS, Windows spooler) and in a PDF a manager can e-mail.  Safe to
call from a worker thread: the document and printer are created in it.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from kiosk.ui.printing.receipt import Receipt, ReceiptText, receipt_text

ROLL_WIDTH_MM = 80.0
ROLL_MIN_LENGTH_MM = 60.0
MARGIN_MM = 4.0


def receipt_html(text: ReceiptText) -> str:
    def rows(pairs: tuple[tuple[str, str], ...], strong: bool = False) -> str:
        cells = []
        for left, right in pairs:
            left_html, right_html = escape(left), escape(right)
            if strong:
                left_html, right_html = f"<b>{left_html}</b>", f"<b>{right_html}</b>"
            indent = len(left) - len(left.lstrip(" "))
            left_html = "&nbsp;" * (2 * indent) + left_html.lstrip(" ")  # notes under their item
            right_html = right_html.replace(" ", "&nbsp;")  # never split "Rp 50.000"
            cells.append(f'<tr><td>{left_html}</td><td align="right">{right_html}</td></tr>')
        return "".join(cells)

    return (
        "<html><body style=\"font-family: 'DejaVu Sans', sans-serif; font-size: 9pt;\">"
        f'<p align="center" style="font-size: 13pt;"><b>{escape(text.title)}</b></p>'
        f'<table width="100%" cellspacing="0" cellpadding="1">{rows(text.header)}</table>'
        "<hr/>"
        f'<table width="100%" cellspacing="0" cellpadding="1">{rows(text.items)}</table>'
        "<hr/>"
        f'<table width="100%" cellspacing="0" cellpadding="1">{rows(text.totals, strong=True)}</table>'
        f'<p align="center">{escape(text.footer)}</p>'
        "</body></html>"
    )


_MM_PER_POINT = 25.4 / 72


def _print(receipt: Receipt, printer: QPrinter) -> None:
    """Lay the receipt out on the roll's printable width and print it on one page of its own length.

    Without an explicit page size QTextDocument adds 2 cm margins and page
    numbers, which leaves a 5 cm column on an 8 cm roll.
    """
    document = QTextDocument()
    document.setDocumentMargin(0)
    document.setHtml(receipt_html(receipt_text(receipt)))
    width_pt = (ROLL_WIDTH_MM - 2 * MARGIN_MM) / _MM_PER_POINT
    document.setTextWidth(width_pt)
    length_mm = max(ROLL_MIN_LENGTH_MM, document.size().height() * _MM_PER_POINT + 2 * MARGIN_MM + 1)
    printer.setPageSize(QPageSize(QSizeF(ROLL_WIDTH_MM, length_mm), QPageSize.Unit.Millimeter, "receipt"))
    printer.setPageMargins(QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM), QPageLayout.Unit.Millimeter)
    document.setPageSize(QSizeF(width_pt, (length_mm - 2 * MARGIN_MM) / _MM_PER_POINT))
    document.print_(printer)


def print_to_pdf(receipt: Receipt, path: Path) -> Path:
    """Write the receipt as a one-page PDF (a roll-sized page)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setDocName(f"receipt {receipt.order_number}")
    _print(receipt, printer)
    if not path.exists() or path.stat().st_size == 0:
        raise OSError(f"the PDF {path} was not written (is the folder writable?)")
    return path


def default_printer_name() -> str | None:
    """The OS default printer, or None when the machine has none."""
    info = QPrinterInfo.defaultPrinter()
    return None if info.isNull() else info.printerName()


def print_to_system_printer(receipt: Receipt, printer_name: str) -> str:
    """Send the receipt to a named OS printer; returns the printer's name."""
    info = QPrinterInfo.printerInfo(printer_name)
    if info.isNull():
        known = ", ".join(QPrinterInfo.availablePrinterNames()) or "none"
        raise OSError(f"printer {printer_name!r} is not installed; installed printers: {known}")
    printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
    printer.setDocName(f"receipt {receipt.order_number}")
    _print(receipt, printer)
    return printer_name
