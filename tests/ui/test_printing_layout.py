"""How receipts are laid out: long values on the thermal roll, the PDF's lines, the shop header, markup.

ESC/POS rows are checked as the exact fixed-width lines; the PDF is read back
with pdftotext (its text, and with ``-bbox`` where each word starts).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest

from kiosk.protocol import OrderItem
from kiosk.ui.printing import Receipt, receipt_text
from kiosk.ui.printing.document import print_to_pdf
from kiosk.ui.printing.escpos_out import File, print_escpos, render_lines
from tests.ui.support_b import sample_order, sample_payment

LONG_NAME = "Raden Ayu Siti Nurhaliza Kusumawardhani Prameswari binti Haji Abdullah"  # 70 characters
LONG_NOTE = "tanpa bawang goreng, sambal dipisah, nasi setengah porsi saja dan es batunya sedikit ya"
LONG_REFERENCE = "QRIS-ID-20261126-0001234567-ABCDEFGHIJ"  # 38 characters, no space
ORDER_NUMBER = "T1-2026-11-26-000123"


def squash(text: str) -> str:
    return "".join(text.split())


def receipt_with(**order_changes: object) -> Receipt:
    reference = str(order_changes.pop("reference", "TRX-0007"))
    order = sample_order(**order_changes)
    return Receipt.from_payment(sample_payment(order=order, reference=reference))


def pdf_words(path: Path) -> list[tuple[float, float, str]]:
    """(x, y, word) of every word on the page, from ``pdftotext -bbox``."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True)
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>'
    return [(float(x), float(y), unescape(word)) for x, y, word in re.findall(pattern, done.stdout)]


def pdf_lines(path: Path) -> list[tuple[float, str]]:
    """The page's lines, top to bottom: (x of the first word, the line's text)."""
    rows: dict[float, list[tuple[float, str]]] = {}
    for x, y, word in pdf_words(path):
        rows.setdefault(round(y, 1), []).append((x, word))
    return [
        (min(x for x, _ in words), " ".join(word for _, word in sorted(words)))
        for _, words in sorted(rows.items())
    ]


# -- ESC/POS ------------------------------------------------------------------------


@pytest.mark.parametrize("columns", [42, 32])
def test_escpos_values_of_40_characters_and_more_print_whole_within_the_width(qapp, columns: int) -> None:
    receipt = receipt_with(
        customer_name=LONG_NAME,
        reference=LONG_REFERENCE,
        items=(
            OrderItem(name="maximum recursion depth exceeded", qty=12, price=1_250_000, notes=LONG_NOTE),
            OrderItem(name="Es Teh " + "Manis" * 10, qty=1, price=8_000),  # one word longer than a line
        ),
    )
    text = receipt_text(receipt)
    lines = render_lines(text, columns)
    assert all(len(line) <= columns and "\n" not in line for line in lines)
    printed = squash("".join(lines))
    for left, right in (*text.header, *text.items, *text.totals):
        assert squash(left + right) in printed, (left, right)  # every character, in order


def test_escpos_item_wraps_at_words_with_the_amount_right_aligned_on_its_last_line(qapp) -> None:
    receipt = receipt_with(
        items=(OrderItem(name="Ayam Bakar Madu Spesial dengan Nasi Uduk Komplit", qty=1, price=45_000),)
    )
    lines = render_lines(receipt_text(receipt), columns=32)
    start = lines.index("1 x Ayam Bakar Madu")
    assert lines[start : start + 3] == [
        "1 x Ayam Bakar Madu",
        "  Spesial dengan Nasi",
        "  Uduk Komplit         Rp 45.000",
    ]


def test_escpos_long_value_goes_under_its_label_right_aligned(qapp) -> None:
    lines = render_lines(receipt_text(receipt_with(customer_name=LONG_NAME)), columns=42)
    start = lines.index("Customer")
    assert lines[start + 1 : start + 3] == [
        "   Raden Ayu Siti Nurhaliza Kusumawardhani",
        "            Prameswari binti Haji Abdullah",
    ]
    assert lines[start + 3].startswith("Counter")


def test_escpos_hard_breaks_a_word_longer_than_the_line(qapp) -> None:
    word = "Supercalifragilisticexpialidocious" * 2  # 68 characters
    lines = render_lines(receipt_text(receipt_with(items=(OrderItem(name=word, qty=1, price=8_000),))), 32)
    start = next(i for i, line in enumerate(lines) if line.startswith("1 x Super"))
    block = lines[start : start + 4]
    assert all(len(line) <= 32 for line in block)
    assert block[-1].endswith("Rp 8.000")
    assert squash("".join(block)) == squash(f"1 x {word}Rp 8.000")


