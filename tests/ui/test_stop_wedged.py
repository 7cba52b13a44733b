"""SIGTERM ends a real kiosk within 2 s: cleanly when it is well, and also when its GUI thread is stuck.

The wedge is made the way the field froze: the GUI thread stops running the
event loop (here it blocks in a read that PEP 475 retries after every signal,
as the QSoundEffect freeze spun inside Qt), so Python's own signal handling
never gets a chance and only the stop-signal watcher thread can act.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.support.server_process import ServerProcess
from tests.ui.test_headless import clean_env, wait_for_line

CHILD = textwrap.dedent(
    """
    import asyncio, logging, os, sys
    import kiosk.ui.app as app_module
    from kiosk.cli import main

    wedge_after = float(sys.argv[1])
    serve = app_module._serve

    def wedge():
        logging.getLogger("kiosk.test").warning("wedging the GUI thread now")
        for handler in logging.getLogger().handlers:
            handler.flush()
        read_end, _ = os.pipe()
        os.read(read_end, 1)  # never returns

    async def wedged_serve(*args, **kwargs):
        if wedge_after >= 0:
            asyncio.get_running_loop().call_later(wedge_after, wedge)
        return await serve(*args, **kwargs)

    app_module._serve = wedged_serve
    sys.exit(main(sys.argv[2:]))
    """
)


def start_kiosk(server: ServerProcess, tmp_path: Path, wedge_after: float) -> subprocess.Popen[str]:
    token = server.add_device("kitchen-stop", ["display"])
    args = ["--server", server.url, "--room", "display", "--token", token, "--offscreen"]
    args += ["--dump-state", str(tmp_path / "state.json")]
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(wedge_after), *args],
        env=clean_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop_and_time(child: subprocess.Popen[str], signum: signal.Signals) -> tuple[int, float]:
    sent = time.monotonic()
    child.send_signal(signum)
    try:
        code = child.wait(timeout=15)
    except subprocess.TimeoutExpired:
        child.kill()
        pytest.fail(f"{signum.name} did not end the kiosk within 15 s")
    return code, time.monotonic() - sent


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_a_healthy_kiosk_cleanly_within_two_seconds(
    server: ServerProcess, tmp_path: Path, signum: signal.Signals
) -> None:
    server.create_order(customer_name="Rina")
    child = start_kiosk(server, tmp_path, wedge_after=-1)
    try:
        wait_for_line(tmp_path / "logs" / "kiosk.log", "live with 1 orders on screen", child)
        code, took = stop_and_time(child, signum)
    finally:
        if child.poll() is None:
            child.kill()
    log_text = (tmp_path / "logs" / "kiosk.log").read_text()
    assert code == 0, child.communicate()[1][-3000:]
    assert took < 2.0, took
    assert f"{signum.name} received: stopping" in log_text
    assert json.loads((tmp_path / "state.json").read_text())["connection"]["state"] == "live"


def test_sigterm_ends_a_kiosk_whose_gui_thread_is_stuck_within_two_seconds(
    server: ServerProcess, tmp_path: Path
) -> None:
    child = start_kiosk(server, tmp_path, wedge_after=0.5)
    log_file = tmp_path / "logs" / "kiosk.log"
    try:
        wait_for_line(log_file, "wedging the GUI thread now", child)
        code, took = stop_and_time(child, signal.SIGTERM)
    finally:
        if child.poll() is None:
            child.kill()
    log_text = log_file.read_text()
    assert code == 128 + signal.SIGTERM, child.communicate()[1][-3000:]
    assert took < 2.6, took  # the 2 s deadline plus process teardown
    assert "did not stop within 2 s of SIGTERM" in log_text
