"""The cashier's totals read whole at 1024x768 and 1366x768, in English and Indonesian.

Field report: at 1024x768 in Indonesian the totals panel was cramped and cut
("Dompet digital" and "Pengembalian dana (1)" lost their second line, the net
label wrapped into three lines of heading type).  Here the real window, themed
as in the app, shows a shift with every payment method, a refund and large
amounts from the real server, and every label of the panel is checked against
the room its text needs; the receipt beside it must still scroll.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from kiosk.core.clock import SystemClock
from kiosk.core.connection_status import ConnectionState, ConnectionStatus
from kiosk.core.session import Session
from kiosk.protocol import PaymentMethod
from kiosk.ui import theme
from kiosk.ui.cashier.screen import CashierScreen
from kiosk.ui.i18n import install_translator
from kiosk.ui.widgets.header import SUMMARY_SEPARATOR
from kiosk.ui.window import MainWindow
from tests.support.flows import pay
from tests.support.server_process import ServerProcess
from tests.ui.conftest import make_config

WAIT_MS = 10_000
SIZES = ((1024, 768), (1366, 768))
LANGUAGES = ("en", "id")


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[QApplication]:
    """The app's font and style sheet, as on a kiosk (the sizes at stake depend on them)."""
    font, sheet = qapp.font(), qapp.styleSheet()
    theme.apply_theme(qapp)
    yield qapp
    install_translator(qapp, "en")
    qapp.setStyleSheet(sheet)
    qapp.setFont(font)


def busy_shift(server: ServerProcess) -> dict[str, Any]:
    """A payment for every method (millions of rupiah), one refunded, and a 40-item receipt last."""
    for n, method in enumerate(PaymentMethod):
        order = server.create_order(1, items=[{"name": f"Tumpeng {n}", "qty": 3, "price": 4_150_000 + n}])
        payment = pay(server, order, counter_id=1, method=method.value)
        if method is PaymentMethod.QRIS:
            refunded = server.request(
                "POST", f"/api/payments/{payment['id']}/refund", json={"reason": "salah pesan"}
            )
            assert refunded.status_code == 200, refunded.text
    items = [{"name": f"Nasi Campur Bali Komplit #{n}", "qty": 1, "price": 27_500} for n in range(40)]
    long_order = server.create_order(1, items=items)
    pay(server, long_order, counter_id=1, amount_paid=long_order["total_amount"] + 77_500)
    return long_order


