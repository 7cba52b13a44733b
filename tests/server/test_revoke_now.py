"""Revocation reaches live sockets at once (issue 11, item 14c), not at the next 30 s sweep.

``DELETE /api/devices/{name}`` revokes in the server that holds the sockets: they
are dropped in the same request.  ``devices revoke`` (another process) leaves
the sweep to drop them, but a join from a revoked device is refused at once.
The server runs with the default sweep interval (30 s), so anything faster
than that is the new path.
"""

from __future__ import annotations

import subprocess
import sys
import time

from tests.server.conftest import ClientFactory
from tests.support.server_process import ServerProcess
from tests.support.socket_client import RecordingClient

SWEEP_S = 30  # the default --revocation-check: the tests must not depend on it


def _wait_disconnected(client: RecordingClient, timeout: float) -> float:
    started = time.monotonic()
    while client.sio.connected:
        assert time.monotonic() - started < timeout, "the revoked device's socket is still connected"
        time.sleep(0.02)  # polling a condition with a deadline
    return time.monotonic() - started


def test_revoking_through_the_server_drops_the_device_sockets_at_once(
    shared_server: ServerProcess, clients: ClientFactory
) -> None:
    token = shared_server.add_device("stolen-tablet", ["display"])
    other = clients(shared_server.url, shared_server.add_device("kitchen-keeps", ["display"]))
    assert other.join("display")["ok"]
    stolen = [clients(shared_server.url, token) for _ in range(2)]
    for client in stolen:
        assert client.join("display")["ok"]

    response = shared_server.request("DELETE", "/api/devices/stolen-tablet")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "stolen-tablet" and body["disconnected"] == 2 and body["revoked_at"]
    for client in stolen:
        assert _wait_disconnected(client, 5) < SWEEP_S / 3

    shared_server.create_order()
    seq = shared_server.seq()
    assert [env["seq"] for _, env in other.wait_seq(seq)][-1] == seq  # the others still get everything
    for client in stolen:
        assert all(env["seq"] < seq for _, env in client.received)
    assert shared_server.request("GET", "/api/orders?active", token=token).status_code == 401
    assert "device 'stolen-tablet' was revoked" in shared_server.log_path.read_text()


def test_revoking_through_the_server_says_what_went_wrong(shared_server: ServerProcess) -> None:
    device = shared_server.add_device("revoked-twice", ["display"])
    assert shared_server.request("DELETE", "/api/devices/revoked-twice", token=device).status_code == 403
    assert shared_server.request("DELETE", "/api/devices/revoked-twice").status_code == 200
    again = shared_server.request("DELETE", "/api/devices/revoked-twice")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_revoked"
    missing = shared_server.request("DELETE", "/api/devices/nobody-here")
    assert missing.status_code == 404 and "devices list" in missing.json()["error"]["message"]
    assert shared_server.request("DELETE", "/api/devices/x", token=None).status_code == 401


def test_a_device_revoked_by_the_cli_may_not_join_another_room_before_the_sweep(
    shared_server: ServerProcess, clients: ClientFactory
) -> None:
    token = shared_server.add_device("cli-revoked", ["display", "kasir-1"])
    client = clients(shared_server.url, token)
    assert client.join("display")["ok"]
    result = subprocess.run(
        [sys.executable, "-m", "server", "devices", "revoke", *shared_server.db_args,
         "--name", "cli-revoked"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    ack = client.join("kasir-1")
    assert ack["ok"] is False and ack["error"]["code"] == "unauthorized"
    assert "revoked" in ack["error"]["message"]
    assert _wait_disconnected(client, 5) < SWEEP_S / 3
