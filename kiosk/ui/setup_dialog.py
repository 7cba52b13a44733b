"""First-run setup: server, room, token and language, checked against the server before saving.

An admin rolling out thirty screens types a URL and a token on each; a typo
must show up here ("token not accepted") and not as a screen that silently
never gets an order.  The check is the same request the screen makes on
reconnect (``GET /api/events?room=R&after=0`` with the token), run on a worker
thread so the dialog stays responsive while a wrong address times out.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.config import Config, ConfigError, save_config
from kiosk.protocol import ROOM_FORMS
from kiosk.protocol.api import EVENTS
from kiosk.ui.i18n import fill, install_translator
from kiosk.ui.refusals import refusal_text
from kiosk.ui.widgets.plain_label import PlainLabel
from kiosk.ui.worker_relay import relay

log = logging.getLogger("kiosk.ui")

CHECK_TIMEOUT_S = 8.0
ROOM_SUGGESTIONS = ("display", "kasir-1", "tenant-1")


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str


def check_connection(config: Config, timeout_s: float = CHECK_TIMEOUT_S) -> CheckResult:
    """Ask the server whether this token may read this room; a readable verdict either way."""
    url = config.server_url.rstrip("/") + EVENTS.path()  # the catch-up a reconnect makes
    try:
        response = requests.get(
            url,
            params={"room": config.room, "after": "0"},
            headers={"Authorization": f"Bearer {config.token}"},
            timeout=timeout_s,
        )
    except requests.RequestException as exc:
        return CheckResult(
            False,
            fill(
                QCoreApplication.translate("SetupDialog", "cannot reach server at %1: %2"),
                config.server_url,
                _short(exc),
            ),
        )
    code, message = _server_error(response)
    reason = refusal_text(code, message) if code else message
    if response.status_code == 200:
        return CheckResult(
            True,
            fill(
                QCoreApplication.translate("SetupDialog", "connected to %1 as room %2"),
                config.server_url,
                config.room,
            ),
        )
    if response.status_code == 401:
        return CheckResult(
            False,
            fill(
                QCoreApplication.translate("SetupDialog", "token not accepted by %1: %2"),
                config.server_url,
                reason,
            ),
        )
    if response.status_code == 403:
        return CheckResult(
            False,
            fill(
                QCoreApplication.translate("SetupDialog", "this token may not join room %1: %2"),
                config.room,
                reason,
            ),
        )
    return CheckResult(
        False,
        fill(
            QCoreApplication.translate("SetupDialog", "server at %1 answered HTTP %2: %3"),
            config.server_url,
            str(response.status_code),
            reason,
        ),
    )


def _server_error(response: requests.Response) -> tuple[str | None, str]:
    """The refusal's stable code (None if the answer has none) and the server's own message."""
    try:
        body: Any = response.json()
    except ValueError:
        return None, response.text[:200] or response.reason
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("message"):
        code = error.get("code")
        return (str(code) if code else None), str(error["message"])
    return None, response.reason


def _short(exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, requests.ConnectionError):
        return QCoreApplication.translate(
            "SetupDialog", "connection refused or host unknown (is the server running and the address right?)"
        )
    if isinstance(exc, requests.Timeout):
        return QCoreApplication.translate("SetupDialog", "no answer in time (firewall, or wrong address?)")
    return text[:200]


class SetupDialog(QDialog):
    """Fields for the four settings a screen needs; Save only after the server said yes."""

    def __init__(self, config: Config, path: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("setupDialog")
        self.setMinimumWidth(640)
        self._base = config
        self._path = path
        self.saved_config: Config | None = None
        self.saved_path: Path | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-setup")

        self.intro = PlainLabel(parent=self)
        self.intro.setWordWrap(True)
        self.server_edit = QLineEdit(config.server_url, self)
        self.server_edit.setObjectName("serverUrl")
        self.room_combo = QComboBox(self)
        self.room_combo.setObjectName("room")
        self.room_combo.setEditable(True)
        self.room_combo.addItems(ROOM_SUGGESTIONS)
        self.room_combo.setCurrentText(config.room or ROOM_SUGGESTIONS[0])
        self.token_edit = QLineEdit(config.token, self)
        self.token_edit.setObjectName("token")
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.show_token = QCheckBox(self)
        self.show_token.toggled.connect(
            lambda on: self.token_edit.setEchoMode(
                QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password
            )
        )
        self.language_combo = QComboBox(self)
        self.language_combo.setObjectName("language")
        self.language_combo.addItem("English", "en")
        self.language_combo.addItem("Bahasa Indonesia", "id")
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(config.language)))
        self.language_combo.currentIndexChanged.connect(self._language_chosen)
        self.status = PlainLabel(parent=self)
        self.status.setObjectName("setupStatus")
        self.status.setWordWrap(True)
        self.save_button = QPushButton(self)
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.quit_button = QPushButton(self)
        self.save_button.clicked.connect(self.check_and_save)
        self.quit_button.clicked.connect(self.reject)
        self._relay = relay()  # created here, on the GUI thread

        self._lay_out()
        self._retranslate()

    def _language_chosen(self, _index: int) -> None:
        """Show the dialog in the language just picked, so the choice is self-evident."""
        app = QCoreApplication.instance()
        if app is not None:
            install_translator(app, str(self.language_combo.currentData()))

    def _lay_out(self) -> None:
        self.form = QFormLayout()
        self.form.addRow(PlainLabel(parent=self), self.server_edit)
        self.form.addRow(PlainLabel(parent=self), self.room_combo)
        token_row = QHBoxLayout()
        token_row.addWidget(self.token_edit, 1)
        token_row.addWidget(self.show_token)
        self.form.addRow(PlainLabel(parent=self), token_row)
        self.form.addRow(PlainLabel(parent=self), self.language_combo)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    @property
    def busy(self) -> bool:
        return not self.save_button.isEnabled()

    def entered_config(self) -> Config:
        """The settings as typed, validated by the config table (raises ConfigError)."""
        return self._base.replace(
            server_url=self.server_edit.text().strip(),
            room=self.room_combo.currentText().strip(),
            token=self.token_edit.text().strip(),
            language=self.language_combo.currentData(),
        )

    def check_and_save(self) -> None:
        try:
            config = self.entered_config()
        except ConfigError as exc:
            log.info("setup: refused %s: %s", exc.key, exc)
            self._show(self._field_error(exc.key), error=True)
            return
        missing = [self._label(name) for name in ("server_url", "room", "token") if not getattr(config, name)]
        if missing:
            self._show(fill(self.tr("Please fill in: %1"), ", ".join(missing)), error=True)
            return
        self.save_button.setEnabled(False)
        self._show(fill(self.tr("Checking %1…"), config.server_url), error=False)
        log.info("setup: checking %s room %s", config.server_url, config.room)
        future = self._executor.submit(check_connection, config)
        future.add_done_callback(lambda done: self._relay.deliver(self._on_checked, (config, done)))

    def _on_checked(self, payload: tuple[Config, Future[CheckResult]]) -> None:
        config, future = payload
        self.save_button.setEnabled(True)
        error = future.exception()
        result = CheckResult(False, f"check failed: {error}") if error else future.result()
        if not result.ok:
            log.warning("setup: %s", result.message)
            self._show(result.message, error=True)
            return
        try:
            self.saved_path = save_config(config, self._path)
        except OSError as exc:
            log.error("setup: cannot save the settings: %s", exc)
            self._show(
                fill(
                    self.tr("Cannot save the settings (%1). Check the disk and its permissions."),
                    str(exc.strerror or exc),
                ),
                error=True,
            )
            return
        self.saved_config = config
        log.info("setup: %s; settings saved to %s", result.message, self.saved_path)
        self._show(result.message, error=False)
        self.accept()

    def _label(self, key: str) -> str:
        """The field's label as the person sees it, for messages about that field."""
        return {
            "server_url": self.tr("Server address"),
            "room": self.tr("Room"),
            "token": self.tr("Device token"),
            "language": self.tr("Language"),
        }.get(key, key)

    def _field_error(self, key: str) -> str:
        hints = {
            "server_url": self.tr("an address such as http://192.168.1.10:5000"),
            "room": self.tr("display, kasir-N (a counter) or tenant-N (a stall)"),
        }
        hint = hints.get(key)
        if hint is None:
            return fill(self.tr("%1 is not valid."), self._label(key))
        return fill(self.tr("%1 is not valid: use %2."), self._label(key), hint)

    def _show(self, text: str, *, error: bool) -> None:
        self.status.show_status(text, error=error)

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Kiosk setup"))
        self.intro.setText(
            self.tr(
                "Connect this screen to the order server. The settings are checked with the server before they are saved."
            )
        )
        labels = tuple(self._label(key) for key in ("server_url", "room", "token", "language"))
        for row, text in enumerate(labels):
            label = self.form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            if label is not None and isinstance(label.widget(), QLabel):
                label.widget().setText(text)  # type: ignore[union-attr]
        self.server_edit.setPlaceholderText("http://192.168.1.10:5000")
        self.room_combo.setToolTip(ROOM_FORMS)
        self.show_token.setText(self.tr("Show"))
        self.save_button.setText(self.tr("Check and save"))
        self.quit_button.setText(self.tr("Quit"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def done(self, result: int) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        super().done(result)


def run_setup_dialog(config: Config, path: Path | None = None) -> Config | None:
    """Show the dialog modally; the saved Config, or None when the person quit."""
    dialog = SetupDialog(config, path)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    return dialog.saved_config if accepted else None
