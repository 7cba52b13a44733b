"""Core callbacks → Qt signals, and coroutines fired from Qt slots.

The core calls its listeners on the event loop thread, which in the app is the
Qt thread (qasync).  Turning each callback into a Qt signal lets widgets use
ordinary connections, and if a callback ever arrives from another thread, Qt's
queued connections deliver it on the GUI thread instead of corrupting a
widget.  The bridge holds the core's unsubscribe handles so a closing screen
leaves no dangling listener behind.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from kiosk.core.connection_status import ConnectionStatus
    from kiosk.core.session import ActionOutcome, Session
    from kiosk.core.store import Change, Notice

log = logging.getLogger("kiosk.ui")


class SessionBridge(QObject):
    """Re-emits a Session's store changes, notices, status and action outcomes as signals."""

    changes = Signal(object)  # Sequence[Change]
    notice = Signal(object)  # Notice
    status = Signal(object)  # ConnectionStatus
    action = Signal(object)  # ActionOutcome

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        handles: list[Callable[[], None]] = [
            session.store.subscribe(self),
            session.subscribe_status(self._on_status),
            session.subscribe_actions(self._on_action),
        ]
        self._unsubscribe = handles
        # When Qt deletes the bridge with its screen, unsubscribe without touching
        # the half-destroyed object: the closure holds only the handles.
        self.destroyed.connect(lambda *_: _drop(handles))

    # StoreListener
    def on_changes(self, changes: Sequence[Change]) -> None:
        self.changes.emit(changes)

    def on_notice(self, notice: Notice) -> None:
        self.notice.emit(notice)

    def _on_status(self, status: ConnectionStatus) -> None:
        self.status.emit(status)

    def _on_action(self, outcome: ActionOutcome) -> None:
        self.action.emit(outcome)

    def close(self) -> None:
        """Stop listening to the session (idempotent)."""
        self._drop_subscriptions()

    def _drop_subscriptions(self) -> None:
        _drop(self._unsubscribe)


def _drop(handles: list[Callable[[], None]]) -> None:
    while handles:
        unsubscribe = handles.pop()
        try:
            unsubscribe()
        except Exception:  # a failing unsubscribe must not break closing a screen
            log.exception("unsubscribing a screen from the session failed")


_running: set[asyncio.Task[Any]] = set()


def fire(coro: Coroutine[Any, Any, Any], what: str) -> asyncio.Task[Any] | None:
    """Start a coroutine from a Qt slot, keep a reference, and log (never raise) its failure.

    Returns None when no event loop runs (e.g. a widget used outside the app);
    the coroutine is then closed so Python does not warn about it.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        log.error("cannot %s: no running event loop (the app runs Qt through qasync)", what)
        coro.close()
        return None
    task = loop.create_task(coro)
    _running.add(task)

    def done(finished: asyncio.Task[Any]) -> None:
        _running.discard(finished)
        if not finished.cancelled() and finished.exception() is not None:
            log.error("%s failed", what, exc_info=finished.exception())

    task.add_done_callback(done)
    return task
