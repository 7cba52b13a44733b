"""Fullscreen keeps the screen awake: a real D-Bus daemon and a screensaver service in another process."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtDBus import QDBusConnection

from kiosk.ui.keep_awake import _BUS_NAME, KeepAwake

# The freedesktop screensaver, as a desktop session provides it (here: PySide6 in a child process).
SERVICE = r"""
import sys
from PySide6.QtCore import ClassInfo, QCoreApplication, QObject, Slot
from PySide6.QtDBus import QDBusConnection

@ClassInfo({"D-Bus Interface": "org.freedesktop.ScreenSaver"})
class Saver(QObject):
    @Slot(str, str, result=int)
    def Inhibit(self, application, reason):
        print(f"inhibit {application}: {reason}", flush=True)
        return 7

app = QCoreApplication([])
bus = QDBusConnection.connectToBus(sys.argv[1], "service")
saver = Saver()
if not bus.registerService("org.freedesktop.ScreenSaver"):
    sys.exit("cannot take the name")
bus.registerObject("/org/freedesktop/ScreenSaver", saver, QDBusConnection.RegisterOption.ExportAllSlots)
print("ready", flush=True)
app.exec()
"""


def lines_of(process: subprocess.Popen[str]) -> queue.Queue[str]:
    out: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            out.put(line.strip())

    threading.Thread(target=pump, daemon=True).start()
    return out


@pytest.fixture
def session_bus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if shutil.which("dbus-daemon") is None:
        pytest.skip("dbus-daemon is not installed (apt package dbus)")
    address = f"unix:path={tmp_path / 'bus'}"
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--nopidfile", f"--address={address}", "--print-address=1"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        printed = lines_of(daemon).get(timeout=10)
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", printed)
        yield printed
    finally:
        daemon.terminate()
        daemon.wait(timeout=5)


def test_fullscreen_inhibits_the_screensaver_and_gives_it_back(session_bus: str, qapp: object) -> None:
    service = subprocess.Popen(
        [sys.executable, "-c", SERVICE, session_bus],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    try:
        said = lines_of(service)
        assert said.get(timeout=20) == "ready"
        keep = KeepAwake()
        assert keep.acquire() == "org.freedesktop.ScreenSaver.Inhibit over D-Bus"
        assert said.get(timeout=10) == "inhibit kiosk: kiosk screen running fullscreen"
        assert QDBusConnection(_BUS_NAME).isConnected()
        keep.release()  # leaving the bus ends the inhibition
        assert not keep.active
        assert not QDBusConnection(_BUS_NAME).isConnected()
    finally:
        service.terminate()
        service.wait(timeout=5)


def test_without_any_way_to_keep_awake_it_says_so(session_bus: str, qapp: object) -> None:
    keep = KeepAwake(linux_methods=("dbus",))  # the X and logind fallbacks: tests/ui/test_keep_awake_x11.py
    assert keep.acquire() == ""
    assert not keep.active
