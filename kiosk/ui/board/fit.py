"""How big the numbers can be: the largest tiles that still put every number on the screen.

A board is read from across a food court, so the numbers are as large as the
count allows, and never smaller than a floor that scales with the screen
(``min_digit_px``: the height of a digit, 48 px at 768 lines).  When even the
floor cannot hold them all, the grid keeps the floor and shows "+N more"
instead of scrolling: nobody scrolls a board hanging above a counter.

The search is plain arithmetic: text width grows linearly with the font's
pixel size, so the fonts are measured once at a reference size
(``FontRatios``) and each candidate size costs a few multiplications.  An
event on a board of 300 numbers therefore lays out in microseconds.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from PySide6.QtGui import QFont, QFontMetrics

REFERENCE_PX = 100
MIN_DIGIT_PX = 48  # a digit's height on a 768-line screen: readable from ~5 m
REFERENCE_LINES = 768
MAX_GROWTH = 2.4  # a lone number is at most this much bigger than the floor
NAME_SCALE = 0.40  # the first name under a number, relative to the number's font
MIN_NAME_PX = 16
STEP_PX = 2


@dataclass(frozen=True, slots=True)
class FontRatios:
    """A family's measures per pixel of font size: digit height, line height, and the widest number's advance."""

    digit: float
    line: float
    number_advance: float


@dataclass(frozen=True, slots=True)
class Fit:
    """One layout of a grid: the fonts' pixel sizes, the tile size and how many tiles fit."""

    number_px: int
    name_px: int
    tile_w: int
    tile_h: int
    gap: int
    columns: int
    rows: int

    @property
    def capacity(self) -> int:
        return self.columns * self.rows


def number_font(base: QFont, pixel_size: int) -> QFont:
    font = QFont(base)
    font.setBold(True)
    font.setPixelSize(max(1, pixel_size))
    return font


def name_font(base: QFont, pixel_size: int) -> QFont:
    font = QFont(base)
    font.setBold(False)
    font.setPixelSize(max(1, pixel_size))
    return font


@functools.lru_cache(maxsize=64)
def font_ratios(family: str, widest_number: str) -> FontRatios:
    """Measured once per family and widest number text, at REFERENCE_PX."""
    font = number_font(QFont(family), REFERENCE_PX)
    metrics = QFontMetrics(font)
    digit = metrics.tightBoundingRect("8").height() / REFERENCE_PX
    return FontRatios(
        digit=digit or 0.73,
        line=metrics.height() / REFERENCE_PX,
        number_advance=metrics.horizontalAdvance(widest_number) / REFERENCE_PX,
    )


def min_digit_for(window_height: int) -> int:
    """The floor for a digit's height: 48 px at 768 lines, proportionally more on a taller screen."""
    return max(MIN_DIGIT_PX, round(MIN_DIGIT_PX * window_height / REFERENCE_LINES))


def fit_at(ratios: FontRatios, number_px: int, width: int, height: int) -> Fit:
    """The tile at one font size and how many of them fit in ``width`` × ``height``."""
    name_px = max(MIN_NAME_PX, round(number_px * NAME_SCALE))
    pad = round(number_px * 0.28)
    tile_w = round(ratios.number_advance * number_px) + 2 * pad
    tile_h = round(ratios.line * number_px * 0.92 + ratios.line * name_px + number_px * 0.12)
    gap = max(8, round(number_px * 0.14))
    columns = max(0, (width + gap) // (tile_w + gap))
    rows = max(0, (height + gap) // (tile_h + gap))
    return Fit(number_px, name_px, tile_w, tile_h, gap, columns, rows)


def best_fit(ratios: FontRatios, count: int, width: int, height: int, min_digit: int) -> Fit:
    """The largest font whose tiles hold ``count`` numbers; the floor's layout when none does.

    The floor's layout always has at least one tile, even in a window too small
    for it (the tile is then clipped, which only happens while a window is
    being resized, never on a kiosk's fixed screen).
    """
    min_px = max(1, round(min_digit / ratios.digit))
    max_px = round(min_px * MAX_GROWTH)
    for number_px in range(max_px, min_px, -STEP_PX):
        candidate = fit_at(ratios, number_px, width, height)
        if candidate.capacity >= max(1, count):
            return candidate
    floor = fit_at(ratios, min_px, width, height)
    if floor.capacity == 0:
        return Fit(
            floor.number_px,
            floor.name_px,
            floor.tile_w,
            floor.tile_h,
            floor.gap,
            max(1, floor.columns),
            max(1, floor.rows),
        )
    return floor
