"""The contract between the main window and a room's screen, declared once.

The window (``kiosk/ui/window.py``) holds one screen per room kind and talks
to it only through what is declared here: two signals for its header, a few
questions it asks, the once-a-second tick it drives, and the part of the
state dump only the screen knows.  A base class rather than a
``typing.Protocol`` because Qt signals must be class attributes of a QObject
subclass; the defaults are what a screen that has nothing to say means, so a
screen overrides only what it has.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from kiosk.core.clock import Clock
from kiosk.core.config import Config
from kiosk.core.session import Session
from kiosk.protocol.models import EntityId


class Screen(QWidget):
    """A room's screen as the window sees it: ``Screen(session, config, clock, parent)``."""

    summaryChanged = Signal()  # noqa: N815 - Qt naming
    """The header's summary changed: the window asks ``summary_text()`` (or the open count) again."""

    announced = Signal(str, object, str)
    """Something the screen saw come due on its own clock (a scheduled order's release): the window
    shows the text as a toast (clicking it focuses the key) and plays the sound kind."""

    hiddenCountChanged = Signal(int)  # noqa: N815 - Qt naming
    """The header's "N order(s) hidden by filter" changed: the window passes the count to the header."""

    def __init__(self, session: Session, config: Config, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def summary_text(self) -> str | None:
        """The header's line instead of an open-order count (the cashier's takings); None: the count.

        The window asks at start, after each store batch, on ``summaryChanged`` and on a language change.
        """
        return None

    def open_count(self) -> int | None:
        """The open orders this screen shows, for the header; None: the window counts the store's active orders."""
        return None

    def header_hidden_count(self) -> int:
        """What the header's "hidden by filter" says at start (then ``hiddenCountChanged``).

        0 for a screen that says it itself (the stall's heading) or hides nothing.
        """
        return 0

    def focus_order(self, key: EntityId) -> bool:
        """A toast for this order or payment was clicked: show it; False (the window logs it) when gone."""
        return False

    def for_staff(self) -> bool:
        """Whether the window shows staff notices: a chime and a toast per new thing, alert banners.

        A customer board does not: it chimes itself when a number is called, a toast naming a
        customer is not for the hall, and "printer out of paper" is not for the customers.
        """
        return True

    def announces(self, entity: object) -> bool:
        """Whether a notice about ``entity`` is this screen's news: a station screen keeps quiet
        about an order it does not show (every line is another station's)."""
        return True

    def tick(self) -> None:
        """Once a second, from the window's one timer: age what ages (timers, lingering cancels)."""

    def state_extra(self) -> dict[str, Any]:
        """What only the screen knows, written under ``"screen"`` in the state dump at exit."""
        return {}


__all__ = ["Screen"]