def test_escpos_notes_wrap_under_their_item_and_are_not_cut(qapp) -> None:
    receipt = receipt_with(items=(OrderItem(name="Nasi Goreng", qty=1, price=25_000, notes=LONG_NOTE),))
    lines = render_lines(receipt_text(receipt), columns=32)
    start = next(i for i, line in enumerate(lines) if line.startswith("   tanpa"))
    end = lines.index("-" * 32, start)
    note = lines[start:end]
    assert len(note) > 1 and all(line.startswith("   ") and len(line) <= 32 for line in note)
    assert squash("".join(note)) == squash(LONG_NOTE)


def test_escpos_control_characters_from_the_wire_are_not_sent_as_commands(qapp, tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    print_escpos(receipt_with(customer_name="Budi\x1dV\x00\x1b@"), File(devfile=str(device)))
    data = device.read_bytes()
    assert data.count(b"\x1dV\x00") == 1 and data.endswith(b"\x1dV\x00")  # only the real cut
    assert b"Budi" in data


def test_escpos_prints_the_shop_name_and_address_above_the_title(qapp, tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    receipt = receipt_with().with_shop("Food Court Maju Jaya", "Jl. Sudirman No. 1\nJakarta Pusat")
    print_escpos(receipt, File(devfile=str(device)))
    data = device.read_bytes()
    name, street, city, title = (
        data.index(b"Food Court Maju Jaya"),
        data.index(b"Jl. Sudirman No. 1"),
        data.index(b"Jakarta Pusat"),
        data.index(b"RECEIPT"),
    )
    assert name < street < city < title


def test_without_a_shop_the_receipt_starts_with_its_title(qapp) -> None:
    text = receipt_text(receipt_with())
    assert text.shop_name == "" and text.shop_address == ()
    assert text.plain().startswith("RECEIPT")


# -- PDF ----------------------------------------------------------------------------


def test_pdf_keeps_the_order_number_and_reference_on_one_line(qapp, tmp_path: Path) -> None:
    order = sample_order(number=ORDER_NUMBER, customer_name=LONG_NAME)
    payment = sample_payment(order=order, order_number=ORDER_NUMBER, reference=LONG_REFERENCE)
    path = print_to_pdf(Receipt.from_payment(payment), tmp_path / "r.pdf")
    lines = [text for _, text in pdf_lines(path)]
    assert any(ORDER_NUMBER in line for line in lines), lines
    assert any(LONG_REFERENCE in line for line in lines), lines
    assert squash(LONG_NAME) in squash(" ".join(lines))  # a long name wraps, but is all there


def test_pdf_wrapped_lines_of_an_item_and_its_note_keep_their_indent(qapp, tmp_path: Path) -> None:
    item = OrderItem(
        name="Ayam Bakar Madu Spesial dengan Nasi Uduk Komplit dan Sambal Matah",
        qty=1,
        price=45_000,
        notes=LONG_NOTE,
    )
    path = print_to_pdf(receipt_with(items=(item,)), tmp_path / "r.pdf")
    lines = pdf_lines(path)
    first = next(i for i, (_, text) in enumerate(lines) if text.startswith("1 x Ayam"))
    left_edge = lines[first][0]
    last_of_item = next(i for i, (_, text) in enumerate(lines) if "Matah" in text)
    note_end = next(i for i, (_, text) in enumerate(lines) if "sedikit" in text)
    assert last_of_item > first and note_end > last_of_item + 1  # both wrapped
    for x, text in lines[first + 1 : note_end + 1]:
        assert x > left_edge + 4, (text, x, left_edge)  # no wrapped line goes back to the edge
    note_start = last_of_item + 1
    assert lines[note_start][1].startswith("tanpa")
    assert all(x >= lines[note_start][0] for x, _ in lines[note_start : note_end + 1])


def test_pdf_has_the_shop_name_and_address_at_the_top(qapp, tmp_path: Path) -> None:
    receipt = receipt_with().with_shop("Food Court Maju Jaya", "Jl. Sudirman No. 1\nJakarta Pusat")
    lines = [text for _, text in pdf_lines(print_to_pdf(receipt, tmp_path / "r.pdf"))]
    assert lines[:4] == ["Food Court Maju Jaya", "Jl. Sudirman No. 1", "Jakarta Pusat", "RECEIPT"]


def test_pdf_prints_markup_from_the_wire_literally(qapp, tmp_path: Path) -> None:
    item = OrderItem(name="<i>Es</i> Teh &amp; Roti", qty=1, price=8_000, notes="<br/>pedas")
    receipt = receipt_with(customer_name="<b>X</b>", items=(item,)).with_shop("<h1>Warung</h1>", "")
    lines = [text for _, text in pdf_lines(print_to_pdf(receipt, tmp_path / "r.pdf"))]
    assert lines[0] == "<h1>Warung</h1>"
    assert "Customer <b>X</b>" in lines
    assert "<br/>pedas" in lines
    item_lines = " ".join(lines[6:8])  # the amount is on the item's last line
    assert squash(item_lines) == squash("1 x <i>Es</i> Teh &amp; Roti Rp 8.000")
