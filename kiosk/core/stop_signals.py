"""SIGINT/SIGTERM stop the app cleanly, and within a deadline even when its event loop is stuck.

A Python signal handler runs only when the main thread executes Python code.
When the GUI thread was wedged inside Qt (the QSoundEffect freeze), SIGTERM
from systemd, a terminal's Ctrl+C and ``--quit-after`` were all ignored and
only SIGKILL ended the screen.  So the signal is taken off the main thread:
``signal.set_wakeup_fd`` makes CPython's C-level handler write the signal
number to a pipe, in whichever thread the kernel interrupted, and a small
watcher thread blocked on that pipe asks the app to stop.  If the app has not
finished within ``deadline_s`` the watcher logs why and ends the process
itself, so a supervisor (systemd, the autostart script) can start it again.

The same thread enforces ``--quit-after``: a headless support run that has
not quit some seconds after its time is ended the same way.

Time and the final exit are injected so the tests can drive it exactly.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from collections.abc import Callable, Sequence

from kiosk.core.log_throttle import RepeatFilter

log = logging.getLogger("kiosk.app")

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
DEADLINE_S = 2.0
_WAKE_ONLY = 0  # written by uninstall(): no signal has that number


def _hard_exit(code: int) -> None:  # pragma: no cover - replaced in tests
    os._exit(code)


class StopSignals:
    """Install with ``install()`` on the main thread; call ``finished()`` once the app has shut down."""

    def __init__(
        self,
        request_stop: Callable[[], object],
        *,
        deadline_s: float = DEADLINE_S,
        hard_exit: Callable[[int], None] = _hard_exit,
        signals: Sequence[signal.Signals] = STOP_SIGNALS,
    ) -> None:
        self._request_stop = request_stop
        self._deadline_s = deadline_s
        self._hard_exit = hard_exit
        self._signals = tuple(signals)
        self._finished = threading.Event()
        self._previous: dict[signal.Signals, object] = {}
        self._previous_fd = -1
        self._read_fd = -1
        self._write_fd = -1
        self._watcher: threading.Thread | None = None
        self._quit_timer: threading.Timer | None = None
        self.received: list[signal.Signals] = []

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            log.warning("not on the main thread: SIGINT/SIGTERM keep their default handling")
            return
        self._read_fd, self._write_fd = os.pipe()
        os.set_blocking(self._write_fd, False)  # the C handler must never block
        for signum in self._signals:
            # A Python handler must be set for CPython to write to the wakeup fd;
            # the work is done by the watcher thread, not here.
            self._previous[signum] = signal.signal(signum, _noop_handler)
        self._previous_fd = signal.set_wakeup_fd(self._write_fd, warn_on_full_buffer=False)
        self._watcher = threading.Thread(target=self._watch, name="kiosk-stop-signals", daemon=True)
        self._watcher.start()

    def quit_after(self, seconds: float, grace_s: float = 5.0) -> None:
        """End the process if the app is still running ``grace_s`` after its ``--quit-after`` time."""
        timer = threading.Timer(seconds + grace_s, self._overdue, args=(seconds + grace_s,))
        timer.name = "kiosk-quit-after"
        timer.daemon = True
        self._quit_timer = timer
        timer.start()

    def finished(self) -> None:
        """The app has shut down: no hard exit from here on."""
        self._finished.set()
        if self._quit_timer is not None:
            self._quit_timer.cancel()

    def uninstall(self) -> None:
        self.finished()
        if self._read_fd < 0:
            return
        signal.set_wakeup_fd(self._previous_fd)
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]
        with contextlib.suppress(OSError):
            os.write(self._write_fd, bytes([_WAKE_ONLY]))
        if self._watcher is not None:
            self._watcher.join(timeout=5)
        for fd in (self._read_fd, self._write_fd):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._read_fd = self._write_fd = -1

    def _watch(self) -> None:
        stopping = False
        while True:
            try:
                data = os.read(self._read_fd, 16)
            except OSError:
                return
            if not data:
                return
            for number in data:
                if number == _WAKE_ONLY:
                    return
                signum = signal.Signals(number)
                self.received.append(signum)
                if stopping:
                    log.info("%s received again while stopping", signum.name)
                    continue
                stopping = True
                log.info("%s received: stopping", signum.name)
                try:
                    self._request_stop()
                except Exception:  # the deadline below still ends the process
                    log.exception("asking the app to stop failed")
                threading.Thread(
                    target=self._enforce_deadline, args=(signum,), name="kiosk-stop-deadline", daemon=True
                ).start()

    def _enforce_deadline(self, signum: signal.Signals) -> None:
        if self._finished.wait(self._deadline_s):
            return
        log.error(
            "the app did not stop within %.0f s of %s (its event loop is stuck); ending the process now",
            self._deadline_s,
            signum.name,
        )
        _flush_logs()
        self._hard_exit(128 + int(signum))

    def _overdue(self, seconds: float) -> None:
        if self._finished.is_set():
            return
        log.error("the app was still running %.0f s after --quit-after; ending the process now", seconds)
        _flush_logs()
        self._hard_exit(4)


def _noop_handler(_signum: int, _frame: object) -> None:
    """Placeholder so CPython writes the signal to the wakeup fd; StopSignals' thread acts on it."""


def _flush_logs() -> None:
    for handler in logging.getLogger().handlers:
        with contextlib.suppress(Exception):
            for log_filter in handler.filters:
                if isinstance(log_filter, RepeatFilter):
                    log_filter.flush_expired()  # the "repeated N times" line of a flood in progress
            handler.flush()
