"""Whether a real sound server is there, and whether the run demands one.

scripts/test.sh starts PulseAudio and sets KIOSK_REQUIRE_SOUND=1 when it came
up: from then on a missing audio output fails the sound tests instead of
skipping them, so CI cannot go green without ever playing a sound.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

REQUIRE_ENV = "KIOSK_REQUIRE_SOUND"


def sound_server_up() -> bool:
    """A PulseAudio (or PipeWire-Pulse) server answers on this user's socket."""
    if shutil.which("pactl") is None:
        return False
    done = subprocess.run(["pactl", "info"], capture_output=True, check=False, timeout=10)
    return done.returncode == 0


def require_audio_output() -> None:
    """Skip (or, when the run demands sound, fail) without a sound server."""
    if sound_server_up():
        return
    why = (
        "no sound server: start PulseAudio as scripts/test.sh does "
        "(XDG_RUNTIME_DIR set, pulseaudio --daemonize=yes ...)"
    )
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(why + f"; {REQUIRE_ENV}=1 says this run must have one")
    pytest.skip(why)
