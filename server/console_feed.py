"""What the console shows, as the API's own pages: the fleet, the live panel, the screens waiting to pair.

One function per page, used by its REST route (after the admin check) and by
the console's stream (``GET /admin/stream``, server-sent events), so the
stream can never say something the API would not.  The stream sends a page
again only when it changed, and a comment line now and then so a proxy does
not take the quiet for a dead connection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson

from kiosk.protocol.fleet import DevicesPage
from server import fleet, pairing
from server.live_panel import live_panel
from server.state import server_state
from server.stats import stats_body

STREAM_EVERY_S = 1.0  # how often the stream looks for a change
KEEP_ALIVE_S = 15.0
STREAM_FOR_S = 300.0  # then it ends and the browser reconnects (EventSource does, after ``retry``)


def devices_page() -> dict[str, Any]:
    hub = server_state().hub
    seq = hub.seq
    with hub.read() as conn:
        found = fleet.fleet(conn, hub.clock.now(), seq)
    return DevicesPage(devices=found, seq=seq).model_dump()


def live_page() -> dict[str, Any]:
    state = server_state()
    stats = stats_body()
    with state.hub.read() as conn:
        panel = live_panel(conn, seq=state.hub.seq, rate=state.seq_rate, refusals=state.refusals, stats=stats)
    return panel.model_dump()


def pairings_page() -> dict[str, Any]:
    hub = server_state().hub
    with hub.read() as conn:
        screens = pairing.waiting_screens(conn, hub.clock.now())
    return {"pairings": [screen.model_dump() for screen in screens]}


PAGES: dict[str, Callable[[], dict[str, Any]]] = {
    "devices": devices_page,
    "live": live_page,
    "pairings": pairings_page,
}


def console_stream(
    still_signed_in: Callable[[], bool], sleep: Callable[[float], object], monotonic: Callable[[], float]
) -> Iterator[bytes]:
    """Server-sent events: each page when it changes; ``signed-out`` and the end when the session is over."""
    yield b"retry: 3000\n\n"
    sent: dict[str, bytes] = {}
    began = last_write = monotonic()
    while monotonic() - began < STREAM_FOR_S:
        if not still_signed_in():
            yield b"event: signed-out\ndata: {}\n\n"
            return
        for name, page in PAGES.items():
            data = orjson.dumps(page())
            if sent.get(name) != data:
                sent[name] = data
                last_write = monotonic()
                yield b"event: " + name.encode() + b"\ndata: " + data + b"\n\n"
        if monotonic() - last_write >= KEEP_ALIVE_S:
            last_write = monotonic()
            yield b": still here\n\n"
        sleep(STREAM_EVERY_S)
