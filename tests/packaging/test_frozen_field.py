"""The shipped bundle as the field froze it: the frozen kiosk, the frozen server's demo feed, a real PulseAudio.

The report: headless against the frozen server with ``demo-feed --rate 3`` and
a sound server, the frozen kiosk froze in 4 of 4 runs with sound.  Each run
here must play several chimes on the sound server, log no QSocketNotifier
warning and quit by itself at ``--quit-after``.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from tests.packaging.frozen import Built, FrozenServer, frozen_env, wait_for_line
from tests.ui.sound_support import require_audio_output

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

RUN_S = 30.0


@pytest.mark.parametrize("run", range(3))
def test_frozen_kiosk_with_sound_and_live_traffic_quits_by_itself(
    run: int, built: Built, frozen_server: FrozenServer, tmp_path: Path
) -> None:
    require_audio_output()
    token = frozen_server.add_device(f"kitchen-field-{run}", ["display"])
    home = tmp_path / "kiosk-home"
    home.mkdir()
    state_file, log_file, feed_log = tmp_path / "state.json", tmp_path / "kiosk.log", tmp_path / "feed.log"
    feed_command = [str(built.server_exe), "demo-feed", "--url", frozen_server.url]
    feed_command += ["--token", frozen_server.admin_token, "--rate", "3", "--duration", f"{RUN_S + 30:g}"]
    feed_command += ["--seed", str(run)]
    kiosk_command = [str(built.kiosk_exe), "--server", frozen_server.url, "--room", "display"]
    kiosk_command += ["--token", token, "--offscreen", "--dump-state", str(state_file)]
    kiosk_command += ["--quit-after", f"{RUN_S:g}"]
    with feed_log.open("wb") as feed_out, log_file.open("wb") as kiosk_out:
        feed = subprocess.Popen(
            feed_command, stdout=feed_out, stderr=subprocess.STDOUT, env=frozen_server.env
        )
        kiosk = subprocess.Popen(
            kiosk_command, stdout=kiosk_out, stderr=subprocess.STDOUT, env=frozen_env(home)
        )
        started = time.monotonic()
        try:
            wait_for_line(log_file, r"live in display", kiosk, timeout=30)
            code = kiosk.wait(timeout=RUN_S + 30)
            took = time.monotonic() - started
        except subprocess.TimeoutExpired:
            pytest.fail(f"the frozen kiosk did not quit by itself:\n{log_file.read_text()[-3000:]}")
        finally:
            for process in (kiosk, feed):
                if process.poll() is None:
                    process.kill()
                    process.wait()
    text = log_file.read_text(errors="replace")
    state = json.loads(state_file.read_text())
    assert code == 0, text[-3000:]
    assert took < RUN_S + 15, took
    notifier_lines = [line for line in text.splitlines() if "QSocketNotifier" in line]
    assert notifier_lines == [], notifier_lines[:5]
    assert "carries on without sound" not in text, text[-3000:]
    assert state["sounds_heard"] >= 3, state["sounds_heard"]  # chimes really reached the sound server
    assert len(state["orders"]) >= 5, "the feed's orders reached the screen"
