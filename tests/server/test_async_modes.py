"""The comparison modes the benchmark uses start and deliver events like the default one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.server.conftest import ClientFactory
from tests.support.server_process import ServerProcess


@pytest.mark.parametrize("mode", ["eventlet", "threading"])
def test_async_mode_serves_rest_and_sockets(mode: str, tmp_path: Path, clients: ClientFactory) -> None:
    process = ServerProcess(tmp_path / "k.db", extra_args=["--async-mode", mode])
    process.start()
    try:
        assert process.request("GET", "/api/stats").json()["async_mode"] == mode
        display = clients(process.url, process.admin_token)
        assert display.emit("join-display")["ok"]
        order = process.create_order(2)
        (_, envelope), *_ = display.wait_count(1)
        assert envelope["data"] == order and envelope["seq"] == 1
    finally:
        process.stop()
    if mode == "threading":
        assert "for comparison only" in process.log_path.read_text()
