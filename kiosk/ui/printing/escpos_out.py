"""Receipts on ESC/POS thermal printers through python-escpos.

The device comes from ``config.printer``: ``file:/dev/usb/lp0`` (or any file,
which is how the tests read the bytes), ``network:192.168.1.50[:9100]`` or
``usb:04b8:0202``.  Layout is fixed-width text, 42 columns (Font A on an
80 mm roll; pass ``columns=32`` for 58 mm), built from the same rows as the
screen and the PDF.
"""

from __future__ import annotations

import logging
from typing import Any

from escpos.printer import File, Network, Usb

from kiosk.ui.printing.receipt import Receipt, ReceiptText, receipt_text

log = logging.getLogger("kiosk.print")

COLUMNS = 42
DEFAULT_NETWORK_PORT = 9100
PRINTER_FORMS = '"file:/path", "network:host[:port]" or "usb:VID:PID" (hex ids)'


class PrinterSpecError(ValueError):
    pass


def open_printer(spec: str, *, timeout_s: float = 10.0) -> Any:
    """An escpos printer object for a ``config.printer`` value (opened lazily by escpos)."""
    kind, _, rest = spec.partition(":")
    if kind == "file" and rest:
        return File(devfile=rest)
    if kind == "network" and rest:
        host, _, port = rest.partition(":")
        if port and not port.isdigit():
            raise PrinterSpecError(f"printer {spec!r}: port {port!r} is not a number; use {PRINTER_FORMS}")
        return Network(host=host, port=int(port or DEFAULT_NETWORK_PORT), timeout=timeout_s)
    if kind == "usb" and rest.count(":") == 1:
        vendor, product = rest.split(":")
        try:
            ids = int(vendor, 16), int(product, 16)
        except ValueError:
            raise PrinterSpecError(f"printer {spec!r}: USB ids must be hex; use {PRINTER_FORMS}") from None
        if not Usb.is_usable():
            raise PrinterSpecError(
                "USB printers need pyusb (pip install 'python-escpos[usb]'); or use a network or file printer"
            )
        return Usb(idVendor=ids[0], idProduct=ids[1], timeout=int(timeout_s * 1000))
    raise PrinterSpecError(f"printer {spec!r} is not understood; use {PRINTER_FORMS}")


def _two_columns(left: str, right: str, columns: int) -> str:
    if not right:
        return left[:columns]
    room = columns - len(right) - 1
    if len(left) > room:  # long item names wrap; the amount stays on the last line, right-aligned
        head, tail = left[:columns], left[columns:]
        return head + "\n" + _two_columns("  " + tail, right, columns)
    return left + " " * (columns - len(left) - len(right)) + right


def render_lines(text: ReceiptText, columns: int = COLUMNS) -> list[str]:
    """The body rows as fixed-width lines (title and footer are printed centred apart)."""
    rule = "-" * columns
    lines = [_two_columns(label, value, columns) for label, value in text.header]
    lines.append(rule)
    lines += [_two_columns(left, right, columns) for left, right in text.items]
    lines.append(rule)
    lines += [_two_columns(label, value, columns) for label, value in text.totals]
    return lines


def print_escpos(receipt: Receipt, printer: Any, columns: int = COLUMNS) -> None:
    """Write one receipt and cut; closes the device so the next job reopens it."""
    text = receipt_text(receipt)
    try:
        printer.set(align="center", bold=True, double_height=True, double_width=True)
        printer.text(text.title + "\n")
        printer.set(normal_textsize=True, align="left", bold=False)
        printer.text("\n".join(render_lines(text, columns)) + "\n")
        printer.set(align="center")
        printer.text(text.footer + "\n")
        printer.cut()
    finally:
        printer.close()
    log.info("printed %s %s on ESC/POS", receipt.kind.value, receipt.order_number)
