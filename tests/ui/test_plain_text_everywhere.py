"""No label or tooltip of the app reads markup: text from the wire always shows literally.

A customer name ``<font size=7 color=red>KITCHEN CLOSED</font>`` or a cancel
reason ``<img src=/any/local/file>`` rendered as rich text on every kitchen
display.  QLabel's default format guesses rich text from a leading ``<``, so
the rule is simple and checked for every label of every screen and dialog:
plain text, always; and a tooltip that carries wire text is escaped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtGui import Qt as QtGui
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from kiosk.core.clock import FakeClock
from kiosk.core.config import Config
from kiosk.core.connection_status import ConnectionState, ConnectionStatus
from kiosk.core.session import Session
from kiosk.protocol import Payment, Severity
from kiosk.ui.cashier.refund_dialog import RefundDialog
from kiosk.ui.setup_dialog import SetupDialog
from kiosk.ui.tenant.cancel_dialog import CancelDialog
from kiosk.ui.window import MainWindow

MARKUP = "<b>KITCHEN CLOSED</b><img src=/etc/passwd>"


def rich_labels(root: QWidget) -> list[str]:
    """Every label under ``root`` that Qt may render as rich text."""
    return [
        f"{type(label.parent()).__name__}.{label.objectName() or '?'}: {label.text()[:40]!r}"
        for label in root.findChildren(QLabel)
        if label.textFormat() != QtGui.TextFormat.PlainText
    ]


@pytest.mark.parametrize("room", ["display", "kasir-1", "tenant-1"])
def test_every_label_of_every_screen_is_plain_text(qtbot: QtBot, tmp_path: Path, room: str) -> None:
    config = Config(room=room)
    clock = FakeClock(start=datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    window = MainWindow(Session(config, clock=clock, data_dir=tmp_path), config, clock)
    qtbot.addWidget(window)
    window.toasts.show_toast(MARKUP)
    window.banners.show_message(Severity.WARNING, MARKUP)
    assert rich_labels(window) == []


def test_every_label_of_the_dialogs_is_plain_text(qtbot: QtBot, tmp_path: Path) -> None:
    cancel = CancelDialog(MARKUP)
    qtbot.addWidget(cancel)
    assert MARKUP in cancel.prompt.text()
    setup = SetupDialog(Config(), tmp_path / "kiosk.toml")
    qtbot.addWidget(setup)
    refund = RefundDialog(
        Payment(id=7, order_id=3, order_number=MARKUP, amount=25_000, payment_method="qris", reference=MARKUP)
    )
    qtbot.addWidget(refund)
    refund.show_refusal(MARKUP)
    assert MARKUP in refund.details.text() or MARKUP in refund.prompt.text()
    assert rich_labels(cancel) == []
    assert rich_labels(setup) == []
    assert rich_labels(refund) == []


def test_a_server_refusal_in_the_badge_tooltip_shows_literally(qtbot: QtBot, tmp_path: Path) -> None:
    config = Config(room="display")
    clock = FakeClock(start=datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    window = MainWindow(Session(config, clock=clock, data_dir=tmp_path), config, clock)
    qtbot.addWidget(window)
    window.header.set_status(ConnectionStatus(ConnectionState.OFFLINE, detail=MARKUP))
    tooltip = window.header.badge.toolTip()
    assert "KITCHEN CLOSED" in tooltip
    assert "<b>" not in tooltip and "<img" not in tooltip  # escaped: &lt;b&gt; shows the brackets
