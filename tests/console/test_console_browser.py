"""The console in a real browser: sign in, see a live kiosk, steer it, pair a new one by its code, revoke it.

Real parts only: the server process, headless kiosk processes (``--offscreen``),
and Debian's Chromium driven by Selenium.  Each page's screenshot (wide, in
Indonesian, and phone-sized) is kept in test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import json
import re
import signal
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


def _row_cell(browser: Any, name: str, column: int) -> str | None:
    found = browser.execute_script(
        _FIND + " return row ? row.cells[arguments[1]].textContent : null;", name, column
    )
    return None if found is None else str(found)


def _row_state(browser: Any, name: str) -> str | None:
    return _row_cell(browser, name, 2)


def _click(browser: Any, name: str, action: str) -> bool:
    """Click a row's button; after the script returns, so a confirm() it opens does not block the call."""
    script = _FIND + (
        " const b = row && row.querySelector(`button[data-action=${arguments[1]}]`);"
        " if (!b) return false; setTimeout(() => b.click(), 0); return true;"
    )
    return bool(browser.execute_script(script, name, action))


def _results(browser: Any) -> str:
    return str(browser.execute_script("return document.getElementById('results').textContent;"))


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
def test_sign_in_steer_a_kiosk_pair_another_and_revoke_it(
    browser: Any, server: ServerProcess, tmp_path: Path, artifacts: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    token = server.add_device("kitchen-1", ["display"])
    dump = tmp_path / "kitchen-1-state.json"
    live, live_log = _kiosk(
        tmp_path, "live", "--server", server.url, "--room", "display", "--token", token, "--dump-state", str(dump),
    )  # fmt: skip
    new, new_log = _kiosk(tmp_path, "new", "--server", server.url, "--pair")
    try:
        browser.get(f"{server.url}/admin")
        assert browser.current_url.endswith("/admin/login")
        browser.save_screenshot(str(artifacts / "console-login.png"))
        browser.find_element(By.ID, "token").send_keys(server.admin_token)
        browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        _until(lambda: _row_state(browser, "kitchen-1") == "online", 30, "kitchen-1 online in the console")
        # live: an order made elsewhere shows in the panel with no action on the page (the stream)
        before = browser.find_element(By.ID, "live").text
        server.create_order()
        _until(
            lambda: browser.find_element(By.ID, "live").text != before, 10, "the panel updated by the stream"
        )
        assert "favicon" not in browser.find_element(By.ID, "refusals").text  # a browser's own asking

        assert _click(browser, "kitchen-1", "identify")
        _until(lambda: "showing 'kitchen-1' for 10 s" in _results(browser), 15, "the screen's answer")
        wait_for_line(live_log, "console: showing this screen's name 'kitchen-1'", live)
        push = browser.find_element(By.ID, "push")
        push.find_element(By.NAME, "device").send_keys("kitchen-1")
        push.find_element(By.CSS_SELECTOR, "select[name=setting] option[value=late_after_s]").click()
        push.find_element(By.NAME, "value").send_keys("100")  # under warn_after_s (300): refused
        push.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        _until(lambda: "refused" in _results(browser), 15, "the refusal shown")
        assert "late_after_s (100) must be greater than warn_after_s (300)" in _results(browser)
        push.find_element(By.CSS_SELECTOR, "select[name=setting] option[value=warn_after_s]").click()
        value = push.find_element(By.NAME, "value")
        value.clear()
        value.send_keys("240")
        push.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        _until(lambda: "applied warn_after_s=240" in _results(browser), 15, "the push applied")
        browser.save_screenshot(str(artifacts / "console-pushed.png"))

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
        # live with the order made earlier on its screen (its report on going live says so)
        _until(lambda: _row_cell(browser, PROBE, 7) == "1", 30, "the paired kiosk showing the order")
        assert not browser.find_elements(By.CSS_SELECTOR, "#screens img")  # the name is text, never markup
        browser.execute_script("window.scrollTo(0, 0)")
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

        browser.get(f"{server.url}/admin?lang=id")
        _until(lambda: _row_state(browser, PROBE) == "daring", 15, "the page in Indonesian")
        assert browser.find_element(By.TAG_NAME, "h2").text == "Layar"
        browser.save_screenshot(str(artifacts / "console-screens-id.png"))
        browser.set_window_size(390, 844)  # a phone
        _until(lambda: _row_state(browser, PROBE) == "daring", 15, "the page on a phone")
        row = browser.find_element(By.CSS_SELECTOR, "#screens tr")
        assert row.find_element(By.CSS_SELECTOR, "button[data-action=revoke]").is_displayed()
        assert not row.find_element(By.CSS_SELECTOR, "td.wide").is_displayed()
        browser.save_screenshot(str(artifacts / "console-phone.png"))
        width = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], width  # nothing wider than the phone: no sideways scrolling
        browser.set_window_size(1280, 900)
        browser.get(f"{server.url}/admin?lang=en")
        _until(lambda: _row_state(browser, PROBE) == "online", 15, "the page in English again")

        assert _click(browser, PROBE, "revoke")
        WebDriverWait(browser, 5).until(expected_conditions.alert_is_present())
        browser.switch_to.alert.accept()
        _until(
            lambda: _row_state(browser, PROBE) == "revoked",
            15,
            "the revoked kiosk shown revoked",
        )
        wait_for_line(new_log, "revoked", new)  # the screen dropped at once and says why

        live.send_signal(signal.SIGTERM)  # the state dump is written at exit
        live.wait(30)
        state = json.loads(dump.read_text())
        assert state["settings"]["warn_after_s"] == 240 and state["settings"]["late_after_s"] == 600
        assert state["commands_obeyed"] == ["identify", "settings"]
        kept = (tmp_path / "live" / "kiosk.pushed.toml").read_text()
        assert kept == "warn_after_s = 240\n"  # kept for the next start, beside its config file
    finally:
        for child in (live, new):
            if child.poll() is None:
                child.kill()
                child.wait(10)
