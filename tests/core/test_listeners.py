"""One failing listener is logged and skipped; the others still hear, in order, even one that unsubscribes."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from kiosk.core.clock import FakeClock
from kiosk.core.listeners import Listeners
from kiosk.core.store import Store
from tests.core.envelopes import created


def test_a_failing_listener_does_not_keep_the_others_from_hearing(caplog: pytest.LogCaptureFixture) -> None:
    heard: list[str] = []
    listeners: Listeners[Callable[[str], None]] = Listeners()
    unsubscribe_second: Callable[[], None] = lambda: None  # noqa: E731 - set below

    def first(what: str) -> None:
        heard.append(f"first {what}")
        unsubscribe_second()  # while being told: the next one still hears this time

    def broken(what: str) -> None:
        raise RuntimeError("a screen's bug")

    listeners.subscribe(first)
    unsubscribe_second = listeners.subscribe(lambda what: heard.append(f"second {what}"))
    listeners.subscribe(broken)
    listeners.subscribe(lambda what: heard.append(f"last {what}"))
    with caplog.at_level(logging.ERROR, "kiosk.core"):
        listeners.tell(lambda listener: listener("x"), "the test event")
        listeners.tell(lambda listener: listener("y"), "the test event")
    assert heard == ["first x", "second x", "last x", "first y", "last y"]
    assert [r.getMessage() for r in caplog.records] == ["a listener failed on the test event"] * 2
    assert len(listeners) == 3


def test_the_store_tells_every_listener_even_after_one_fails() -> None:
    class Broken:
        def on_changes(self, changes: object) -> None:
            raise RuntimeError("broken")

        def on_notice(self, notice: object) -> None:
            raise RuntimeError("broken")

    class Counting:
        changes = notices = 0

        def on_changes(self, changes: object) -> None:
            self.changes += 1

        def on_notice(self, notice: object) -> None:
            self.notices += 1

    store = Store(clock=FakeClock())
    counting = Counting()
    store.subscribe(Broken())
    store.subscribe(counting)
    assert store.apply_envelope(created(1, seq=1))
    assert (counting.changes, counting.notices) == (1, 1)
