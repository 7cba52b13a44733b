"""Sockets that do not read (issue 11, item 7): dropped past the queue cap, counted, memory bounded.

A hostile or broken client can answer engine.io's pings without ever reading
what the server sends; before the cap the server kept every event for it.
Both transports are tried against the real server process with its default
cap (server/config.py), while a normal screen in the same room must still get
every event.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]
import pytest
import requests

from server.config import MAX_SOCKET_QUEUE_BYTES
from tests.server.conftest import ClientFactory
from tests.support.raw_socketio import ENGINE_PONG, RawScreen
from tests.support.server_process import ServerProcess

MB = 1024 * 1024


def _huge_order_items() -> list[dict[str, Any]]:
    """The largest order a request may carry: about 110 KB per event."""
    item = {"name": "N" * 120, "qty": 1, "price": 1000, "notes": "n" * 500, "modifiers": ["m" * 80] * 20}
    return [item] * 50


class BlindPonger:
    """Sends an engine.io pong every half second, whatever arrives: alive to the server, reading nothing."""

    def __init__(self, send: Any) -> None:
        self._send = send
        self._stop = threading.Event()
        self.failed: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            try:
                self._send()
            except (OSError, requests.RequestException) as exc:
                self.failed = exc
                return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path / "kiosk.db")
    process.start()
    yield process
    process.stop()


def _stats(server: ServerProcess) -> dict[str, Any]:
    body: dict[str, Any] = server.request("GET", "/api/stats").json()
    return body


def _rss(server: ServerProcess) -> int:
    return int(psutil.Process(server.pid).memory_info().rss)


def _post_until_dropped(server: ServerProcess, dropped: int, most: int) -> int:
    """Post the largest orders until ``dropped`` sockets were dropped; returns how many were posted."""
    posted = 0
    while _stats(server).get("dropped_slow_sockets", 0) < dropped:
        assert posted < most, f"no socket dropped after {posted} orders of ~110 KB: {_stats(server)}"
        server.create_order(items=_huge_order_items())
        posted += 1
    return posted


def _slow_lines(server: ServerProcess) -> list[str]:
    text = server.log_path.read_text(errors="replace")
    return [line for line in text.splitlines() if "did not take the events sent to it" in line]


def _cut_off(sock: socket.socket, timeout: float) -> bool:
    """Read what is left; True once the server has closed or reset the connection."""
    sock.settimeout(timeout)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    except OSError:
        return True
    return True


def test_a_websocket_that_never_reads_is_dropped_and_counted_and_nobody_else_loses_anything(
    server: ServerProcess, clients: ClientFactory
) -> None:
    token = server.add_device("never-reads", ["display"])
    stuck = RawScreen(server.port, token)  # 4 KB receive window, never read after the join
    assert stuck.call("join", {"room": "display"})["ok"] is True
    ponger = BlindPonger(lambda: stuck._send(ENGINE_PONG))
    fast = clients(server.url, server.add_device("reads", ["display"]))
    assert fast.join("display")["ok"]
    try:
        # Kernel buffers take a few MB first; then the cap. Well under 3 caps of orders.
        posted = _post_until_dropped(server, 1, most=3 * MAX_SOCKET_QUEUE_BYTES // 100_000)
        after_drop = _rss(server)
        # Nothing accumulates any more: as many orders again, and the server does not grow by them.
        for _ in range(posted):
            server.create_order(items=_huge_order_items())
        grown = _rss(server) - after_drop
        assert grown < 8 * MB, f"server grew {grown / MB:.1f} MB over {posted} more orders after the drop"

        assert _cut_off(stuck.sock, 10), "the dropped socket's connection was left open"
        stats = _stats(server)
        assert stats["dropped_slow_sockets"] == 1
        assert stats["connections"] == 1, "the dropped socket is still counted as connected"
        received = fast.wait_seq(server.seq(), timeout=30)
        assert len(received) == 2 * posted, "the reading screen missed events"
    finally:
        ponger.stop()
        stuck.close()
    lines = _slow_lines(server)
    assert len(lines) == 1, lines
    assert "never-reads" in lines[0] and "127.0.0.1" in lines[0] and "--max-socket-queue-bytes" in lines[0]
    # It reconnects and catches up by seq: nothing it missed is lost.
    events = server.request("GET", "/api/events?room=display&after=0", token=token).json()
    assert len([e for e in events["events"] if e["type"] == "order_created"]) == 2 * posted


def test_a_long_polling_socket_that_never_polls_is_dropped_too(server: ServerProcess) -> None:
    token = server.add_device("never-polls", ["display"])
    http = requests.Session()
    base = f"{server.url}/socket.io/?EIO=4&transport=polling"
    opened = http.get(base, timeout=10).text
    sid = json.loads(opened[1:])["sid"]
    url = f"{base}&sid={sid}"
    assert http.post(url, data="40" + json.dumps({"token": token}), timeout=10).ok
    assert http.get(url, timeout=10).text.startswith("40")
    assert http.post(url, data='420["join",{"room":"display"}]', timeout=10).ok
    assert '"ok":true' in http.get(url, timeout=10).text.replace(" ", "")
    ponger = BlindPonger(lambda: http.post(url, data=ENGINE_PONG, timeout=10).raise_for_status())
    try:
        _post_until_dropped(server, 1, most=3 * MAX_SOCKET_QUEUE_BYTES // 100_000)
        deadline = time.monotonic() + 10
        while http.get(url, timeout=10).status_code != 400:  # 400: engine.io no longer knows the sid
            assert time.monotonic() < deadline, "the dropped polling session still answers"
            time.sleep(0.05)  # polling a condition with a deadline
    finally:
        ponger.stop()
    assert _stats(server)["connections"] == 0
    lines = _slow_lines(server)
    assert len(lines) == 1 and "never-polls" in lines[0], lines
