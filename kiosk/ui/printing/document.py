"""Receipts through Qt's print system: a system printer, or a PDF file.

The receipt is laid out in a QTextDocument on a page as wide as an 80 mm
receipt roll, so the same layout works on a thermal printer driven by the OS
(CUPS, Windows spooler) and in a PDF a manager can e-mail.  Safe to call from
a worker thread: the document and printer are created in it.

The document is built with a QTextCursor, never from HTML: every name, note
and reference from the wire goes in with ``insertText``, so ``<b>X</b>`` is
printed as those seven characters.  Each row is a small table: the amount
keeps a column of its own and the item wraps beside it, its wrapped lines
indented under the first; notes keep their indent on every line; a value too
wide to share a row with its label (a long reference or name) gets the line
below, and an order number or reference is never broken across lines while
it fits the roll (a longer one is set smaller until it does).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF, Qt
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QPageLayout,
    QPageSize,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextLength,
    QTextOption,
    QTextTable,
    QTextTableCell,
    QTextTableFormat,
)
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from kiosk.ui.printing.receipt import Receipt, ReceiptText, receipt_text

ROLL_WIDTH_MM = 80.0
ROLL_MIN_LENGTH_MM = 60.0
MARGIN_MM = 4.0

FONT_FAMILY = "DejaVu Sans"
BODY_PT = 9.0
TITLE_PT = 13.0
SHOP_PT = 11.0
ADDRESS_PT = 8.0
SMALLEST_PT = 5.0  # an order number or reference is shrunk at most this far to stay on one line
PADDING = 1.0  # cell padding, in layout units (points)
GAP = 6.0  # least room between a label and its value
HANG = 10.0  # how much further in the wrapped lines of a row start
INDENT_PER_SPACE = 6.0  # a note ("   extra egg") sits under its item

_MM_PER_POINT = 25.4 / 72
_ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft
_ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight
_ALIGN_CENTER = Qt.AlignmentFlag.AlignHCenter


def _font(point_size: float, bold: bool = False) -> QFont:
    font = QFont(FONT_FAMILY)
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


def _char(font: QFont) -> QTextCharFormat:
    char = QTextCharFormat()
    char.setFont(font)
    return char


def _text_width(text: str, font: QFont) -> float:
    metrics = QFontMetricsF(font)
    return max(metrics.horizontalAdvance(line) for line in text.split("\n"))


def _block(align: Qt.AlignmentFlag, *, indent: float = 0.0, hang: float = 0.0) -> QTextBlockFormat:
    """A paragraph format; ``hang`` > 0 starts the wrapped lines that much further in than the first."""
    block = QTextBlockFormat()
    block.setAlignment(align)
    block.setLeftMargin(indent + hang)
    block.setTextIndent(-hang)
    return block


class _ReceiptLayout:
    """Appends paragraphs and label/value rows to a document ``width`` units wide."""

    def __init__(self, width: float) -> None:
        self.width = width
        self.document = QTextDocument()
        self.document.setDocumentMargin(0)
        self.document.setDefaultFont(_font(BODY_PT))
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.document.setDefaultTextOption(option)
        self.document.setTextWidth(width)
        self.cursor = QTextCursor(self.document)
        self._fresh = True  # the cursor's block is empty and unused

    def paragraph(self, text: str, font: QFont, block: QTextBlockFormat) -> None:
        if self._fresh:
            self.cursor.setBlockFormat(block)
        else:
            self.cursor.insertBlock(block)
        self.cursor.insertText(text, _char(font))
        self._fresh = False

    def rule(self) -> None:
        """A line across the roll (in a block of its own: on the block right after a table Qt leaves a speck)."""
        block = QTextBlockFormat()
        block.setProperty(
            QTextFormat.Property.BlockTrailingHorizontalRulerWidth,
            QTextLength(QTextLength.Type.PercentageLength, 100),
        )
        self.cursor.insertBlock(block)
        self._fresh = False

    def rows(self, pairs: tuple[tuple[str, str], ...], bold: bool = False) -> None:
        for left, right in pairs:
            self.row(left, right, bold)

    def row(self, left: str, right: str, bold: bool = False) -> None:
        """One label/value row (or item/amount, or a note with no value)."""
        font = _font(BODY_PT, bold)
        body = left.lstrip(" ")
        indent = (len(left) - len(body)) * INDENT_PER_SPACE
        label = _block(_ALIGN_LEFT, indent=indent, hang=HANG)
        if not right:
            self._cell(self._table(1, [self.width]).cellAt(0, 0), body, font, label)
            return
        room = self.width - 4 * PADDING
        value_width = _text_width(right, font)
        if value_width <= room / 2 or _text_width(body, font) + GAP + value_width <= room:
            value_column = value_width + 2 * PADDING + 1
            table = self._table(1, [self.width - value_column, value_column])
            self._cell(table.cellAt(0, 0), body, font, label)
            self._cell(
                table.cellAt(0, 1), right, font, self._unbroken(_block(_ALIGN_RIGHT), right, font, room)
            )
            return
        table = self._table(2, [self.width])  # the value on the line below, right-aligned
        self._cell(table.cellAt(0, 0), body, font, label)
        value_font = _fitted(right, font, room + 2 * PADDING)
        value_block = self._unbroken(_block(_ALIGN_RIGHT), right, value_font, room + 2 * PADDING)
        self._cell(table.cellAt(1, 0), right, value_font, value_block)

    @staticmethod
    def _unbroken(block: QTextBlockFormat, text: str, font: QFont, room: float) -> QTextBlockFormat:
        """Keep ``text`` on one line whenever it fits ``room`` (an amount, an order number, a reference)."""
        block.setNonBreakableLines(_text_width(text, font) <= room)
        return block

    def _table(self, rows: int, widths: list[float]) -> QTextTable:
        table_format = QTextTableFormat()
        table_format.setBorder(0)
        table_format.setCellSpacing(0)
        table_format.setCellPadding(PADDING)
        table_format.setWidth(QTextLength(QTextLength.Type.FixedLength, self.width))
        table_format.setColumnWidthConstraints(
            [QTextLength(QTextLength.Type.FixedLength, width) for width in widths]
        )
        if not self._fresh:
            self.cursor.insertBlock(QTextBlockFormat())
        table = self.cursor.insertTable(rows, len(widths), table_format)
        self.cursor.movePosition(QTextCursor.MoveOperation.End)
        self._fresh = True
        return table

    @staticmethod
    def _cell(cell: QTextTableCell, text: str, font: QFont, block: QTextBlockFormat) -> None:
        """Fill a cell; its text sits at the bottom, so an amount is on the last line of its item."""
        cell_format = cell.format()
        cell_format.setVerticalAlignment(QTextCharFormat.VerticalAlignment.AlignBottom)
        cell.setFormat(cell_format)
        cursor = cell.firstCursorPosition()
        cursor.setBlockFormat(block)
        cursor.insertText(text, _char(font))


def _fitted(text: str, font: QFont, room: float) -> QFont:
    """``font``, made smaller (down to SMALLEST_PT) so a single word such as a reference fits ``room``."""
    width = _text_width(text, font)
    if width <= room or any(c.isspace() for c in text):
        return font
    smaller = QFont(font)
    smaller.setPointSizeF(max(SMALLEST_PT, font.pointSizeF() * room / width * 0.98))
    return smaller


def receipt_document(text: ReceiptText, width: float) -> QTextDocument:
    """The receipt laid out ``width`` points wide: shop, title, header, items, totals, footer."""
    layout = _ReceiptLayout(width)
    if text.shop_name:
        layout.paragraph(text.shop_name, _font(SHOP_PT, bold=True), _block(_ALIGN_CENTER))
    for line in text.shop_address:
        layout.paragraph(line, _font(ADDRESS_PT), _block(_ALIGN_CENTER))
    title = _block(_ALIGN_CENTER)
    if text.shop_name or text.shop_address:
        title.setTopMargin(4)
    title.setBottomMargin(4)
    layout.paragraph(text.title, _font(TITLE_PT, bold=True), title)
    layout.rows(text.header)
    layout.rule()
    layout.rows(text.items)
    layout.rule()
    layout.rows(text.totals, bold=True)
    footer = _block(_ALIGN_CENTER)
    footer.setTopMargin(6)
    layout.paragraph(text.footer, _font(BODY_PT), footer)
    return layout.document


def _print(receipt: Receipt, printer: QPrinter) -> None:
    """Lay the receipt out on the roll's printable width and print it on one page of its own length.

    Without an explicit page size QTextDocument adds 2 cm margins and page
    numbers, which leaves a 5 cm column on an 8 cm roll.
    """
    width_pt = (ROLL_WIDTH_MM - 2 * MARGIN_MM) / _MM_PER_POINT
    document = receipt_document(receipt_text(receipt), width_pt)
    length_mm = max(ROLL_MIN_LENGTH_MM, document.size().height() * _MM_PER_POINT + 2 * MARGIN_MM + 1)
    printer.setPageSize(QPageSize(QSizeF(ROLL_WIDTH_MM, length_mm), QPageSize.Unit.Millimeter, "receipt"))
    printer.setPageMargins(QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM), QPageLayout.Unit.Millimeter)
    document.setPageSize(QSizeF(width_pt, (length_mm - 2 * MARGIN_MM) / _MM_PER_POINT))
    document.print_(printer)


def print_to_pdf(receipt: Receipt, path: Path) -> Path:
    """Write the receipt as a one-page PDF (a roll-sized page); returns its absolute path."""
    path = path.absolute()
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
