"""Broadcasts framed once (server/broadcast.py, server/ws_frames.py): the frames, the direct path, a screen that stops reading."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import socketio
from flask import Flask
from flask_socketio import SocketIO
from wsproto.frame_protocol import FrameProtocol, Opcode

from server.broadcast import Broadcaster
from server.ws_frames import BINARY, TEXT, ws_frame
from tests.server.conftest import ClientFactory
from tests.support.raw_socketio import RawScreen
from tests.support.server_process import ServerProcess


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65_535, 65_536, 200_000])
@pytest.mark.parametrize(("opcode", "expected"), [(TEXT, Opcode.TEXT), (BINARY, Opcode.BINARY)])
def test_a_frame_parses_back_whole_with_wsproto(size: int, opcode: int, expected: Opcode) -> None:
    payload = ("é" * size).encode()[:size]  # two-byte characters: size counts bytes, not characters
    if opcode == TEXT:
        payload = payload.decode(errors="ignore").encode()
    parser = FrameProtocol(client=True, extensions=[])
    parser.receive_bytes(ws_frame(payload, opcode))
    frames = list(parser.received_frames())
    assert len(frames) == 1
    frame = frames[0]
    assert frame.opcode is expected and frame.frame_finished and frame.message_finished
    body = frame.payload if opcode == BINARY else frame.payload.encode()  # wsproto decodes text
    assert body == payload


def _fanout(server: ServerProcess) -> dict[str, int]:
    counts: dict[str, int] = server.request("GET", "/api/stats").json()["fanout"]
    return counts


def test_idle_websockets_get_the_broadcast_written_directly(
    shared_server: ServerProcess, clients: ClientFactory
) -> None:
    token = shared_server.add_device("screen-direct", ["display"])
    screens = [clients(shared_server.url, token) for _ in range(3)]
    for screen in screens:
        assert screen.join("display")["ok"]
    before = _fanout(shared_server)
    response = shared_server.request(
        "POST", "/api/alerts", json={"severity": "info", "message": "framed once"}
    )
    assert response.status_code == 201, response.text
    seq = shared_server.seq()
    for screen in screens:
        got = screen.wait_seq(seq)
        assert [env["data"]["message"] for name, env in got if name == "alert"] == ["framed once"]
    after = _fanout(shared_server)
    # An alert goes to every socket: exactly these three, each on the direct path.
    assert after["direct"] - before["direct"] == 3, (before, after)
    assert after["ordinary"] == before["ordinary"], "a websocket screen fell back to per-socket framing"


def test_screens_the_frame_cannot_serve_get_the_ordinary_path(
    shared_server: ServerProcess, clients: ClientFactory
) -> None:
    """Long-polling and permessage-deflate screens: framed per socket by engine.io, still exactly once."""
    token = shared_server.add_device("screen-ordinary", ["display"])
    polling = socketio.Client(reconnection=False)
    polled: list[dict[str, Any]] = []
    polling.on("alert", polled.append)
    polling.connect(shared_server.url, auth={"token": token}, transports=["polling"], wait_timeout=10)
    compressed = RawScreen(shared_server.port, token, deflate=True)
    try:
        assert compressed.extensions == ["permessage-deflate"]
        before = _fanout(shared_server)
        message = " ".join(["deflate me"] * 40)
        response = shared_server.request("POST", "/api/alerts", json={"severity": "info", "message": message})
        assert response.status_code == 201, response.text
        ((name, envelope),) = compressed.read_events(1)
        assert (name, envelope["data"]["message"]) == ("alert", message)
        deadline = time.monotonic() + 10
        while not polled and time.monotonic() < deadline:
            time.sleep(0.01)  # polling a condition with a deadline
        assert [envelope["data"]["message"] for envelope in polled] == [message]
        after = _fanout(shared_server)
        assert after["ordinary"] - before["ordinary"] == 2, (before, after)
    finally:
        compressed.close()
        polling.disconnect()


def _huge_order_items() -> list[dict[str, Any]]:
    """The largest order a request may carry: about 110 KB per event."""
    item = {"name": "N" * 120, "qty": 1, "price": 1000, "notes": "n" * 500, "modifiers": ["m" * 80] * 20}
    return [item] * 50


def test_a_screen_that_stops_reading_loses_nothing_and_holds_up_nobody(
    tmp_path: Path, clients: ClientFactory
) -> None:
    server = ServerProcess(tmp_path / "kiosk.db")
    server.start()
    slow: RawScreen | None = None
    try:
        token = server.add_device("kitchen-on-bad-wifi", ["display"])
        slow = RawScreen(server.port, token)  # an 8 KB window, then it stops reading
        assert slow.call("join", {"room": "display"})["ok"] is True
        fast = clients(server.url, token)
        assert fast.join("display")["ok"]

        # Post the largest orders until the kernel takes only part of a frame for the
        # stalled screen; its writer greenlet is then stuck inside the rest, queue empty.
        posted = 0
        while (stalled := _fanout(server))["partial"] == 0:
            assert posted < 300, f"the stalled screen's buffers never filled: {stalled}"
            server.create_order(items=_huge_order_items())
            posted += 1
        # So the next frame must wait in the queue; written straight to the socket it
        # could cut into the one the writer is sending.
        server.create_order(items=_huge_order_items())
        posted += 1
        after = _fanout(server)
        assert (after["queued"], after["partial"]) == (stalled["queued"] + 1, stalled["partial"]), (
            stalled,
            after,
        )

        # The reading screen had everything while the other was stalled.
        assert len(fast.wait_seq(server.seq(), timeout=15)) == posted

        # The stalled screen drains, slowly, while more orders are broadcast.
        more = 10
        reader = ThreadPoolExecutor(max_workers=1)
        draining = reader.submit(slow.read_events, posted + more, 30, 1024)
        for _ in range(more):
            server.create_order(items=_huge_order_items())
        received = fast.wait_seq(server.seq(), timeout=15)
        assert len(received) == posted + more
        got = draining.result(timeout=40)  # wsproto raises on a frame cut short or interleaved
        reader.shutdown()
        assert [(name, env["seq"]) for name, env in got] == [(name, env["seq"]) for name, env in received]
        assert got == received
    finally:
        if slow is not None:
            slow.close()
        server.stop()


def test_without_the_engineio_driver_broadcasts_go_socket_by_socket_and_the_log_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A python-engineio release that moved its simple-websocket driver must not stop the server."""
    monkeypatch.setitem(sys.modules, "server.direct_websocket", None)  # import now raises ImportError
    socket_io = SocketIO(Flask(__name__), async_mode="threading")
    driver_before = socket_io.server.eio._async["websocket"]
    with caplog.at_level(logging.WARNING, logger="server.sockets"):
        assert Broadcaster(socket_io).serve_websockets() is False
    assert socket_io.server.eio._async["websocket"] is driver_before
    assert "broadcasts go socket by socket" in caplog.text


# Run in a fresh interpreter: which module is imported first decides whether an import circle bites.
_DIRECT_PATH_PROBE = """
import importlib, sys
importlib.import_module(sys.argv[1])
from flask import Flask
from flask_socketio import SocketIO
from server.broadcast import Broadcaster
from server.direct_websocket import DirectWebSocket
socket_io = SocketIO(Flask(__name__), async_mode="gevent")
assert Broadcaster(socket_io).serve_websockets(), "the direct path did not load"
driver = socket_io.server.eio._async["websocket"]
assert issubclass(driver, DirectWebSocket), driver
print("websocket driver:", driver.__mro__[1].__module__, driver.__mro__[1].__qualname__)
"""


@pytest.mark.parametrize(
    "first", ["server.direct_websocket", "server.broadcast", "server.ws_frames", "server.app"]
)
def test_in_gevent_mode_the_direct_path_loads_whichever_module_is_imported_first(first: str) -> None:
    """The fallback above takes any ImportError for a moved driver: an import circle must not pass as one."""
    done = subprocess.run(
        [sys.executable, "-c", _DIRECT_PATH_PROBE, first],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "broadcasts go socket by socket" not in done.stderr
    assert done.stdout.strip() == "websocket driver: server.direct_websocket DirectWebSocket"
