"""Run the kiosk: Qt application, qasync loop, one Session and window per room.

The core is asyncio; Qt owns the thread.  qasync runs asyncio on Qt's event
loop so the core's callbacks arrive on the GUI thread and widgets can be
touched directly.  Blocking REST calls run in the loop's executor (the core
does that), never here.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import importlib
import logging
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import qasync
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from kiosk.core.clock import Clock, SystemClock
from kiosk.core.config import Config
from kiosk.core.connection_status import ConnectionState
from kiosk.core.session import Session
from kiosk.core.stop_signals import StopSignals
from kiosk.ui.headless import HeadlessOptions, save_screenshot, state_dump, write_state
from kiosk.ui.window import MainWindow, make_sound

log = logging.getLogger("kiosk.ui")

# Zero for the start-up figures in the log when the caller gives none.
STARTED = time.monotonic()


class FrameProbe(QObject):
    """Logs when the window first paints, and when it first paints while live.

    Support reads "first frame after 412 ms; live with 1873 orders on screen
    after 1.9 s" in the log instead of guessing why a screen starts slowly.
    """

    def __init__(self, window: MainWindow, session: Session, started: float) -> None:
        super().__init__(window)
        self._started = started
        self._session = session
        self._window = window
        self.first_frame_s: float | None = None
        self.live_frame_s: float | None = None
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() in (QEvent.Type.Paint, QEvent.Type.UpdateRequest):
            QTimer.singleShot(0, self._painted)
        return False

    def _painted(self) -> None:
        now = time.monotonic() - self._started
        if self.first_frame_s is None:
            self.first_frame_s = now
            log.info("first frame after %d ms", now * 1000)
        if self.live_frame_s is None and self._session.status.state is ConnectionState.LIVE:
            self.live_frame_s = now
            log.info("live with %d orders on screen after %d ms", len(self._session.store.orders), now * 1000)
            self._window.removeEventFilter(self)


@dataclass
class Screen:
    config: Config
    session: Session
    window: MainWindow


class GuiThreadCollector(QObject):
    """Run Python's cyclic garbage collector on the GUI thread only.

    Left automatic, a collection can start in any thread that allocates (the
    REST executor) and destroy Qt objects there, which Qt forbids ("Timers
    cannot be stopped from another thread") and which can crash.  So automatic
    collection is off and this timer collects, generation by generation as the
    thresholds say, on the GUI thread (the pattern pyqtgraph uses).
    """

    def __init__(self, interval_ms: int = 1000, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer.start(interval_ms)

    def check(self) -> None:
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._thresholds[generation]:
                gc.collect(generation)
                return

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()


def make_application(offscreen: bool, argv: Sequence[str] = ()) -> QApplication:
    """The QApplication, themed (platform chosen before it exists: offscreen or the default)."""
    if offscreen:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0], *argv])
    app.setApplicationName("kiosk")
    app.setOrganizationName("kiosk")
    _apply_look(app)
    return app


def _apply_look(app: QApplication) -> None:
    try:
        from kiosk.ui.theme import apply_theme  # noqa: PLC0415 - optional at run time
    except ImportError as exc:
        log.warning("dark theme not available (%s); using the platform style", exc)
        return
    apply_theme(app)


def install_language(app: QApplication, language: str) -> None:
    try:
        install_translator = importlib.import_module("kiosk.ui.i18n").install_translator
    except (ImportError, AttributeError) as exc:  # part of the app that may be absent in a trimmed build
        log.warning("translations not available (%s); the screen stays in English", exc)
        return
    install_translator(app, language)


def setup_if_needed(config: Config, path: Path | None) -> Config | None:
    """First run: ask for server, room and token (the dialog checks them by connecting), then save."""
    app = make_application(offscreen=False)
    install_language(app, config.language)
    try:
        run_setup_dialog = importlib.import_module("kiosk.ui.setup_dialog").run_setup_dialog
    except (ImportError, AttributeError) as exc:
        log.error("no setup dialog available (%s); pass --server, --room and --token", exc)
        return None
    result: Config | None = run_setup_dialog(config, path)  # checks by connecting, then saves
    if result is not None:
        log.info("first-run setup done for room %s", result.room)
    return result


def _sound_report(window: MainWindow) -> dict[str, Any]:
    """The window's part of the screen's report: is its sound muted (or off)?"""
    sound = window.sound
    return {"sound_muted": sound is None or bool(getattr(sound, "muted", False))}


def suffixed(path: Path, room: str, many: bool) -> Path:
    """``shot.png`` → ``shot-kasir-1.png`` when several windows share one option."""
    return path.with_name(f"{path.stem}-{room}{path.suffix}") if many else path


async def run_screens(
    configs: Sequence[Config],
    headless: HeadlessOptions,
    *,
    clock: Clock | None = None,
    data_dir: Path | None = None,
    started: float | None = None,
    config_path: Path | None = None,
) -> int:
    """Open a window per config, run until closed / signalled / ``quit_after``; then dump and stop.

    ``config_path``: the one screen's config file, beside which settings pushed from the console
    are kept (kiosk/core/screen_commands.py); None keeps them for this run only.
    """
    clock = clock or SystemClock()
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    screens: list[Screen] = []
    for config in configs:
        session = Session(config, clock=clock, data_dir=data_dir, config_path=config_path)
        window = MainWindow(session, config, clock)
        window.sound = make_sound(config, clock, window)
        session.reporter.extras = functools.partial(_sound_report, window)
        window.closed.connect(done.set)
        FrameProbe(window, session, started if started is not None else STARTED)
        screens.append(Screen(config, session, window))
        if config.fullscreen and not headless.offscreen:
            window.set_fullscreen(True)
        else:
            window.show()
    started = time.monotonic()
    # Ctrl+C / SIGTERM end the app cleanly (state dump, session stop), and within
    # 2 s even if the loop is stuck; see kiosk/core/stop_signals.py.
    stop_signals = StopSignals(lambda: loop.call_soon_threadsafe(done.set))
    stop_signals.install()
    try:
        return await _serve(
            screens, headless, loop=loop, done=done, stop_signals=stop_signals, started=started
        )
    finally:
        stop_signals.uninstall()


async def _serve(
    screens: Sequence[Screen],
    headless: HeadlessOptions,
    *,
    loop: asyncio.AbstractEventLoop,
    done: asyncio.Event,
    stop_signals: StopSignals,
    started: float,
) -> int:
    for screen in screens:
        await screen.session.start()
    if headless.quit_after is not None:
        loop.call_later(headless.quit_after, done.set)
        stop_signals.quit_after(headless.quit_after)
        log.info("headless: quitting after %.1f s", headless.quit_after)
    await done.wait()
    log.info("shutting down after %.1f s", time.monotonic() - started)
    many = len(screens) > 1
    code = 0
    for screen in screens:
        room = screen.config.room
        if headless.screenshot is not None and not save_screenshot(
            screen.window, suffixed(headless.screenshot, room, many)
        ):
            code = 3
        if headless.dump_state is not None:
            sound = screen.window.sound
            played, heard = (sound.played_count, sound.heard_count) if sound is not None else (0, 0)
            dump = state_dump(screen.session, screen.window.screen_widget.state_extra(), played, heard)
            write_state(suffixed(headless.dump_state, room, many), dump)
    stopping = time.monotonic()
    # together, not one after the other: a supervisor's SIGTERM gives us 2 s in all
    await asyncio.gather(*(screen.session.stop() for screen in screens))
    for screen in screens:
        screen.window.closed.disconnect(done.set)
        screen.window.close()
    log.info("stopped %d screen(s) in %d ms", len(screens), (time.monotonic() - stopping) * 1000)
    return code


def run_app(
    configs: Sequence[Config],
    headless: HeadlessOptions,
    *,
    language: str | None = None,
    started: float | None = None,
    pair_to: Path | None = None,
    config_path: Path | None = None,
) -> int:
    """The blocking entry point used by ``kiosk.cli``; returns the process exit code.

    With ``pair_to`` the one screen first shows its pairing code (kiosk/ui/pairing_screen.py) until
    the admin approves it, saves its token there, and then goes live.
    """
    app = make_application(headless.offscreen)
    install_language(app, language or configs[0].language)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    collector = GuiThreadCollector(parent=app)
    try:
        if pair_to is not None:
            pair = importlib.import_module("kiosk.ui.pairing_screen").pair
            fullscreen = configs[0].fullscreen and not headless.offscreen
            configs = [loop.run_until_complete(pair(configs[0], pair_to, fullscreen=fullscreen))]
            config_path = pair_to
        code: int = loop.run_until_complete(
            run_screens(configs, headless, started=started, config_path=config_path)
        )
        return code
    finally:
        loop.close()
        asyncio.set_event_loop(None)
        collector.stop()
