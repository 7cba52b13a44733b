"""Receipts and refund slips: one text model, printed through Qt (system printer / PDF) or ESC/POS."""

from kiosk.ui.printing.receipt import Receipt, ReceiptKind, ReceiptLine, ReceiptText, receipt_text
from kiosk.ui.printing.service import PrintJob, PrintService

__all__ = [
    "PrintJob",
    "PrintService",
    "Receipt",
    "ReceiptKind",
    "ReceiptLine",
    "ReceiptText",
    "receipt_text",
]
