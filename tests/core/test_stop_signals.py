"""StopSignals: real signals to this process; the stop request and the hard exit are recorded, not taken."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from kiosk.core.stop_signals import StopSignals


class Exits:
    """Records the exit code instead of ending the test process."""

    def __init__(self) -> None:
        self.codes: list[int] = []
        self.event = threading.Event()

    def __call__(self, code: int) -> None:
        self.codes.append(code)
        self.event.set()


@pytest.fixture
def exits() -> Exits:
    return Exits()


@pytest.fixture
def stops() -> Iterator[threading.Event]:
    yield threading.Event()


def test_sigterm_asks_the_app_to_stop_and_a_finished_app_is_not_killed(
    exits: Exits, stops: threading.Event
) -> None:
    watcher = StopSignals(stops.set, deadline_s=0.3, hard_exit=exits)
    watcher.install()
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        assert stops.wait(5), "the stop request never came"
        watcher.finished()
        assert not exits.event.wait(0.6), "a finished app was ended anyway"
    finally:
        watcher.uninstall()
    assert watcher.received == [signal.SIGTERM]
    assert exits.codes == []


def test_an_app_that_does_not_stop_in_time_is_ended_with_the_signal_code(
    exits: Exits, stops: threading.Event, caplog: pytest.LogCaptureFixture
) -> None:
    watcher = StopSignals(stops.set, deadline_s=0.3, hard_exit=exits)
    watcher.install()
    try:
        sent = time.monotonic()
        os.kill(os.getpid(), signal.SIGINT)
        assert exits.event.wait(5), "no hard exit for an app that never finished"
        took = time.monotonic() - sent
    finally:
        watcher.uninstall()
    assert stops.is_set()
    assert exits.codes == [128 + signal.SIGINT]
    assert 0.25 <= took < 2.0, took
    assert any("did not stop within" in r.getMessage() and "SIGINT" in r.getMessage() for r in caplog.records)


def test_the_signal_is_seen_even_while_the_main_thread_never_runs_python(
    exits: Exits, stops: threading.Event
) -> None:
    # The main thread sits in a blocking read that is retried after each signal
    # (PEP 475), as a wedged GUI thread sits in C++: Python's handler does nothing useful there.
    read_fd, write_fd = os.pipe()
    watcher = StopSignals(lambda: os.write(write_fd, b"x") and stops.set(), deadline_s=5, hard_exit=exits)
    watcher.install()
    try:
        threading.Timer(0.2, os.kill, args=(os.getpid(), signal.SIGTERM)).start()
        assert os.read(read_fd, 1) == b"x"  # only the watcher thread can end this read
    finally:
        watcher.uninstall()
        os.close(read_fd)
        os.close(write_fd)
    assert stops.is_set()


def test_quit_after_that_is_overdue_ends_the_process(exits: Exits, stops: threading.Event) -> None:
    watcher = StopSignals(stops.set, hard_exit=exits)
    watcher.install()
    try:
        watcher.quit_after(0.1, grace_s=0.2)
        assert exits.event.wait(5)
    finally:
        watcher.uninstall()
    assert exits.codes == [4]


def test_uninstall_restores_the_previous_handlers(exits: Exits, stops: threading.Event) -> None:
    before = signal.getsignal(signal.SIGTERM)
    watcher = StopSignals(stops.set, hard_exit=exits)
    watcher.install()
    assert signal.getsignal(signal.SIGTERM) is not before
    watcher.uninstall()
    assert signal.getsignal(signal.SIGTERM) is before
    assert signal.set_wakeup_fd(-1) == -1  # no wakeup fd left behind
