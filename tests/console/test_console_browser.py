"""The console in a real browser: sign in, see a live kiosk, pair a new one by its code, revoke it.

Real parts only: the server process, headless kiosk processes (``--offscreen``),
and Debian's Chromium driven by Selenium.  Each page's screenshot is kept in
test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.server_process import ServerProcess
from tests.ui.test_headless import clean_env, wait_for_line

# A name that would run script if it were ever put on the page as HTML.
PROBE = "<img src=x onerror=alert(1)>"
CODE_LINE = re.compile(r"pairing: showing code ([A-Z0-9]{3} [A-Z0-9]{3})")


def _until(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)  # polling interval of a deadline-bounded wait
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


# The table is rebuilt every few seconds: read and click it in one script call, not element by element.
_FIND = (
    "const row = [...document.querySelectorAll('#screens tr')].find(r => r.dataset.name === arguments[0]);"
)


def _row_state(browser: Any, name: str) -> str | None:
    state = browser.execute_script(_FIND + " return row ? row.cells[2].textContent : null;", name)
    return None if state is None else str(state)


def _revoke(browser: Any, name: str) -> bool:
    script = _FIND + " if (!row) return false; row.querySelector('button').click(); return true;"
    return bool(browser.execute_script(script, name))


def _kiosk(tmp_path: Path, name: str, *args: str) -> tuple[subprocess.Popen[str], Path]:
    folder = tmp_path / name
    folder.mkdir()
    env = clean_env(folder)
    child = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "--config", str(folder / "kiosk.toml"), "--offscreen",
         "--quit-after", "90", *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    return child, folder / "logs" / "kiosk.log"


@pytest.mark.slow
def test_sign_in_see_a_kiosk_pair_another_and_revoke_it(
    browser: Any, server: ServerProcess, tmp_path: Path, artifacts: Path
) -> None:
    from selenium.webdriver.common.by import By

    token = server.add_device("kitchen-1", ["display"])
    live, _ = _kiosk(tmp_path, "live", "--server", server.url, "--room", "display", "--token", token)
    new, new_log = _kiosk(tmp_path, "new", "--server", server.url, "--pair")
    try:
        browser.get(f"{server.url}/admin")
        assert browser.current_url.endswith("/admin/login")
        browser.save_screenshot(str(artifacts / "console-login.png"))
        browser.find_element(By.ID, "token").send_keys(server.admin_token)
        browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        _until(lambda: _row_state(browser, "kitchen-1") == "online", 30, "kitchen-1 online in the console")

        wait_for_line(new_log, "pairing: showing code", new)
        found = CODE_LINE.search(new_log.read_text())
        assert found is not None
        form = browser.find_element(By.ID, "approve")
        form.find_element(By.NAME, "code").send_keys(found[1])
        form.find_element(By.NAME, "device").send_keys(PROBE)
        form.find_element(By.NAME, "rooms").send_keys("display")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait_for_line(new_log, "live in display", new)
        _until(lambda: _row_state(browser, PROBE) == "online", 30, "the paired kiosk online")
        assert not browser.find_elements(By.CSS_SELECTOR, "#screens img")  # the name is text, never markup
        browser.save_screenshot(str(artifacts / "console-screens.png"))

        alert = browser.find_element(By.ID, "alert")
        alert.find_element(By.NAME, "message").send_keys("Dapur tutup 15 menit lagi <script>")
        alert.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        _until(lambda: browser.find_element(By.ID, "sent").text == "Alert sent.", 10, "the alert sent")
        events = server.request("GET", "/api/events?room=display&after=0").json()["events"]
        assert any(
            e["type"] == "alert" and e["data"]["message"] == "Dapur tutup 15 menit lagi <script>"
            for e in events
        )
        assert "display: 2 screen(s)" in browser.find_element(By.ID, "live").text

        assert _revoke(browser, PROBE)
        _until(
            lambda: _row_state(browser, PROBE) == "revoked",
            15,
            "the revoked kiosk shown revoked",
        )
        wait_for_line(new_log, "revoked", new)  # the screen dropped at once and says why
    finally:
        for child in (live, new):
            if child.poll() is None:
                child.kill()
                child.wait(10)
