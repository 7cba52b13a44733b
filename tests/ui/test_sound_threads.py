"""The freeze with a real sound server: chimes must never touch the GUI thread's notifiers from the audio thread.

With Qt 6.11's QSoundEffect, a burst of chimes on a desktop PulseAudio made
the audio thread destroy a GUI-thread QSocketNotifier; the GUI thread then
spun on "QSocketNotifier: Invalid socket N" at 100 % CPU and never quit.  This
test plays every chime every 5 ms (overlapping, no debounce) in a child
process for a few seconds against the real PulseAudio that scripts/test.sh
starts with its desktop configuration.  On the QSoundEffect board it wedged
within seconds in every run; the child must now play them all, log no
QSocketNotifier warning and quit by itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.ui.sound_support import require_audio_output

CHILD = textwrap.dedent(
    """
    import json, sys, time
    from PySide6.QtCore import QTimer, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication
    from kiosk.core.clock import FakeClock
    from kiosk.ui.sound import SOUND_FOR_KIND, SoundBoard

    seconds = float(sys.argv[1])
    notifier_warnings = []

    def on_qt_message(kind, context, message):
        if "QSocketNotifier" in message:
            notifier_warnings.append(message)

    qInstallMessageHandler(on_qt_message)
    app = QApplication(sys.argv[:1])
    clock = FakeClock()
    board = SoundBoard(clock, enabled=True, debounce_s=0)
    kinds = sorted(SOUND_FOR_KIND)
    started = time.monotonic()

    def burst():
        for kind in kinds:
            board.play(kind)
        clock.advance(0.005)
        if notifier_warnings or time.monotonic() - started > seconds:
            app.quit()

    timer = QTimer()
    timer.timeout.connect(burst)
    timer.start(5)
    app.exec()
    timer.stop()
    consumed = {name: board.player(name).started_count for name in set(SOUND_FOR_KIND.values())}
    print(json.dumps({
        "played": board.played_count,
        "started": consumed,
        "available": board.audio_available,
        "notifier_warnings": notifier_warnings[:3],
    }))
    """
)


@pytest.mark.parametrize("run", range(3))
def test_a_storm_of_chimes_on_a_real_sound_server_never_wedges_the_gui_thread(
    run: int, tmp_path: Path
) -> None:
    require_audio_output()
    seconds = 6.0
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(seconds)],
            env=env,
            capture_output=True,
            text=True,
            timeout=seconds + 30,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the chime storm wedged the GUI thread (no exit within {exc.timeout} s)")
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["notifier_warnings"] == [], result
    assert result["available"], result
    assert result["played"] > 1000, result  # really a storm: four chimes every few ms
    # each chime really started over and over (227 of each on a 2-core machine at load 7, ~800 idle)
    assert all(count > 100 for count in result["started"].values()), result
