"""Receipts on ESC/POS thermal printers through python-escpos.

The device comes from ``config.printer``: ``file:/dev/usb/lp0`` (or any file,
which is how the tests read the bytes), ``network:192.168.1.50[:9100]`` or
``usb:04b8:0202``.  Layout is fixed-width text, 42 columns (Font A on an
80 mm roll; pass ``columns=32`` for 58 mm), built from the same rows as the
screen and the PDF.

No value is cut or refused for its length: a label or item wraps at word
boundaries (a word longer than the line is broken), an amount stays
right-aligned on the last line of its item, and a value too long to share a
line with its label goes right-aligned on the lines below it.  Control
characters from the wire are printed as spaces, never sent as commands.  The
shop's name and address, when set, come first, centred.
"""

from __future__ import annotations

import logging
import textwrap
import unicodedata
from typing import Any

from escpos.printer import File, Network, Usb

from kiosk.ui.printing.receipt import Receipt, ReceiptText, receipt_text

log = logging.getLogger("kiosk.print")

COLUMNS = 42
CONTINUATION = "  "  # the wrapped lines of a row start this much further in
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


def printable(text: str) -> str:
    """Text from the wire made safe for the printer: control characters (ESC, GS, ...) become spaces.

    A name or note is printed as text, never as a printer command (an ESC or GS
    byte in a customer name could otherwise cut the paper or change the code page).
    Line breaks are kept; tabs and other controls are spaces.
    """
    return "".join(c if c == "\n" or unicodedata.category(c) != "Cc" else " " for c in text)


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    """``text`` in lines of at most ``width``: broken at spaces, a word longer than a line is cut.

    Leading spaces are kept on the first line; the following lines get that
    indent plus ``indent``, so a wrapped note stays under its item.  Nothing
    is dropped: an empty text is one empty line.
    """
    width = max(1, width)
    lines: list[str] = []
    for paragraph in printable(text).split("\n"):
        body = paragraph.lstrip(" ")
        lead = paragraph[: len(paragraph) - len(body)]
        first, rest = lead[: width - 1], (lead + indent)[: max(0, width // 2)]
        lines += textwrap.wrap(
            body,
            width,
            initial_indent=first,
            subsequent_indent=rest,
            break_long_words=True,
            break_on_hyphens=False,
        ) or [first]
    return lines


def _two_columns(left: str, right: str, columns: int) -> list[str]:
    """One label/value (or item/amount) row in ``columns`` wide lines.

    The value sits right-aligned on the last line.  A short value (an amount)
    keeps its own column and the label wraps beside it; a value too long for
    that (a long name or reference) goes on the lines below the label, wrapped
    and right-aligned.
    """
    right = " ".join(printable(right).split())
    if not right:
        return wrap(left, columns, indent=CONTINUATION)
    if len(right) <= columns // 2:
        lines = wrap(left, columns - len(right) - 1, indent=CONTINUATION)
        lines[-1] = lines[-1].ljust(columns - len(right)) + right
        return lines
    lines = wrap(left, columns, indent=CONTINUATION)
    values = wrap(right, columns)
    if len(lines[-1]) + 1 + len(values[0]) <= columns and len(values) == 1:
        return [*lines[:-1], lines[-1].ljust(columns - len(values[0])) + values[0]]
    return lines + [value.rjust(columns) for value in values]


def render_lines(text: ReceiptText, columns: int = COLUMNS) -> list[str]:
    """The body rows as fixed-width lines, none longer than ``columns`` (title and footer are apart)."""
    rule = "-" * columns
    lines = [line for label, value in text.header for line in _two_columns(label, value, columns)]
    lines.append(rule)
    lines += [line for left, right in text.items for line in _two_columns(left, right, columns)]
    lines.append(rule)
    lines += [line for label, value in text.totals for line in _two_columns(label, value, columns)]
    return lines


def render_shop(text: ReceiptText, columns: int = COLUMNS) -> tuple[list[str], list[str]]:
    """The shop's name and address lines for the top of the receipt, wrapped to ``columns``."""
    name = wrap(text.shop_name, columns) if text.shop_name.strip() else []
    address = [line for part in text.shop_address for line in wrap(part.strip(), columns)]
    return name, address


def print_escpos(receipt: Receipt, printer: Any, columns: int = COLUMNS) -> None:
    """Write one receipt and cut; closes the device so the next job reopens it."""
    text = receipt_text(receipt)
    name, address = render_shop(text, columns)
    try:
        if name:  # double height only: a line still holds ``columns`` characters
            printer.set(align="center", bold=True, double_height=True)
            printer.text("\n".join(name) + "\n")
        if address:
            printer.set(align="center", bold=False, normal_textsize=True)
            printer.text("\n".join(address) + "\n")
        printer.set(align="center", bold=True, double_height=True, double_width=True)
        printer.text("\n".join(wrap(text.title, columns // 2)) + "\n")
        printer.set(normal_textsize=True, align="left", bold=False)
        printer.text("\n".join(render_lines(text, columns)) + "\n")
        printer.set(align="center")
        printer.text("\n".join(wrap(text.footer, columns)) + "\n")
        printer.cut()
    finally:
        printer.close()
    log.info("printed %s %s on ESC/POS", receipt.kind.value, receipt.order_number)
