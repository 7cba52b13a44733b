"""A bare X session (no screensaver service on D-Bus): the X server's own blanking is suspended while fullscreen.

A real Xvfb with a 1 s screensaver timeout: unsuspended it blanks within a
second; with the kiosk holding it awake it stays on, and blanks again once
the kiosk lets go.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from kiosk.ui.keep_awake import KeepAwake
from kiosk.ui.keep_awake_x11 import X11ScreenSaverSuspend
from tests.ui.x_display import free_display_number

SCREEN_SAVER_ON = 1


class _Info(ctypes.Structure):
    _fields_ = [
        ("window", ctypes.c_ulong),
        ("state", ctypes.c_int),
        ("kind", ctypes.c_int),
        ("til_or_since", ctypes.c_ulong),
        ("idle", ctypes.c_ulong),
        ("event_mask", ctypes.c_ulong),
    ]


class XScreen:
    """The test's own X connection: sets the screensaver timeout and reads whether it is blanking."""

    def __init__(self, name: str) -> None:
        self.xlib = ctypes.CDLL("libX11.so.6")
        self.xss = ctypes.CDLL("libXss.so.1")
        self.xlib.XOpenDisplay.restype = ctypes.c_void_p
        self.xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        self.xlib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        self.xlib.XDefaultRootWindow.restype = ctypes.c_ulong
        self.xlib.XSetScreenSaver.argtypes = [
            ctypes.c_void_p,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_int,
        ]
        self.xlib.XFlush.argtypes = [ctypes.c_void_p]
        self.xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self.xss.XScreenSaverAllocInfo.restype = ctypes.POINTER(_Info)
        self.xss.XScreenSaverQueryInfo.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(_Info)]
        self.display = self.xlib.XOpenDisplay(name.encode())
        assert self.display, f"cannot open X display {name}"
        self.info = self.xss.XScreenSaverAllocInfo()

    def blank_after(self, seconds: int) -> None:
        self.xlib.XSetScreenSaver(self.display, seconds, 0, 1, 1)
        self.xlib.XFlush(self.display)

    def blanking(self) -> bool:
        self.xss.XScreenSaverQueryInfo(self.display, self.xlib.XDefaultRootWindow(self.display), self.info)
        return bool(self.info.contents.state == SCREEN_SAVER_ON)

    def close(self) -> None:
        self.xlib.XCloseDisplay(self.display)


@pytest.fixture
def x_screen(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, XScreen]]:
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed")
    name = f":{free_display_number()}"
    server = subprocess.Popen(["Xvfb", name, "-screen", "0", "800x600x24", "-nolisten", "tcp"])
    try:
        deadline = time.monotonic() + 10
        screen = None
        while screen is None:
            try:
                screen = XScreen(name)
            except AssertionError:
                assert time.monotonic() < deadline, "Xvfb did not start"
                time.sleep(0.05)  # waiting for the X server to accept connections, bounded
        monkeypatch.setenv("DISPLAY", name)
        monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
        monkeypatch.setenv("XDG_RUNTIME_DIR", "/nonexistent")  # no session bus: D-Bus cannot answer
        yield name, screen
        screen.close()
    finally:
        server.terminate()
        server.wait(timeout=5)


def blanks_within(screen: XScreen, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if screen.blanking():
            return True
        time.sleep(0.05)  # sampling the X server's screensaver state, bounded by the deadline
    return False


def test_without_a_screensaver_service_the_x_servers_blanking_is_suspended(
    x_screen: tuple[str, XScreen], qapp: object
) -> None:
    _, screen = x_screen
    screen.blank_after(1)
    keep = KeepAwake()
    assert keep.acquire() == X11ScreenSaverSuspend.method
    assert not blanks_within(screen, 2.5), "the screen blanked while the kiosk held it awake"
    keep.release()
    assert not keep.active
    assert blanks_within(screen, 5), "the screen never blanked again after the kiosk let go"


def test_the_suspension_ends_with_the_kiosks_x_connection(x_screen: tuple[str, XScreen]) -> None:
    name, screen = x_screen
    screen.blank_after(1)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nsys.path.insert(0, sys.argv[2])\n"
         "from kiosk.ui.keep_awake_x11 import X11ScreenSaverSuspend\n"
         "assert X11ScreenSaverSuspend(sys.argv[1]).acquire(); print('held', flush=True); time.sleep(60)",
         name, str(__import__("pathlib").Path(__file__).resolve().parents[2])],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert not blanks_within(screen, 2.5)
        holder.kill()  # a crashed kiosk: the X server drops its suspension with the connection
        holder.wait(timeout=5)
        assert blanks_within(screen, 5)
    finally:
        if holder.poll() is None:
            holder.kill()
