"""The kitchen card's colours: the age colours, the text on them, and the contrast rule that picks it."""

from __future__ import annotations

import functools

from PySide6.QtGui import QColor

FRESH = QColor("#2e7d32")
WARN = QColor("#f9a825")
LATE = QColor("#c62828")
CANCELLED = QColor("#616161")
BODY = QColor("#1f2226")
TEXT = QColor("#f2f2f2")
MUTED = QColor("#b0b6bd")
SELECTED = QColor("#ffffff")
DARK_TEXT = QColor("#111111")
ALLERGY_BG = QColor("#ffd54f")  # amber band: a note that can hurt someone is the first thing a cook sees
DIVIDER = QColor("#3a4048")  # the rule between the text columns of a wide card


def header_text_colour(background: QColor) -> QColor:
    """White on dark headers, near-black on light ones (white on the yellow "late soon" header failed)."""
    return _header_text(background.rgba())


@functools.cache
def _header_text(rgba: int) -> QColor:
    """Per colour, once: every card in view asks on every paint, and there are four age colours."""
    background = QColor.fromRgba(rgba)
    return DARK_TEXT if contrast(background, DARK_TEXT) > contrast(background, TEXT) else TEXT


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# Kitchen depth (lines, rush, changes).  Every text colour on a coloured pill is picked by
# ``header_text_colour`` and must reach MIN_PILL_CONTRAST; checked at import, so a colour
# changed without looking fails at once rather than on a cook's screen.
ALLERGEN_BG = QColor("#ad1457")  # strong magenta: not the red of a late header, not the amber note band
RUSH = QColor("#ff1744")  # the thick border and the chip of a rush order
STARTED_BG = QColor("#1e3a5f")  # the band behind a line a cook has started
STARTED_MARK = QColor("#64b5f6")
DONE_TEXT = QColor("#80868d")  # a finished line: struck through and dimmed
VOID_TEXT = QColor("#ff8a80")
FOREIGN_TEXT = QColor("#5f656c")  # another station's line, greyed on a station screen
ADD_ON_BG = QColor("#006064")
CURSOR = QColor("#ffeb3b")  # the bump bar's line cursor
FLASH = QColor("#00e5ff")  # a card changed from elsewhere, for a moment
MIN_PILL_CONTRAST = 4.5  # WCAG AA for normal text


def pill_text_colour(background: QColor) -> QColor:
    """The text on a pill: whichever of white and near-black reads better on it."""
    return header_text_colour(background)


for _pill in (ALLERGEN_BG, RUSH, ADD_ON_BG):
    if contrast(_pill, pill_text_colour(_pill)) < MIN_PILL_CONTRAST:  # pragma: no cover - caught at import
        raise RuntimeError(f"pill colour {_pill.name()} leaves its text under {MIN_PILL_CONTRAST}:1")
