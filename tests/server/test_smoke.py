"""The server starts fast, answers health, and delivers a first event to a display socket."""

from __future__ import annotations

import time
from pathlib import Path

from kiosk.protocol import Event
from tests.support.server_process import ServerProcess
from tests.support.socket_client import RecordingClient


def test_a_fresh_server_is_up_quickly(tmp_path: Path) -> None:
    process = ServerProcess(tmp_path / "k.db")
    started = time.monotonic()
    process.start()
    try:
        elapsed = time.monotonic() - started
        assert process.request("GET", "/api/health", token=None).json() == {"status": "ok", "seq": 0}
        assert elapsed < 5, f"server took {elapsed:.2f} s to answer /api/health"
    finally:
        process.stop()
    assert not process.running


def test_display_socket_receives_order_created(server: ServerProcess) -> None:
    token = server.add_device("kitchen", ["display"])
    client = RecordingClient(server.url, token)
    client.connect()
    try:
        ack = client.emit("join-display")
        assert ack == {"ok": True, "room": "display", "seq": 0}
        order = server.create_order(tenant_id=1)
        (name, envelope), *_ = client.wait_count(1)
        assert name == Event.ORDER_CREATED.value
        assert envelope["type"] == "order_created"
        assert envelope["seq"] == 1
        assert envelope["data"] == order
    finally:
        client.disconnect()


def test_keep_alive_requests_do_not_wait_for_delayed_acks(server: ServerProcess) -> None:
    """pywsgi writes headers and body separately: without TCP_NODELAY each call waits ~40 ms."""
    durations = []
    for _ in range(21):
        started = time.perf_counter()
        assert server.request("GET", "/api/health", token=None).status_code == 200
        durations.append(time.perf_counter() - started)
    median = sorted(durations)[10]
    assert median < 0.025, f"median keep-alive request took {median * 1000:.1f} ms"
