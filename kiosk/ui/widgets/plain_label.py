"""A QLabel that never reads markup.

QLabel's default ``Qt.AutoText`` renders a text that looks like HTML as rich
text, so a customer name or cancel reason from the wire such as
``<img src=/any/file>`` became markup on every kitchen display.  Every label
in the app is a ``PlainLabel`` (tests/ui/test_plain_text_everywhere.py walks
each screen and dialog to keep it so).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


class PlainLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        if text:
            self.setText(text)
