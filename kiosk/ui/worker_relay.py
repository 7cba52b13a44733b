"""Results from worker threads back to the GUI thread, safely.

A print job or a connection check may finish after the widget that asked
for it was closed and deleted.  Emitting a signal on a deleted QObject from
a worker thread is a race (the Python wrapper's validity check and the C++
delete happen on different threads) that can crash the process.  So workers
emit on one relay object that is never deleted; the relay runs the callback
on the GUI thread, where it can check that the receiver is still alive
without racing anybody.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal

log = logging.getLogger("kiosk.ui")


class WorkerRelay(QObject):
    _delivered = Signal(object, object)  # (callback, value)

    def __init__(self) -> None:
        super().__init__()
        self._delivered.connect(self._dispatch, Qt.ConnectionType.QueuedConnection)

    def deliver(self, callback: Callable[[Any], None], value: Any) -> None:
        """From any thread: call ``callback(value)`` on the GUI thread, if its object still lives."""
        self._delivered.emit(callback, value)

    def _dispatch(self, callback: Callable[[Any], None], value: Any) -> None:
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, QObject) and not shiboken6.isValid(owner):
            log.info("a background result arrived after its %s was closed", type(owner).__name__)
            return
        callback(value)


_relay: WorkerRelay | None = None


def relay() -> WorkerRelay:
    """The process-wide relay; first call must be on the GUI thread (a widget's __init__)."""
    global _relay  # noqa: PLW0603 - one relay per process, never deleted on purpose
    if _relay is None:
        _relay = WorkerRelay()
    return _relay
