"""The board's colours: one fill per tenant, and a text colour on it that is checked for contrast.

Customers look for their stall's colour first and their number second, so a
tenant keeps its colour on every board and every day: a fixed palette indexed
by ``tenant_id``, never a colour handed out in order of arrival.  The text on a
fill is chosen by the kitchen card's WCAG rule (kiosk/ui/kitchen/card_colours.py),
and tests/ui/test_board_screen.py checks that every fill reaches 4.5:1 with it.
"""

from __future__ import annotations

import functools

from PySide6.QtGui import QColor

from kiosk.ui.kitchen.card_colours import contrast, header_text_colour

# Hues far apart so that neighbouring stalls never look alike; dark enough for
# white text except the two light ones, which get near-black text.
TENANT_FILLS: tuple[QColor, ...] = (
    QColor("#1565C0"),  # blue
    QColor("#2E7D32"),  # green
    QColor("#AD1457"),  # magenta
    QColor("#EF6C00"),  # orange (dark text)
    QColor("#6A1B9A"),  # purple
    QColor("#00796B"),  # teal
    QColor("#C62828"),  # red
    QColor("#F9A825"),  # amber (dark text)
    QColor("#4E342E"),  # brown
    QColor("#37474F"),  # blue grey
)
NO_TENANT = QColor("#455A64")  # an order without a stall (an older backend): neutral, still readable
BACKGROUND = QColor("#121417")  # the theme's window colour (assets/styles/dark.qss)
HEADING = QColor("#D8DEE9")
MORE_FILL = QColor("#2A2F36")  # the "+N more" tile: clearly not an order number
MORE_TEXT = QColor("#ECEFF4")
HIGHLIGHT = QColor("#FFEB3B")  # the border of a number that has just turned ready
HIGHLIGHT_ALT = QColor("#FFFFFF")  # ... flashing against this one
MIN_CONTRAST = 4.5  # WCAG AA for normal text; the board's text is far larger


def tenant_fill(tenant_id: int | None) -> QColor:
    """The stall's colour: the same for a tenant everywhere, cycling when there are more stalls than colours."""
    if tenant_id is None or tenant_id < 1:
        return NO_TENANT
    return TENANT_FILLS[(tenant_id - 1) % len(TENANT_FILLS)]


def text_on(fill: QColor) -> QColor:
    """White or near-black, whichever reads better on ``fill`` (cached per colour by the kitchen's helper)."""
    return header_text_colour(fill)


@functools.cache
def fill_contrast(rgba: int) -> float:
    """The contrast of a fill with the text chosen for it (for tests and the state dump)."""
    fill = QColor.fromRgba(rgba)
    return contrast(fill, text_on(fill))
