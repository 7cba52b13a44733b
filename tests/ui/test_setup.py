"""First-run setup dialog against the real server: refuses what the server refuses, saves what works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from kiosk.core.config import Config, load_config
from kiosk.ui.i18n import install_translator
from kiosk.ui.setup_dialog import SetupDialog, check_connection
from tests.support.server_process import free_port


@pytest.fixture(autouse=True)
def english_after(qapp) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Picking a language in the dialog switches the whole app; put it back."""
    yield
    install_translator(qapp, "en")


def open_dialog(qtbot: QtBot, path: Path, **config: str) -> SetupDialog:
    dialog = SetupDialog(Config(), path)
    qtbot.addWidget(dialog)
    dialog.server_edit.setText(config.get("server_url", ""))
    dialog.room_combo.setCurrentText(config.get("room", ""))
    dialog.token_edit.setText(config.get("token", ""))
    language = config.get("language", "en")
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData(language))
    dialog.show()
    return dialog


def submit(qtbot: QtBot, dialog: SetupDialog) -> None:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=15_000)


def test_good_settings_are_checked_and_saved(server, qtbot: QtBot, tmp_path: Path) -> None:
    token = server.add_device("setup-ok", ["kasir-1", "display"])
    path = tmp_path / "kiosk.toml"
    dialog = open_dialog(qtbot, path, server_url=server.url, room="kasir-1", token=token, language="id")
    submit(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.status.text()
    saved = load_config(path=path, env={})
    assert (saved.server_url, saved.room, saved.token, saved.language) == (server.url, "kasir-1", token, "id")
    assert dialog.saved_config == saved
    assert path.stat().st_mode & 0o077 == 0  # the token is readable by the owner only


def test_a_bad_token_is_refused_with_the_servers_reason(server, qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    dialog = open_dialog(qtbot, path, server_url=server.url, room="display", token="not-a-real-token")
    submit(qtbot, dialog)
    assert dialog.isVisible() and dialog.saved_config is None
    assert dialog.status.text().startswith("token not accepted by ")
    assert "Ask the admin for a new one" in dialog.status.text()  # from the code, not the server's English
    assert dialog.status.property("role") == "error"
    assert not path.exists()


def test_a_token_for_another_room_is_explained_and_the_servers_words_are_logged(
    server, qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    token = server.add_device("setup-tenant", ["tenant-1"])
    dialog = open_dialog(qtbot, tmp_path / "kiosk.toml", server_url=server.url, room="kasir-1", token=token)
    caplog.set_level("INFO", logger="kiosk.ui")
    submit(qtbot, dialog)
    text = dialog.status.text()
    assert text.startswith("this token may not join room kasir-1")
    assert "Ask the admin for a token that includes it" in text
    assert any("tenant-1" in r.getMessage() and "forbidden" in r.getMessage() for r in caplog.records)
    assert dialog.saved_config is None


def test_server_refusals_are_shown_in_the_screens_language(server, qtbot: QtBot, tmp_path: Path) -> None:
    dialog = open_dialog(
        qtbot, tmp_path / "kiosk.toml", server_url=server.url, room="display", token="nope", language="id"
    )
    submit(qtbot, dialog)
    text = dialog.status.text()
    assert "Minta token baru kepada admin" in text, text
    assert "unknown or revoked token" not in text  # the server's English stays in the log


def test_unreachable_server_is_named(qtbot: QtBot, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    dialog = open_dialog(qtbot, tmp_path / "kiosk.toml", server_url=url, room="display", token="t")
    submit(qtbot, dialog)
    assert dialog.status.text().startswith(f"cannot reach server at {url}")
    assert dialog.saved_config is None


def test_an_invalid_room_is_refused_before_any_network_call(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = open_dialog(
        qtbot, tmp_path / "kiosk.toml", server_url="http://127.0.0.1:9", room="kitchen", token="t"
    )
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.busy  # refused synchronously, nothing was sent
    assert (
        dialog.status.text() == "Room is not valid: use display, kasir-N (a counter) or tenant-N (a stall)."
    )


def test_missing_fields_are_named(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = open_dialog(qtbot, tmp_path / "kiosk.toml", server_url="http://127.0.0.1:9", room="display")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "Please fill in: Device token"  # the field's label, not the key


def test_missing_fields_are_named_by_their_label_in_indonesian(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = open_dialog(qtbot, tmp_path / "kiosk.toml", room="display", language="id")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "Harap isi: Alamat server, Token perangkat"


@pytest.mark.parametrize("scheme_less", ["192.168.1.10:5000"])
def test_address_without_scheme_is_explained(qtbot: QtBot, tmp_path: Path, scheme_less: str) -> None:
    dialog = open_dialog(qtbot, tmp_path / "kiosk.toml", server_url=scheme_less, room="display", token="t")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "http://" in dialog.status.text()


def test_check_connection_accepts_a_good_device(server) -> None:
    token = server.add_device("setup-direct", ["display"])
    result = check_connection(Config(server_url=server.url, room="display", token=token))
    assert result.ok, result.message
