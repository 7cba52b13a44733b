"""Alert banners by severity: info and warning fade after a while, errors stay until dismissed.

The same alert again (same severity and text) does not stack a second banner:
the one shown counts it ("×3") and its time starts again, so a backend that
repeats "printer offline" every ten seconds cannot push the screen's work down.
Messages come from the wire and are shown as plain text, never as markup.

Expiry runs on the window's 1 s tick against the injected clock's monotonic
time, so tests move a FakeClock instead of sleeping.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.core.clock import Clock
from kiosk.protocol import Severity
from kiosk.ui.widgets.plain_label import PlainLabel

SHOWN_FOR_S: dict[Severity, float | None] = {
    Severity.INFO: 30.0,
    Severity.WARNING: 60.0,
    Severity.ERROR: None,
}
MAX_BANNERS = 5


class Banner(QFrame):
    dismissed = Signal()

    def __init__(self, severity: Severity, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setProperty("severity", severity.value)
        self.severity = severity
        self.message = message
        self.repeats = 1
        self.label = PlainLabel(parent=self)
        self.label.setText(message)
        self.label.setWordWrap(True)
        self.close_button = QPushButton("×", self)
        self.close_button.setObjectName("bannerClose")
        self.close_button.setToolTip(self.tr("Dismiss"))
        self.close_button.setStyleSheet(
            "padding: 2px 14px; min-width: 0px;"
        )  # the theme pads buttons for touch
        self.close_button.clicked.connect(self.dismissed.emit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.close_button)

    def text(self) -> str:
        return self.label.text()

    def repeated(self) -> None:
        self.repeats += 1
        self.label.setText(f"{self.message}  ×{self.repeats}")


@dataclass
class _Shown:
    banner: Banner
    since: float


class BannerStack(QWidget):
    def __init__(self, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banners")
        self._clock = clock
        self._shown: list[_Shown] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self.hide()

    def show_message(self, severity: Severity, message: str) -> Banner:
        for shown in self._shown:
            if shown.banner.severity is severity and shown.banner.message == message:
                shown.banner.repeated()
                shown.since = self._clock.monotonic()
                return shown.banner
        banner = Banner(severity, message, self)
        banner.dismissed.connect(lambda: self._remove(banner))
        self._shown.append(_Shown(banner, self._clock.monotonic()))
        self._layout.addWidget(banner)
        while len(self._shown) > MAX_BANNERS:
            oldest = next((s for s in self._shown if s.banner.severity is not Severity.ERROR), self._shown[0])
            self._remove(oldest.banner)
        self.show()
        return banner

    def banners(self) -> list[Banner]:
        return [shown.banner for shown in self._shown]

    def expire(self) -> None:
        now = self._clock.monotonic()
        for shown in list(self._shown):
            limit = SHOWN_FOR_S[shown.banner.severity]
            if limit is not None and now - shown.since >= limit:
                self._remove(shown.banner)

    def _remove(self, banner: Banner) -> None:
        self._shown = [s for s in self._shown if s.banner is not banner]
        self._layout.removeWidget(banner)
        banner.deleteLater()
        self.setVisible(bool(self._shown))
