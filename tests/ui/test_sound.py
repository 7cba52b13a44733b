"""SoundBoard: one chime per burst, mute, repeat until acknowledged, real playback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import wave
from pathlib import Path

import pytest

from kiosk.core.clock import FakeClock
from kiosk.paths import asset
from kiosk.protocol import Event
from kiosk.ui.sound import (
    DEBOUNCE_S,
    NEW_ORDER,
    ORDER_READY,
    ORDER_RELEASED,
    PAYMENT,
    SOUND_FOR_KIND,
    SoundBoard,
)
from tests.ui.sound_support import require_audio_output

ORDER_CREATED = Event.ORDER_CREATED.type

# Without a PulseAudio server (a bare CI box) Qt says so once, as a warning; the
# board handles that case on purpose, so it is not a test failure here.
pytestmark = pytest.mark.qt_log_ignore("PulseAudioService: pa_context_connect")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_every_event_kind_has_a_real_wav() -> None:
    # a status change, a line's status and a rush are silent on purpose: the kitchen made them itself
    # (the card flashes when someone else did); the screens add their own kinds (a number called, a release)
    silent = {Event.ORDER_STATUS_CHANGED, Event.ORDER_ITEM_STATUS_CHANGED, Event.ORDER_PRIORITY_CHANGED}
    assert set(SOUND_FOR_KIND) == {event.type for event in Event if event not in silent} | {
        ORDER_READY,
        ORDER_RELEASED,
    }
    for sound in set(SOUND_FOR_KIND.values()):
        header = asset("sounds", f"{sound}.wav").read_bytes()[:12]
        assert header[:4] == b"RIFF" and header[8:12] == b"WAVE"


def test_a_burst_of_twenty_orders_plays_one_chime(qapp, clock: FakeClock) -> None:
    board = SoundBoard(clock, enabled=True)
    started = [board.play(ORDER_CREATED) for _ in range(20)]
    assert started == [True] + [False] * 19
    assert board.played_count == 1
    clock.advance(DEBOUNCE_S - 0.01)
    assert board.play(ORDER_CREATED) is False
    clock.advance(0.01)
    assert board.play(ORDER_CREATED) is True
    assert board.played_count == 2


def test_different_sounds_are_not_debounced_against_each_other(qapp, clock: FakeClock) -> None:
    board = SoundBoard(clock, enabled=True)
    assert board.play(ORDER_CREATED)
    assert board.play(Event.PAYMENT_PROCESSED.type)
    # qr scans share the payment sound, so they fall in its debounce window
    assert not board.play(Event.QR_SCANNED.type)
    assert board.played_count == 2
    assert board.play("no_such_event") is False


def test_muted_board_plays_nothing_and_unmuting_restores(qapp, clock: FakeClock) -> None:
    board = SoundBoard(clock, enabled=False)
    assert board.muted
    assert board.play(ORDER_CREATED) is False
    board.muted = False
    assert board.play(ORDER_CREATED) is True
    board.muted = True
    clock.advance(60)
    assert board.play(ORDER_CREATED) is False
    assert board.played_count == 1


def test_new_order_chime_repeats_until_acknowledged(qapp, clock: FakeClock) -> None:
    board = SoundBoard(clock, enabled=True, repeat_chime_s=30)
    board.play(ORDER_CREATED)
    assert board.repeat_pending
    clock.advance(29.9)
    assert board.tick() is False
    clock.advance(0.1)
    assert board.tick() is True
    clock.advance(30)
    assert board.tick() is True
    assert board.played_count == 3
    board.acknowledge()
    assert not board.repeat_pending
    clock.advance(300)
    assert board.tick() is False
    assert board.played_count == 3


def test_no_repeat_when_the_option_is_off(qapp, clock: FakeClock) -> None:
    board = SoundBoard(clock, enabled=True, repeat_chime_s=0)
    board.play(ORDER_CREATED)
    clock.advance(3600)
    assert board.tick() is False
    assert board.played_count == 1


def test_a_chime_really_plays_to_its_end_on_the_sound_server(qapp, qtbot, clock: FakeClock) -> None:
    require_audio_output()
    board = SoundBoard(clock, enabled=True)
    player = board.player(NEW_ORDER)
    assert board.play(ORDER_CREATED)
    assert player.playing
    with wave.open(str(asset("sounds", f"{NEW_ORDER}.wav"))) as wav:
        length_ms = 1000 * wav.getnframes() // wav.getframerate()
    # the server consumed the whole chime, and the stream was closed after it
    qtbot.waitUntil(lambda: not player.playing, timeout=5000)
    assert player.processed_ms >= length_ms - 50, (player.processed_ms, length_ms)
    assert board.audio_available
    # a payment uses its own player, and a replay starts from the beginning
    assert board.play(Event.PAYMENT_PROCESSED.type)
    qtbot.waitUntil(lambda: board.player(PAYMENT).playing, timeout=5000)
    clock.advance(DEBOUNCE_S)
    assert board.play(ORDER_CREATED)
    assert player.started_count == 2 and player.processed_ms < length_ms


def test_without_an_audio_device_it_logs_once_and_carries_on(tmp_path: Path) -> None:
    # A child process with no reachable PulseAudio server: the players cannot
    # play, the board must neither raise nor log more than once.
    script = textwrap.dedent(
        """
        import json, logging, sys
        from PySide6.QtWidgets import QApplication
        from kiosk.core.clock import FakeClock
        from kiosk.ui.sound import SoundBoard
        records = []
        class Keep(logging.Handler):
            def emit(self, record):
                records.append(record.getMessage())
        logging.getLogger("kiosk.sound").addHandler(Keep())
        logging.getLogger("kiosk.sound").setLevel(logging.INFO)
        app = QApplication(sys.argv)
        clock = FakeClock()
        board = SoundBoard(clock, enabled=True)
        for _ in range(3):
            board.play("order_created"); board.play("alert"); clock.advance(10)
        app.processEvents()
        print(json.dumps({"count": board.played_count, "available": board.audio_available, "log": records}))
        """
    )
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_RUNTIME_DIR": str(tmp_path),
        "PULSE_SERVER": f"unix:{tmp_path}/no-such-socket",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["count"] == 6
    assert result["available"] is False
    warnings = [line for line in result["log"] if "without sound" in line]
    assert len(warnings) == 1, result["log"]


def test_committed_wavs_are_what_the_script_makes(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    subprocess.run(
        [sys.executable, str(root / "scripts" / "make_sounds.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    for made in sorted(tmp_path.glob("*.wav")):
        assert made.read_bytes() == asset("sounds", made.name).read_bytes(), (
            f"{made.name} differs: rerun the script"
        )
    assert {p.name for p in tmp_path.glob("*.wav")} == {f"{s}.wav" for s in set(SOUND_FOR_KIND.values())}


def test_every_sound_is_shorter_than_the_debounce_window() -> None:
    """So a sound is never started again while it still plays (no overlapping chimes)."""
    for sound in set(SOUND_FOR_KIND.values()):
        with wave.open(str(asset("sounds", f"{sound}.wav"))) as wav:
            seconds = wav.getnframes() / wav.getframerate()
            assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        assert 0.2 < seconds < DEBOUNCE_S, (sound, seconds)


def test_an_unplayable_wav_is_logged_once_and_the_other_chimes_still_play(
    qapp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    require_audio_output()
    (tmp_path / "sounds").mkdir()
    for sound in set(SOUND_FOR_KIND.values()):
        shutil.copy(asset("sounds", f"{sound}.wav"), tmp_path / "sounds" / f"{sound}.wav")
    (tmp_path / "sounds" / f"{NEW_ORDER}.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really a wav")
    monkeypatch.setenv("KIOSK_ASSETS_DIR", str(tmp_path))
    caplog.set_level("INFO", logger="kiosk.sound")
    board = SoundBoard(FakeClock(), enabled=True)
    assert board.play(ORDER_CREATED)  # still counted, never raises
    assert board.played_count == 1
    assert board.player(NEW_ORDER).error is not None
    assert not board.player(NEW_ORDER).playing
    assert not board.audio_available
    warnings = [r.getMessage() for r in caplog.records if "without sound" in r.getMessage()]
    assert len(warnings) == 1 and f"{NEW_ORDER}.wav" in warnings[0], warnings
    assert board.play(Event.PAYMENT_PROCESSED.type)
    assert board.player(PAYMENT).playing  # only the broken chime is silent


def test_qtmultimedia_is_loaded_only_at_the_first_sound_started(tmp_path: Path) -> None:
    # A child process: this module imports QtMultimedia itself. The audio backend
    # costs ~29 MiB, so a muted or still-quiet board must not have loaded it.
    script = textwrap.dedent(
        """
        import json, sys
        from PySide6.QtWidgets import QApplication
        from kiosk.core.clock import FakeClock
        from kiosk.ui.sound import SoundBoard
        import kiosk.ui.app  # the whole app's import chain
        app = QApplication(sys.argv)
        loaded = lambda: "PySide6.QtMultimedia" in sys.modules
        steps = {"imported": loaded()}
        muted = SoundBoard(FakeClock(), enabled=False)
        quiet = SoundBoard(FakeClock(), enabled=True)
        steps["constructed"] = loaded()
        muted.play("order_created"); quiet.play("no_such_event"); quiet.tick(); quiet.acknowledge()
        steps["muted or nothing to play"] = loaded()
        quiet.play("order_created")
        steps["first sound"] = loaded()
        print(json.dumps({"steps": steps, "count": quiet.played_count + muted.played_count}))
        """
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    env["PULSE_SERVER"] = f"unix:{tmp_path}/no-such-socket"  # no device needed: only what gets loaded
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["steps"] == {
        "imported": False,
        "constructed": False,
        "muted or nothing to play": False,
        "first sound": True,
    }
    assert result["count"] == 1
