"""The kiosk's look: a dark style sheet and large type read from 2 m away.

The type is DejaVu Sans, shipped in ``assets/fonts`` because many kiosk PCs
(minimal Linux images, Windows) do not have it and Qt's fallback there can be
a bitmap font with missing glyphs for "Rp" and arrows.  When the bundled files
are gone (a trimmed site build) the system's DejaVu (found by fontconfig) is
used, and failing that the platform's sans-serif, so the screen never comes up
in a broken font.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from kiosk.paths import asset, assets_dir

log = logging.getLogger("kiosk.ui")

FONT_FAMILY = "DejaVu Sans"
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
# 16 pt on a 22" 1080p screen is ~8 mm cap height: readable at 2 m.  Headings
# and order numbers are larger still (see dark.qss).
BASE_POINT_SIZE = 16
STYLE_SHEET = "dark.qss"


def register_fonts() -> str:
    """Make the kiosk's font available and return the family name to use."""
    for name in FONT_FILES:
        path = assets_dir() / "fonts" / name
        if not path.exists():
            continue
        if QFontDatabase.addApplicationFont(str(path)) < 0:
            log.warning("font file %s could not be loaded; trying the system fonts", path)
    if FONT_FAMILY in QFontDatabase.families():
        return FONT_FAMILY
    fallback = QFont()
    fallback.setStyleHint(QFont.StyleHint.SansSerif)
    family = fallback.defaultFamily()
    log.warning(
        "font %r is neither bundled in %s nor installed; using %r (install fonts-dejavu-core)",
        FONT_FAMILY,
        assets_dir() / "fonts",
        family,
    )
    return family


def style_sheet() -> str:
    return asset("styles", STYLE_SHEET).read_text(encoding="utf-8")


def apply_theme(app: QApplication) -> None:
    """Set the font and the dark style sheet on the whole application."""
    font = QFont(register_fonts())
    font.setPointSize(BASE_POINT_SIZE)
    font.setStyleHint(QFont.StyleHint.SansSerif)
    app.setFont(font)
    app.setStyle("Fusion")  # the same widget metrics on every OS, so the QSS looks the same
    try:
        app.setStyleSheet(style_sheet())
    except FileNotFoundError as exc:
        log.warning("%s; the kiosk runs with Qt's default colours", exc)
