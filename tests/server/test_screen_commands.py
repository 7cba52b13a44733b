"""Steering screens: rename, rooms, and commands passed on to screens with their acks.

The screens here are real python-socketio clients that answer as a screen
would (or never answer); the real kiosk obeying them is
tests/core/test_screen_commands.py.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from tests.server.conftest import ClientFactory
from tests.support.server_process import ServerProcess
from tests.support.socket_client import RecordingClient


def _joined(
    server: ServerProcess, clients: ClientFactory, name: str, room: str = "display"
) -> RecordingClient:
    """A device ``name`` connected and in ``room``."""
    screen = clients(server.url, server.add_device(name, [room]))
    assert screen.join(room)["ok"]
    return screen


def _answering(client: RecordingClient, answer: Any) -> list[dict[str, Any]]:
    """Make ``client`` answer every ``screen:command`` with ``answer``; returns what it received."""
    heard: list[dict[str, Any]] = []

    def on_command(data: dict[str, Any]) -> Any:
        heard.append(data)
        return answer

    client.sio.on("screen:command", on_command)
    return heard


def test_a_command_reaches_the_device_with_its_name_and_the_reply_holds_its_answer(
    server: ServerProcess, clients: ClientFactory
) -> None:
    screen = _joined(server, clients, "kitchen-2")
    heard = _answering(screen, {"ok": True, "message": "showing 'kitchen-2' for 10 s"})
    answer = server.request("POST", "/api/devices/kitchen-2/command", json={"command": "identify"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "answers": [{"screen": "kitchen-2", "ok": True, "message": "showing 'kitchen-2' for 10 s"}],
        "unanswered": [],
        "relayed": False,
    }
    assert heard == [{"command": "identify", "settings": {}, "name": "kitchen-2"}]


def test_a_room_command_reaches_every_screen_in_it_and_waits_once_for_the_silent(
    server: ServerProcess, clients: ClientFactory
) -> None:
    screens = {
        name: _joined(server, clients, name, room)
        for name, room in (("k1", "display"), ("k2", "display"), ("k3", "display"), ("till", "kasir-1"))
    }
    _answering(screens["k1"], {"ok": True, "message": "applied warn_after_s=200"})
    _answering(screens["k2"], {"ok": False, "message": "warn_after_s (from the admin console): too small"})
    # k3 hangs on the command (answering only after the test); the till is in another room
    hung = threading.Event()
    screens["k3"].sio.on("screen:command", lambda data: hung.wait(10) and {"ok": True})
    till = _answering(screens["till"], {"ok": True})
    began = time.monotonic()
    answer = server.request(
        "POST", "/api/rooms/display/command", json={"command": "settings", "settings": {"warn_after_s": 200}}
    )
    took = time.monotonic() - began
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [(a["screen"], a["ok"]) for a in body["answers"]] == [("k1", True), ("k2", False)]
    assert body["answers"][1]["message"] == "warn_after_s (from the admin console): too small"
    assert body["unanswered"] == ["k3"]
    hung.set()
    assert till == []
    assert 4.5 < took < 9, took  # one wait for all (5 s), not one per screen


def test_a_screen_without_console_commands_says_so(server: ServerProcess, clients: ClientFactory) -> None:
    _joined(server, clients, "old-app")  # no screen:command handler
    answer = server.request("POST", "/api/devices/old-app/command", json={"command": "identify"})
    assert answer.json()["answers"] == [
        {
            "screen": "old-app",
            "ok": False,
            "message": "the screen does not know console commands (an older app?)",
        }
    ]


def test_bad_commands_are_refused_with_reasons_before_any_screen_hears_them(
    server: ServerProcess, clients: ClientFactory
) -> None:
    screen = _joined(server, clients, "kitchen-3")
    token = screen.token
    assert token is not None
    heard = _answering(screen, {"ok": True})
    for body, status, words in (
        ({"command": "settings", "settings": {"token": "x"}}, 422, "cannot be pushed"),
        ({"command": "settings", "settings": {}}, 422, "at least one setting"),
        ({"command": "identify", "settings": {"sound": False}}, 422, "takes no settings"),
        ({"command": "format-disk"}, 422, "command"),
        ({"command": "settings", "settings": {"warn_after_s": {"$gt": 1}}}, 422, "warn_after_s"),
    ):
        answer = server.request("POST", "/api/devices/kitchen-3/command", json=body)
        assert answer.status_code == status, (body, answer.text)
        assert words in answer.text, answer.text
    assert (
        server.request("POST", "/api/devices/nobody/command", json={"command": "identify"}).status_code == 404
    )
    assert (
        server.request("POST", "/api/rooms/kitchen/command", json={"command": "identify"}).status_code == 422
    )
    offline = server.add_device("kitchen-4", ["display"])
    assert offline
    refused = server.request("POST", "/api/devices/kitchen-4/command", json={"command": "reload"})
    assert refused.status_code == 409 and "not connected" in refused.json()["error"]["message"]
    as_device = server.request(
        "POST", "/api/devices/kitchen-3/command", token=token, json={"command": "reload"}
    )
    assert as_device.status_code == 403
    assert heard == []


def test_rename_and_rooms_take_effect_at_the_screens_reconnect(
    server: ServerProcess, clients: ClientFactory
) -> None:
    token = server.add_device("stall", ["tenant-3"])
    screen = clients(server.url, token)
    assert screen.join("tenant-3")["ok"]
    answer = server.request(
        "PATCH", "/api/devices/stall", json={"name": "stall-3", "rooms": ["tenant-3", "board"]}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "name": "stall-3",
        "rooms": ["board", "tenant-3"],
        "created_at": answer.json()["created_at"],
        "reconnected": 1,
    }
    deadline = time.monotonic() + 5
    while screen.sio.connected and time.monotonic() < deadline:
        time.sleep(0.05)  # polling interval of a deadline-bounded wait: the drop is the server's
    assert not screen.sio.connected
    again = clients(server.url, token)  # the same token, under the new name and rooms
    assert again.join("board")["ok"]
    names = [d["name"] for d in server.request("GET", "/api/devices").json()["devices"]]
    assert names == ["stall-3"]
    moved = server.request("PATCH", "/api/devices/stall-3", json={"rooms": ["tenant-4"]})
    assert moved.status_code == 200
    third = clients(server.url, token)
    refused = third.join("tenant-3")
    assert refused["ok"] is False and "tenant-4" in refused["error"]["message"]


def test_change_refusals_say_what_to_do(server: ServerProcess) -> None:
    server.add_device("a", ["display"])
    server.add_device("b", ["display"])
    for path, body, status, words in (
        ("/api/devices/a", {"name": "b"}, 409, "already exists"),
        ("/api/devices/a", {"name": "x/y"}, 422, "name"),
        ("/api/devices/a", {"rooms": ["kitchen"]}, 422, "room"),
        ("/api/devices/a", {}, 422, "give a new name"),
        ("/api/devices/a", {"name": "admin"}, 422, "admin"),
        ("/api/devices/nobody", {"name": "c"}, 404, "no device named"),
    ):
        answer = server.request("PATCH", path, json=body)
        assert answer.status_code == status, (body, answer.text)
        assert words in answer.text, answer.text
    assert server.request("DELETE", "/api/devices/b").status_code == 200
    assert server.request("PATCH", "/api/devices/b", json={"name": "c"}).status_code == 409
