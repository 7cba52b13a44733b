"""Keep the screen from blanking while the kiosk runs fullscreen.

A kitchen screen that goes dark at the lunch rush is a lost order, so in
fullscreen we ask the platform to stay awake, and log which way was used (or
that none was, so support knows to turn blanking off in the OS):

- Linux, in this order: the freedesktop ``org.freedesktop.ScreenSaver.Inhibit``
  call over D-Bus (desktops; QtDBus, no ``xdg-screensaver`` helper process);
  on a bare X session without that service, the X server's own screensaver and
  DPMS suspended (kiosk/ui/keep_awake_x11.py); failing both, a logind idle
  inhibitor (``systemd-inhibit --what=idle``, ended with the app);
- Windows: ``SetThreadExecutionState(ES_CONTINUOUS | ES_DISPLAY_REQUIRED)``;
- macOS: ``caffeinate -d -w <pid>``, which ends with the app.
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence

from PySide6.QtDBus import QDBusConnection, QDBusInterface

from kiosk.ui.keep_awake_x11 import X11ScreenSaverSuspend

log = logging.getLogger("kiosk.ui")

_BUS_NAME = "kiosk-keep-awake"
_ES_CONTINUOUS = 0x80000000
_ES_DISPLAY_REQUIRED = 0x00000002
LINUX_METHODS = ("dbus", "x11", "systemd-inhibit")  # tried in this order
_LOGIND_RUNNING = "/run/systemd/seats"


def session_bus_address() -> str | None:
    """The session bus, read now (libdbus would cache the first answer for the process's life)."""
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    if address:
        return address
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.exists(os.path.join(runtime, "bus")):
        return f"unix:path={os.path.join(runtime, 'bus')}"
    return None


class KeepAwake:
    def __init__(self, linux_methods: Sequence[str] = LINUX_METHODS) -> None:
        self._linux_methods = tuple(linux_methods)
        self._x11: X11ScreenSaverSuspend | None = None
        self._inhibitor: subprocess.Popen[bytes] | None = None
        self._cookie: int | None = None
        self._caffeinate: subprocess.Popen[bytes] | None = None
        self._windows = False
        self.method = ""

    @property
    def active(self) -> bool:
        return bool(self.method)

    def acquire(self) -> str:
        """Start inhibiting; returns the method used ("" when none worked)."""
        if self.active:
            return self.method
        if sys.platform == "win32":
            self.method = self._windows_acquire()
        elif sys.platform == "darwin":
            self.method = self._mac_acquire()
        else:
            self.method = self._linux_acquire()
        if self.method:
            log.info("screen blanking inhibited while fullscreen (%s)", self.method)
        else:
            log.warning(
                "could not stop the screen from blanking (no screensaver service answered on D-Bus, "
                "no X screensaver extension, no logind); "
                "disable screen blanking in the operating system for this kiosk"
            )
        return self.method

    def release(self) -> None:
        if not self.active:
            return
        if self._cookie is not None:
            self._dbus_release(self._cookie)
        if self._x11 is not None:
            self._x11.release()
        for child in (self._caffeinate, self._inhibitor):
            if child is not None:
                child.terminate()
                child.wait(timeout=5)
        if self._windows:
            ctypes.windll.kernel32.SetThreadExecutionState(_ES_CONTINUOUS)  # type: ignore[attr-defined,unused-ignore]
        log.info("screen blanking allowed again (%s released)", self.method)
        self._cookie, self._caffeinate, self._windows, self.method = None, None, False, ""
        self._x11, self._inhibitor = None, None

    def _linux_acquire(self) -> str:
        for name in self._linux_methods:
            method = {
                "dbus": self._dbus_acquire,
                "x11": self._x11_acquire,
                "systemd-inhibit": self._logind_acquire,
            }[name]()
            if method:
                return method
            log.debug("keep-awake: %s is not available here", name)
        return ""

    def _x11_acquire(self) -> str:
        x11 = X11ScreenSaverSuspend()
        if not x11.acquire():
            return ""
        self._x11 = x11
        return x11.method

    def _logind_acquire(self) -> str:
        if not os.path.isdir(_LOGIND_RUNNING) or not shutil.which("systemd-inhibit"):
            return ""
        # tail --pid ends the inhibitor with this process, even if it is killed
        command = ["systemd-inhibit", "--what=idle", "--who=kiosk", "--why=kiosk screen running fullscreen"]
        command += ["--mode=block", "tail", f"--pid={os.getpid()}", "-f", "/dev/null"]
        try:
            self._inhibitor = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:
            return ""
        return "systemd-inhibit --what=idle (logind)"

    def _dbus_acquire(self) -> str:
        # A connection of our own: closing it ends the inhibition (the service
        # drops inhibitors that leave the bus), which also sidesteps passing the
        # uint32 cookie back to UnInhibit from Python.
        address = session_bus_address()
        if address is None:
            return ""
        bus = QDBusConnection.connectToBus(address, _BUS_NAME)
        if not bus.isConnected():
            QDBusConnection.disconnectFromBus(_BUS_NAME)
            return ""
        saver = QDBusInterface(
            "org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver", bus
        )
        reply = saver.call("Inhibit", "kiosk", "kiosk screen running fullscreen") if saver.isValid() else None
        arguments = reply.arguments() if reply is not None else []
        if not arguments or not isinstance(arguments[0], int):
            QDBusConnection.disconnectFromBus(_BUS_NAME)
            return ""
        self._cookie = arguments[0]
        return "org.freedesktop.ScreenSaver.Inhibit over D-Bus"

    def _dbus_release(self, cookie: int) -> None:
        log.debug("ending screensaver inhibition %s by leaving the bus", cookie)
        QDBusConnection.disconnectFromBus(_BUS_NAME)

    def _windows_acquire(self) -> str:
        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]
        if not kernel32.SetThreadExecutionState(_ES_CONTINUOUS | _ES_DISPLAY_REQUIRED):
            return ""
        self._windows = True
        return "SetThreadExecutionState(ES_DISPLAY_REQUIRED)"

    def _mac_acquire(self) -> str:
        try:
            self._caffeinate = subprocess.Popen(["caffeinate", "-d", "-w", str(os.getpid())])
        except OSError:
            return ""
        return "caffeinate -d"
