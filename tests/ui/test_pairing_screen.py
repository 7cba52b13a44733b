"""Pairing a new screen, run as an admin does it: a real kiosk process shows a code, the admin approves it.

Nobody copies a token: the screen receives it over the pairing exchange,
saves it (0600) and goes live with orders.  The pairing screen's picture is
kept in test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from kiosk.core.pairing_client import PairingView
from kiosk.ui.pairing_screen import PairingScreen
from kiosk.ui.theme import apply_theme
from tests.support.server_process import ServerProcess
from tests.ui.test_headless import clean_env, wait_for_line

CODE_LINE = re.compile(r"pairing: showing code ([A-Z0-9]{3} [A-Z0-9]{3})")


def test_a_new_screen_pairs_by_its_code_and_goes_live(server: ServerProcess, tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    dump = tmp_path / "state.json"
    log = tmp_path / "logs" / "kiosk.log"
    env = clean_env(tmp_path)
    child = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "--config", str(config), "--server", server.url, "--pair",
         "--offscreen", "--dump-state", str(dump), "--quit-after", "6", "--backoff-initial-s", "0.2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_for_line(log, "pairing: showing code", child)
        found = CODE_LINE.search(log.read_text())
        assert found is not None
        code = found[1]
        assert not config.exists()  # nothing saved before the approval
        approved = server.request(
            "POST",
            f"/api/pairing/{code.replace(' ', '')}/approve",
            json={"name": "kitchen-7", "rooms": ["display"]},
        )
        assert approved.status_code == 200, approved.text
        wait_for_line(log, "live in display", child)
        server.create_order(customer_name="Paired")
        _out, err = child.communicate(timeout=60)
        assert child.returncode == 0, err[-3000:]
    finally:
        if child.poll() is None:
            child.kill()
    saved = tomllib.loads(config.read_text())
    assert saved["room"] == "display" and saved["token"].startswith("kd_")
    assert stat.S_IMODE(config.stat().st_mode) == 0o600  # the token is readable by this user only
    assert saved["token"] not in log.read_text()  # and never logged
    state: dict[str, Any] = json.loads(dump.read_text())
    assert any(order["customer_name"] == "Paired" for order in state["orders"]), state["orders"]
    listed = subprocess.run(
        [sys.executable, "-m", "server", "devices", "list", *server.db_args],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert "kitchen-7\trooms=display" in listed.stdout


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[QApplication]:
    """The app's look for this test only: a theme left on the app changes later tests' metrics."""
    font, sheet, style = qapp.font(), qapp.styleSheet(), qapp.style().name()
    apply_theme(qapp)
    yield qapp
    qapp.setStyleSheet(sheet)
    qapp.setFont(font)
    qapp.setStyle(style)


def test_the_pairing_screen_reads_from_across_the_kitchen(themed: QApplication, artifacts: Path) -> None:
    qapp = themed
    screen = PairingScreen("http://10.0.0.5:5000")
    screen.resize(1366, 768)
    screen.show_view(PairingView("http://10.0.0.5:5000", code="K7M 4QP", expires_at="2026-12-03T15:00:00Z"))
    screen.show()
    qapp.processEvents()
    assert screen.code.text() == "K7M 4QP"
    assert screen.code.font().pixelSize() >= 0.15 * 768  # letters over 4 cm tall on a 22" screen
    assert min(label.font().pixelSize() for label in (screen.server, screen.hint, screen.status)) >= 20
    assert "devices approve K7M4QP" in screen.hint.text()
    screen.show_view(PairingView("http://10.0.0.5:5000", code="K7M 4QP", retry_in_s=4.0))
    assert "trying again in 4 s" in screen.status.text()
    screen.show_view(PairingView("http://10.0.0.5:5000", refusal="<b>too many</b> codes"))
    assert "<b>too many</b> codes" in screen.status.text()  # the server's words, as plain text
    shot = artifacts / "pairing-1366x768.png"
    assert screen.grab().save(str(shot))
    screen.close()
