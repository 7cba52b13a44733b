"""A QLabel that never reads markup, and the one way to restyle a widget by its ``role``.

QLabel's default ``Qt.AutoText`` renders a text that looks like HTML as rich
text, so a customer name or cancel reason from the wire such as
``<img src=/any/file>`` became markup on every kitchen display.  Every label
in the app is a ``PlainLabel`` (tests/ui/test_plain_text_everywhere.py walks
each screen and dialog to keep it so).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


def set_role(widget: QWidget, role: str) -> None:
    """Set the style sheet ``role`` (error, muted, heading...) and repaint with it.

    Qt applies a property selector only when the widget is polished again; a
    ``setProperty`` alone leaves the old colour on screen.
    """
    if widget.property("role") == role:
        return
    widget.setProperty("role", role)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class PlainLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        if text:
            self.setText(text)

    def show_status(self, text: str, *, error: bool) -> None:
        """A dialog's or screen's status line: red for a refusal, muted otherwise."""
        self.setText(text)
        set_role(self, "error" if error else "muted")
