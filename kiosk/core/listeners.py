"""Who wants to hear about something, and telling each of them without one failure stopping the rest.

Why one class: the store, the connection's status board and the session's
action outcomes each kept a hand-written list with its own subscribe,
unsubscribe and try/except loop.  One listener that raises (a screen's bug)
must be logged and must not keep the others from hearing the change, and a
listener that unsubscribes while being told must not skip the next one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

log = logging.getLogger("kiosk.core")


class Listeners(Generic[T]):
    def __init__(self) -> None:
        self._listeners: list[T] = []

    def subscribe(self, listener: T) -> Callable[[], None]:
        """Add ``listener``; the returned function removes it (twice is harmless)."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def tell(self, call: Callable[[T], object], what: str) -> None:
        """``call(listener)`` for each, in subscription order; a failure is logged (``what`` failed) and skipped."""
        for listener in list(self._listeners):  # a copy: a listener may unsubscribe while it is told
            try:
                call(listener)
            except Exception:
                log.exception("a listener failed on %s", what)

    def __len__(self) -> int:
        return len(self._listeners)
