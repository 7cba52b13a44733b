"""The comparison modes the benchmark uses start and deliver events like the default one."""

from __future__ import annotations

import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from tests.server.conftest import ClientFactory
from tests.support.server_process import ServerProcess


def _require_eventlet() -> None:
    """eventlet comes only with the ``bench`` extra, which .ci/run installs; without it, skip and say why."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # importing eventlet warns that it is deprecated
        pytest.importorskip(
            "eventlet",
            reason="eventlet is not installed: it comes with the bench extra (pip install -e '.[bench]')",
            exc_type=ModuleNotFoundError,  # installed but broken: fail, do not hide it
        )


@pytest.mark.parametrize("mode", ["eventlet", "threading"])
def test_async_mode_serves_rest_and_sockets(mode: str, tmp_path: Path, clients: ClientFactory) -> None:
    if mode == "eventlet":
        _require_eventlet()
    process = ServerProcess(tmp_path / "k.db", extra_args=["--async-mode", mode])
    process.start()
    try:
        assert process.request("GET", "/api/stats").json()["async_mode"] == mode
        display = clients(process.url, process.admin_token)
        assert display.emit("join-display")["ok"]
        order = process.create_order(2)
        (_, envelope), *_ = display.wait_count(1)
        assert envelope["data"] == order and envelope["seq"] == 1
        # The frame-once fast path is gevent's; here every socket takes engine.io's own.
        fanout = process.request("GET", "/api/stats").json()["fanout"]
        assert (fanout["direct"], fanout["ordinary"]) == (0, 1)
    finally:
        process.stop()
    if mode == "threading":
        assert "for comparison only" in process.log_path.read_text()


def test_gevent_mode_serves_websockets_with_simple_websocket_even_beside_gevent_websocket(
    tmp_path: Path, clients: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An installed gevent-websocket (here a stand-in that would break the server) is never used."""
    shim = tmp_path / "shim" / "geventwebsocket"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text('raise RuntimeError("gevent-websocket must not be imported")\n')
    monkeypatch.setenv("PYTHONPATH", str(shim.parent))
    process = ServerProcess(tmp_path / "k.db")
    process.start()
    try:
        display = clients(process.url, process.admin_token)  # websocket transport only
        assert display.emit("join-display")["ok"]
        order = process.create_order(1)
        (_, envelope), *_ = display.wait_count(1)
        assert envelope["data"] == order
    finally:
        process.stop()
    assert "websockets served by simple-websocket" in process.log_path.read_text()


def test_revoking_a_device_drops_its_live_socket(tmp_path: Path, clients: ClientFactory) -> None:
    process = ServerProcess(tmp_path / "k.db", extra_args=["--revocation-check", "0.2"])
    process.start()
    try:
        token = process.add_device("old-tablet", ["tenant-1"])
        keeper = clients(process.url, process.add_device("new-tablet", ["tenant-1"]))
        revoked = clients(process.url, token)
        subprocess.run(
            [sys.executable, "-m", "server", "devices", "revoke", *process.db_args, "--name", "old-tablet"],
            check=True, capture_output=True,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while revoked.sio.connected and time.monotonic() < deadline:
            time.sleep(0.05)  # polling a condition with a deadline
        assert not revoked.sio.connected
        assert keeper.sio.connected and keeper.emit("join-tenant", 1)["ok"]
    finally:
        process.stop()
    assert "device 'old-tablet' was revoked" in process.log_path.read_text()
