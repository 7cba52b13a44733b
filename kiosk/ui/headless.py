"""Headless mode for support and tests: screenshot, state dump, quit after N seconds.

Support asks a shop to run ``kiosk --offscreen --screenshot s.png --dump-state
s.json --quit-after 20`` and gets back what the screen showed and what it
knew, without anyone reading text off a photo.  Tests use the same path.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QWidget

from kiosk.core.atomic_file import replace_file
from kiosk.core.session import Session

log = logging.getLogger("kiosk.ui")


@dataclass(frozen=True)
class HeadlessOptions:
    offscreen: bool = False
    screenshot: Path | None = None
    dump_state: Path | None = None
    quit_after: float | None = None


def state_dump(
    session: Session, screen: dict[str, Any], sounds_played: int, sounds_heard: int = 0
) -> dict[str, Any]:
    """The JSON written at exit: the session's own dump, full orders and payments, sounds, the screen's part.

    ``Session.state_dump()`` gives connection (attempts, legacy mode), room, seq,
    notice counts, queued actions and skipped events; ``screen`` is the
    screen's ``state_extra()`` (the cashier's receipt and totals, the stall's
    list and last action), so support sees what the screen itself held.
    """
    store = session.store
    return {
        **session.state_dump(),
        "orders": [order.model_dump(mode="json") for order in store.orders.values()],
        "payments": [payment.model_dump(mode="json") for payment in store.payments.values()],
        "sounds_played": sounds_played,
        "sounds_heard": sounds_heard,  # handed to a real audio output
        "screen": screen,
    }


def write_state(path: Path, dump: dict[str, Any]) -> None:
    """Atomic write, so a support script never reads half a file."""
    replace_file(path, orjson.dumps(dump, option=orjson.OPT_INDENT_2))
    log.info("state dump written to %s (%d orders)", path, len(dump["orders"]))


def capture(window: QWidget) -> QImage:
    """What the window shows: a real grab of the X screen under xcb, a render elsewhere."""
    window.repaint()
    screen = window.screen() or QGuiApplication.primaryScreen()
    if QGuiApplication.platformName() == "xcb" and screen is not None:
        image = screen.grabWindow(window.winId()).toImage()
        if not image.isNull():
            return image
    return window.grab().toImage()


def is_blank(image: QImage, samples: int = 64) -> bool:
    """True when a grid of sampled pixels is all one colour (a failed or empty render)."""
    if image.isNull() or image.width() == 0 or image.height() == 0:
        return True
    first = image.pixel(0, 0)
    step_x = max(1, image.width() // samples)
    step_y = max(1, image.height() // samples)
    for y in range(0, image.height(), step_y):
        for x in range(0, image.width(), step_x):
            if image.pixel(x, y) != first:
                return False
    return True


def save_screenshot(window: QWidget, path: Path) -> bool:
    """Save a screenshot; False (and a logged reason) when it could not be written or is blank."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = capture(window)
    if not image.save(str(path)):
        log.error("could not write the screenshot to %s (is the folder writable, the name .png?)", path)
        return False
    blank = is_blank(image)
    if blank:
        log.warning("screenshot %s is blank (%dx%d)", path, image.width(), image.height())
    else:
        log.info("screenshot written to %s (%dx%d)", path, image.width(), image.height())
    return not blank
