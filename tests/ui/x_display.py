"""A test's own X server: a free display number, or a whole Xvfb of a size with openbox managing it.

The layout matrix, the kitchen, expo and board screenshots all run the real
window fullscreen under a real window manager (as on a kiosk PC); the
``x_session`` fixture (tests/ui/conftest.py) gives them one such display per
test, of the size the test asks for.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_display_number() -> int:
    """A number with neither a lock file nor a socket (random, so parallel runs rarely collide)."""
    candidates = list(range(200, 400))
    random.shuffle(candidates)
    for number in candidates:
        if not Path(f"/tmp/.X{number}-lock").exists() and not Path(f"/tmp/.X11-unix/X{number}").exists():
            return number
    raise RuntimeError("no free X display number between 200 and 399")


def wait_for_file(path: Path, what: str, process: subprocess.Popen[bytes], timeout: float = 15) -> str:
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.read_text().strip()):
        assert process.poll() is None, f"{what} exited with {process.returncode}"
        assert time.monotonic() < deadline, f"{what} did not start within {timeout} s"
        time.sleep(0.02)  # polling another process's output file, bounded by the deadline
    return path.read_text().strip()


@contextmanager
def xvfb_with_openbox(tmp_path: Path, width: int, height: int) -> Iterator[str]:
    """An Xvfb of ``width`` x ``height`` with openbox managing it; yields its DISPLAY (skips without them)."""
    if shutil.which("Xvfb") is None or shutil.which("openbox") is None:
        pytest.skip("needs Xvfb and openbox (apt-get install xvfb openbox)")
    number_file = tmp_path / "display-number"
    with number_file.open("w") as out:  # Xvfb picks a free display number itself and writes it here
        xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(out.fileno()), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
            pass_fds=(out.fileno(),), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    wm: subprocess.Popen[bytes] | None = None
    try:
        display = ":" + wait_for_file(number_file, "Xvfb", xvfb)
        ready = tmp_path / "openbox-ready"
        env = {**os.environ, "DISPLAY": display, "HOME": str(tmp_path)}
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        wm = subprocess.Popen(
            ["openbox", "--sm-disable", "--startup", f"sh -c 'echo up > {ready}'"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_file(ready, "openbox", wm)
        yield display
    finally:
        for process in (wm, xvfb):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=10)
