"""Device tokens on sockets and REST: refused connects, joins limited to the token's rooms."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import socketio

from tests.server.conftest import ClientFactory
from tests.support.server_process import ServerProcess


def _refusal(shared_server: ServerProcess, clients: ClientFactory, auth_token: str | None) -> Any:
    client = clients(shared_server.url, auth_token, connect=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect()
    return client.connect_error


@pytest.mark.parametrize("token", [None, "", "kd_not-a-real-token", "x" * 500])
def test_connect_without_a_valid_token_is_refused_with_a_reason(
    token: str | None, shared_server: ServerProcess, clients: ClientFactory
) -> None:
    error = _refusal(shared_server, clients, token)
    assert error["data"]["code"] == "unauthorized"
    assert "token" in error["data"]["message"]


def test_kasir_token_joins_its_rooms_but_not_a_tenant(
    shared_server: ServerProcess, clients: ClientFactory
) -> None:
    client = clients(shared_server.url, shared_server.add_device("counter-1", ["kasir-1", "display"]))
    assert client.emit("join-kasir", 1) == {"ok": True, "room": "kasir-1", "seq": shared_server.seq()}
    assert client.emit("join-display")["ok"] is True
    refused = client.emit("join-tenant", 1)
    assert refused["ok"] is False
    assert refused["error"]["code"] == "forbidden"
    assert "display, kasir-1" in refused["error"]["message"]
    assert client.join("tenant-1")["ok"] is False
    assert client.emit("join-kasir", 2)["ok"] is False
    # and the refused join really did not put it in tenant-1
    shared_server.create_order(1)
    stats = shared_server.request("GET", "/api/stats").json()
    assert stats["rooms"].get("tenant-1", 0) == 0
    assert stats["rooms"]["kasir-1"] >= 1


@pytest.mark.parametrize(
    ("event", "argument", "room"),
    [
        ("join-kasir", 7, "kasir-7"),
        ("join-kasir", "7", "kasir-7"),
        ("join-kasir", {"id": 7}, "kasir-7"),
        ("join-kasir", {"counter_id": 7}, "kasir-7"),
        ("join-tenant", {"tenant_id": 7}, "tenant-7"),
        ("join-user", 7, "user-7"),
        ("join-display", None, "display"),
        ("join", {"room": "tenant-7"}, "tenant-7"),
        ("join", "kasir-7", "kasir-7"),
        ("leave", {"room": "kasir-7"}, "kasir-7"),
    ],
)
def test_join_argument_forms(
    event: str, argument: object, room: str, shared_server: ServerProcess, clients: ClientFactory
) -> None:
    client = clients(shared_server.url, shared_server.admin_token)
    ack = client.emit(event, argument)
    assert ack["ok"] is True and ack["room"] == room, ack
    assert isinstance(ack["seq"], int)


@pytest.mark.parametrize(
    ("event", "argument"),
    [
        ("join-kasir", None),
        ("join-kasir", "abc"),
        ("join-kasir", 0),
        ("join-kasir", -3),
        ("join-kasir", True),
        ("join-kasir", [1]),
        ("join-tenant", {"x": 1}),
        ("join-user", 1.5),
        ("join", {"room": "admin"}),
        ("join", {"room": "*"}),
        ("join", {}),
        ("join", None),
        ("join", "tenant-" + "9" * 400),
        ("leave", {"room": 5}),
    ],
)
def test_malformed_join_arguments_get_a_refusal_ack(
    event: str, argument: object, shared_server: ServerProcess, clients: ClientFactory
) -> None:
    client = clients(shared_server.url, shared_server.admin_token)
    ack = client.emit(event, argument)
    assert ack["ok"] is False
    assert ack["error"]["code"] == "invalid_room"
    assert "display, board, kasir-N" in ack["error"]["message"] or "id" in ack["error"]["message"]
    # the connection survives and still works
    assert client.emit("join-display")["ok"] is True


def test_after_leave_a_socket_gets_no_more_events_of_that_room(
    shared_server: ServerProcess, clients: ClientFactory
) -> None:
    client = clients(shared_server.url, shared_server.admin_token)
    assert client.emit("join-tenant", 8)["ok"]
    shared_server.create_order(8)
    client.wait_seq(shared_server.seq())
    assert client.emit("leave", {"room": "tenant-8"})["ok"]
    shared_server.create_order(8)
    shared_server.request("POST", "/api/alerts", json={"severity": "info", "message": "sentinel"})
    got = client.wait_seq(shared_server.seq())
    assert [env["type"] for _, env in got] == ["order_created", "alert"]


@pytest.mark.parametrize(
    ("headers", "needle"),
    [
        ({}, "Authorization: Bearer"),
        ({"Authorization": "Basic abc"}, "Bearer <token>"),
        ({"Authorization": "Bearer"}, "Bearer <token>"),
        ({"Authorization": "Bearer kd_wrong"}, "unknown or revoked"),
    ],
)
def test_rest_without_a_valid_token_is_401_saying_what_is_expected(
    headers: dict[str, str], needle: str, shared_server: ServerProcess
) -> None:
    before = shared_server.request("GET", "/api/orders").json()
    response = shared_server.request(
        "POST", "/api/orders", token=None, headers=headers, json={"tenant_id": 1}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert needle in response.json()["error"]["message"]
    assert shared_server.request("GET", "/api/orders").json() == before


def test_revoked_device_is_refused_on_rest_and_on_connect(
    shared_server: ServerProcess, clients: ClientFactory
) -> None:
    token = shared_server.add_device("tablet-9", ["tenant-9"])
    assert shared_server.request("GET", "/api/orders", token=token).status_code == 200
    listed = subprocess.run(
        [sys.executable, "-m", "server", "devices", "list", *shared_server.db_args],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "tablet-9" in listed.stdout and "tenant-9" in listed.stdout
    assert token not in listed.stdout and "kd_" not in listed.stdout
    subprocess.run(
        [sys.executable, "-m", "server", "devices", "revoke", *shared_server.db_args, "--name", "tablet-9"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert shared_server.request("GET", "/api/orders", token=token).status_code == 401
    assert _refusal(shared_server, clients, token)["data"]["code"] == "unauthorized"


def test_devices_add_refuses_unknown_rooms_and_duplicates(shared_server: ServerProcess) -> None:
    def add(name: str, rooms: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "server", "devices", "add", *shared_server.db_args,
             "--name", name, "--rooms", rooms],
            capture_output=True, text=True, check=False,
        )  # fmt: skip

    bad_room = add("x", "display,kitchen")
    assert (
        bad_room.returncode == 2
        and "kitchen" in bad_room.stderr
        and "display, board, kasir-N" in bad_room.stderr
    )
    assert add("dup", "display").returncode == 0
    again = add("dup", "display")
    assert again.returncode == 2 and "already exists" in again.stderr


def test_catch_up_only_for_rooms_the_token_may_join(shared_server: ServerProcess) -> None:
    token = shared_server.add_device("stall-5", ["tenant-5"])
    refused = shared_server.request("GET", "/api/events?room=display&after=0", token=token)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert "tenant-5" in refused.json()["error"]["message"]
    assert shared_server.request("GET", "/api/events?room=tenant-5&after=0", token=token).status_code == 200


def test_stats_need_the_admin_and_count_connections(
    shared_server: ServerProcess, clients: ClientFactory
) -> None:
    token = shared_server.add_device("screen-stats", ["display"])
    assert shared_server.request("GET", "/api/stats", token=token).status_code == 403
    client = clients(shared_server.url, token)
    client.emit("join-display")
    shared_server.create_order(1)
    stats = shared_server.request("GET", "/api/stats").json()
    assert stats["connections"] >= 1 and stats["rooms"]["display"] >= 1
    assert stats["async_mode"] == "gevent"
    assert stats["devices"] >= 1 and stats["orders_today"] >= 1 and stats["uptime_s"] >= 0


def test_an_oversized_socket_message_drops_only_that_connection(
    shared_server: ServerProcess, clients: ClientFactory
) -> None:
    bystander = clients(shared_server.url, shared_server.admin_token)
    assert bystander.emit("join-tenant", 21)["ok"]
    abuser = clients(shared_server.url, shared_server.admin_token)
    abuser.sio.emit("join", {"room": "x" * 200_000})  # past the 64 KiB Socket.IO message cap
    deadline = time.monotonic() + 10
    while abuser.sio.connected and time.monotonic() < deadline:
        time.sleep(0.02)  # polling a condition with a deadline
    assert not abuser.sio.connected
    order = shared_server.create_order(21)
    (_, envelope), *_ = bystander.wait_count(1)
    assert envelope["data"]["id"] == order["id"]


def test_a_short_admin_token_is_refused_at_start(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "server", "run", "--port", "1", "--db", str(tmp_path / "k.db")],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "KIOSK_ADMIN_TOKEN": "1234"},
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "KIOSK_ADMIN_TOKEN has 4 characters; use at least 16" in done.stderr
    assert "Traceback" not in done.stderr
