"""The syncer's rules against scripted answers: reload on reset, on a seq that goes back, on a malformed page.

Fast (no server) and deterministic; the same rules are also exercised against the real server in
tests/core/test_session.py and test_local_files.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

from kiosk.core.clock import FakeClock
from kiosk.core.rest import ApiRefusedError
from kiosk.core.store import Store
from kiosk.core.sync import Syncer
from tests.core.envelopes import created, order_data
from tests.support.scripted_rest import ScriptedRest

ORDERS = ("GET", "/api/orders")
EVENTS = ("GET", "/api/events")


def _syncer(script: dict[tuple[str, str], Any]) -> tuple[Syncer, Store, ScriptedRest]:
    rest = ScriptedRest(script)
    store = Store(clock=FakeClock())
    return Syncer(rest, store, "display", clock=FakeClock()), store, rest


def _page(
    events: list[dict[str, Any]], seq: int, *, reset: bool = False, more: bool = False
) -> dict[str, Any]:
    return {"events": events, "seq": seq, "reset": reset, "more": more}


def test_a_first_catch_up_loads_the_snapshot_then_pages_from_its_seq() -> None:
    syncer, store, rest = _syncer(
        {ORDERS: {"orders": [order_data(1)], "seq": 5}, EVENTS: _page([created(2, seq=6)], 6)}
    )
    asyncio.run(syncer.catch_up())
    assert rest.paths() == ["/api/orders", "/api/events"] and rest.calls[1][2]["after"] == 5
    assert sorted(store.orders) == [1, 2] and store.seq == 6
    asyncio.run(syncer.catch_up())  # the same page again: a duplicate, applied once
    assert rest.paths()[2:] == ["/api/events"] and rest.calls[2][2]["after"] == 6
    assert sorted(store.orders) == [1, 2] and syncer.legacy is False and syncer.resets == 0


def test_reset_reloads_the_snapshot() -> None:
    syncer, store, rest = _syncer(
        {
            ORDERS: [{"orders": [order_data(1)], "seq": 50}, {"orders": [order_data(7)], "seq": 60}],
            EVENTS: _page([], 50, reset=True),  # the log no longer reaches back to 50
        }
    )
    asyncio.run(syncer.catch_up())
    assert rest.paths() == ["/api/orders", "/api/events", "/api/orders"]
    assert syncer.resets == 1 and sorted(store.orders) == [7] and store.seq == 60


def test_a_seq_that_went_back_reloads_the_snapshot() -> None:
    syncer, store, rest = _syncer(
        {
            ORDERS: [{"orders": [order_data(1)], "seq": 50}, {"orders": [order_data(7)], "seq": 3}],
            EVENTS: _page([], 2),  # the server is at 2, behind this screen's 50: a new database
        }
    )
    asyncio.run(syncer.catch_up())
    assert rest.paths() == ["/api/orders", "/api/events", "/api/orders"]
    assert syncer.resets == 1 and sorted(store.orders) == [7] and store.seq == 3


def test_a_malformed_page_reloads_the_snapshot() -> None:
    syncer, _store, rest = _syncer(
        {ORDERS: {"orders": [], "seq": 1}, EVENTS: {"events": "not a list", "seq": 1, "reset": False}}
    )
    asyncio.run(syncer.catch_up())
    assert syncer.resets == 1 and rest.paths() == ["/api/orders", "/api/events", "/api/orders"]


def test_a_404_on_the_event_log_means_an_older_backend_for_good() -> None:
    syncer, _store, rest = _syncer(
        {ORDERS: {"orders": [], "seq": 1}, EVENTS: ApiRefusedError(404, "not_found", "no such endpoint")}
    )
    asyncio.run(syncer.catch_up())
    assert syncer.legacy is True
    asyncio.run(syncer.catch_up())
    asyncio.run(syncer.catch_up())
    assert rest.paths().count("/api/events") == 1  # older is final: the event log is never asked again
    assert rest.paths()[-2:] == ["/api/orders", "/api/orders"]  # it resyncs from the list instead