def global_rect(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def clipped_by_an_ancestor(widget: QWidget) -> str:
    """The first ancestor that does not contain the widget whole ("" when none cuts it)."""
    window = widget.window()
    rect = global_rect(widget, window)
    ancestor = widget.parentWidget()
    while ancestor is not None:
        if not global_rect(ancestor, window).contains(rect):
            return ancestor.objectName() or type(ancestor).__name__
        ancestor = ancestor.parentWidget()
    return ""


def scrolled(widget: QWidget) -> bool:
    """Inside a scroll area's content: it may lie past the viewport (the area itself may not)."""
    ancestor = widget.parentWidget()
    while ancestor is not None:
        if isinstance(ancestor.parentWidget(), QAbstractScrollArea):
            return True
        ancestor = ancestor.parentWidget()
    return False


def label_problem(label: QLabel) -> str:
    """Why the label's text is not shown whole in its geometry ("" when it is)."""
    room = label.contentsRect()
    metrics = label.fontMetrics()
    text = label.text()
    if label.wordWrap():  # Qt's own measure of the height; a word wider than the label is cut
        flags = int(Qt.TextFlag.TextWordWrap.value) | int(label.alignment().value)
        need = metrics.boundingRect(QRect(0, 0, room.width(), 100_000), flags, text)
        wanted = label.heightForWidth(label.width())
        if need.width() > room.width():
            return f"a word needs {need.width()} px, the label has {room.width()}"
        if label.height() < wanted:
            return f"wrapped text needs {wanted} px of height, has {label.height()}"
        return ""
    hint = label.sizeHint()
    if metrics.horizontalAdvance(text) > room.width() or metrics.height() > room.height():
        return f"text needs {metrics.horizontalAdvance(text)}x{metrics.height()}, has {room.width()}x{room.height()}"
    if label.width() < hint.width() or label.height() < hint.height():
        return f"size {label.width()}x{label.height()} < sizeHint {hint.width()}x{hint.height()}"
    return ""


def assert_columns_fit(screen: CashierScreen) -> None:
    table = screen.table
    columns = screen.model.COLUMNS
    shown = [c for c in range(len(columns)) if not table.isColumnHidden(c)]
    assert {columns.index("amount"), columns.index("status"), columns.index("order")} <= set(shown)
    for column in (columns.index("amount"), columns.index("status")):
        assert table.columnWidth(column) >= table.sizeHintForColumn(column), columns[column]
    assert sum(table.columnWidth(c) for c in shown) <= table.viewport().width()
    assert not table.horizontalScrollBar().isVisible()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_totals_label_shows_its_whole_text_and_the_receipt_scrolls(
    *,
    themed: QApplication,
    server: ServerProcess,
    make_session: Callable[..., Session],
    tmp_path: Path,
    qtbot: QtBot,
    size: tuple[int, int],
    lang: str,
) -> None:
    width, height = size
    long_order = busy_shift(server)
    install_translator(themed, lang)
    config = make_config(server, "kasir-1", tmp_path, printer=f"file:{tmp_path / 'lp0'}", language=lang)
    session = make_session(config)
    window = MainWindow(session, config, SystemClock())
    qtbot.addWidget(window)
    screen = window.screen_widget
    assert isinstance(screen, CashierScreen)
    window.resize(width, height)
    window.show()
    qtbot.waitUntil(lambda: session.status.state is ConnectionState.LIVE, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: screen.model.totals.refund_count == 1 and len(screen.model.totals.by_method) == 5)
    qtbot.waitUntil(lambda: screen.model.rowCount() == len(PaymentMethod) + 1)
    assert screen.focus_order(long_order["id"])  # the cashier taps the long receipt in the list
    receipt = screen.receipt_view.receipt
    assert receipt is not None and receipt.order_number == long_order["order_number"]
    QApplication.processEvents()  # the last layout pass after the totals changed
    hint = window.minimumSizeHint()
    assert (window.width(), window.height()) == (width, height), (
        f"the window grew to {window.width()}x{window.height()} (minimum size hint {hint.width()}x{hint.height()})"
    )

    panel = screen.totals
    labels = [label for label in panel.findChildren(QLabel) if label.isVisible()]
    assert len(labels) == 1 + 2 * (5 + 2)  # heading, 5 methods, refunds, net: a label and an amount each
    problems = [f"{label.text()!r}: {why}" for label in labels if (why := label_problem(label))]
    problems += [
        f"{label.text()!r} cut off by {cut}" for label in labels if (cut := clipped_by_an_ancestor(label))
    ]
    outside = [
        f"{type(w).__name__} {w.objectName()!r} at {global_rect(w, window)}"
        for w in window.findChildren(QWidget)
        if w.isVisible() and not scrolled(w) and not window.rect().contains(global_rect(w, window))
    ]
    assert not problems, f"{width}x{height} {lang}:\n" + "\n".join(problems)
    assert not outside, f"{width}x{height} {lang}: outside the window:\n" + "\n".join(outside)

    view = screen.receipt_view
    scroll_bar = view.rows_scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: scroll_bar.maximum() > 0)  # 40 rows: the receipt scrolls
    for control in (view.print_button, view.pdf_button, view.refund_button, view.change_amount, panel):
        assert control.isVisible() and clipped_by_an_ancestor(control) == "", control.objectName()
    assert view.refund_button.isEnabled()  # the long receipt is a paid payment

    # The payments list: amount and status always whole and in view, no sideways scrolling,
    # also for a larger payment that arrives while the screen is open.
    qtbot.waitUntil(lambda: not screen.fit_columns.pending())
    assert_columns_fit(screen)
    late = server.create_order(1, items=[{"name": "Tumpeng Raksasa", "qty": 9, "price": 99_000_000}])
    pay(server, late, counter_id=1, method="cash", amount_paid=late["total_amount"])
    qtbot.waitUntil(lambda: screen.model.rowCount() == len(PaymentMethod) + 2, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not screen.fit_columns.pending())
    assert_columns_fit(screen)

    # The header's summary stays whole even when the badge has a long reason to show.
    window.header.set_status(
        ConnectionStatus(
            ConnectionState.OFFLINE,
            offline_since=datetime(2026, 12, 1, 7, 24, tzinfo=UTC),
            detail="Cannot reach http://192.168.100.200:5000: connection refused (is the server running?)",
        )
    )
    QApplication.processEvents()
    summary = window.header.count_label
    net = summary.text().split(SUMMARY_SEPARATOR)[0]
    assert net.endswith(" 941.900.027"), net
    assert summary.shown_text().startswith(net), f"{summary.shown_text()!r} at {summary.width()} px"
    assert window.header.badge.is_elided()  # the badge gave way, with its whole text in the tooltip
