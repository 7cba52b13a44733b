"""The pairing screen: the server found and a 6-character code, large enough to read from 2 m away.

A screen started with ``--pair`` (or with a server but no token) shows this
until the admin approves the code (the console, or ``kiosk-server devices
approve CODE --name … --rooms …``); kiosk/core/pairing_client.py then saves the
token it received and the screen goes live.  Nobody reads or types the token.
Every text from the server is shown as plain text (PlainLabel).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.core.backoff import Backoff
from kiosk.core.config import Config
from kiosk.core.pairing_client import PairingClient, PairingView
from kiosk.ui.i18n import fill
from kiosk.ui.widgets.plain_label import PlainLabel, set_role

log = logging.getLogger("kiosk.ui")

# Letter heights as fractions of the window's: the code reads from across a kitchen, the rest from 2 m.
CODE_SCREEN_FRACTION = 0.18
TEXT_FRACTIONS = {"title": 0.06, "server": 0.045, "hint": 0.03, "status": 0.035}


class PairingScreen(QWidget):
    """Full window: title, the server, the code, how to approve it, and what is happening."""

    def __init__(self, server_url: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pairing")
        self.setWindowTitle(self.tr("Kiosk: pair this screen"))
        self.title = PlainLabel(self.tr("Pair this screen"))
        set_role(self.title, "heading")
        self.server = PlainLabel(fill(self.tr("Server: %1"), server_url))
        self.code = PlainLabel("… …")
        self.code.setObjectName("pairing-code")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setWeight(QFont.Weight.Bold)
        self.code.setFont(font)
        self.hint = PlainLabel(self.tr("Waiting for a code from the server…"))
        self.hint.setWordWrap(True)
        self.status = PlainLabel("")
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for label in (self.title, self.server, self.code, self.hint, self.status):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        layout.addStretch(1)
        self.view: PairingView | None = None

    def resizeEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        height = self.height()
        sized = [(self.code, CODE_SCREEN_FRACTION, 32)] + [
            (getattr(self, name), fraction, 14) for name, fraction in TEXT_FRACTIONS.items()
        ]
        for label, fraction, smallest in sized:
            font = label.font()
            font.setPixelSize(max(smallest, int(height * fraction)))
            label.setFont(font)
        super().resizeEvent(event)  # type: ignore[arg-type]

    def show_view(self, view: PairingView) -> None:
        """What the pairing client reports: a code, a retry, or done."""
        self.view = view
        if view.done:
            self.hint.setText(self.tr("Approved. Starting the screen…"))
            self.status.show_status("", error=False)
            return
        if view.code is not None:
            self.code.setText(view.code)
            self.hint.setText(
                fill(
                    self.tr(
                        "Approve this code in the admin console, or on the server: "
                        "kiosk-server devices approve %1 --name NAME --rooms ROOMS"
                    ),
                    view.code.replace(" ", ""),
                )
            )
        if view.refusal is not None:
            self.status.show_status(fill(self.tr("Pairing failed: %1"), view.refusal), error=True)
        elif view.retry_in_s is not None:
            self.status.show_status(
                fill(self.tr("Cannot reach the server; trying again in %1 s"), f"{view.retry_in_s:.0f}"),
                error=True,
            )
        else:
            self.status.show_status(self.tr("Waiting for approval…"), error=False)


async def pair(config: Config, config_path: Path | None, *, fullscreen: bool) -> Config:
    """Show the pairing screen until the token is saved; returns the configured Config."""
    screen = PairingScreen(config.server_url)
    if fullscreen:
        screen.showFullScreen()
    else:
        screen.resize(1024, 600)
        screen.show()
    client = PairingClient(
        config, config_path, screen.show_view, Backoff(config.backoff_initial_s, config.backoff_max_s)
    )
    try:
        return await client.run()
    finally:
        screen.close()
