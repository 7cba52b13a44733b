"""Fixtures for the server tests: a module-wide server and clients that clean up after themselves."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.server_process import ServerProcess
from tests.support.socket_client import RecordingClient

ClientFactory = Callable[..., RecordingClient]


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for tests that only add state (routing, permissions): saves a start per test."""
    folder: Path = tmp_path_factory.mktemp("shared-server")
    process = ServerProcess(folder / "kiosk.db", log_path=folder / "server.log")
    process.start()
    yield process
    process.stop()


@pytest.fixture
def clients() -> Iterator[ClientFactory]:
    """``clients(url, token)``: a connected RecordingClient, disconnected at teardown."""
    made: list[RecordingClient] = []

    def make(url: str, token: str | None, *, connect: bool = True) -> RecordingClient:
        client = RecordingClient(url, token)
        made.append(client)
        if connect:
            client.connect()
        return client

    yield make
    for client in made:
        client.disconnect()
