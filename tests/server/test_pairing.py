"""Pairing a new screen by the code it shows: nobody copies a token (kiosk/protocol/pairing.py)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from kiosk.protocol.pairing import CODE_ALPHABET, CODE_LENGTH, CODE_TTL_S, shown_code
from server.app import create_app
from server.auth_throttle import FAILURES_ALLOWED
from server.clock import FakeClock
from server.config import ServerConfig
from server.state import PAIRINGS_PER_WINDOW
from tests.support.backend import config_database, table_rows
from tests.support.server_process import ServerProcess
from tests.support.socket_client import RecordingClient

ADMIN = {"Authorization": "Bearer in-process-admin"}


def _start(server: ServerProcess, **screen: str) -> dict[str, Any]:
    answer = server.request("POST", "/api/pairing", token=None, json=screen or None)
    assert answer.status_code == 201, answer.text
    started: dict[str, Any] = answer.json()
    return started


def _claim(server: ServerProcess, secret: str) -> Any:
    return server.request("POST", "/api/pairing/claim", token=None, json={"secret": secret})


def test_a_screen_shows_a_code_the_admin_approves_and_the_screen_goes_live(server: ServerProcess) -> None:
    started = _start(server, app_version="1.4.0", hostname="kitchen-pc-2")
    code = started["code"]
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    assert _claim(server, started["secret"]).json() == {
        "status": "waiting",
        "expires_at": started["expires_at"],
    }
    waiting = server.request("GET", "/api/pairing").json()["pairings"]
    assert [(p["code"], p["hostname"], p["app_version"]) for p in waiting] == [
        (code, "kitchen-pc-2", "1.4.0")
    ]

    approved = server.request(
        "POST",
        f"/api/pairing/{shown_code(code).lower()}/approve",
        json={"name": "kitchen-2", "rooms": ["display"]},
    )
    assert approved.status_code == 200, approved.text
    state = _claim(server, started["secret"]).json()
    assert state["status"] == "approved" and state["name"] == "kitchen-2" and state["rooms"] == ["display"]
    token = state["token"]
    assert server.request("GET", "/api/orders", token=token).status_code == 200
    screen = RecordingClient(server.url, token)
    screen.connect()
    try:
        assert screen.join("display")["ok"]
        assert screen.join("kasir-1")["ok"] is False  # only the rooms the admin chose
    finally:
        screen.disconnect()
    again = _claim(server, started["secret"])
    assert again.status_code == 410 and again.json()["error"]["code"] == "already_claimed"
    rows = table_rows(server.db_path, server.database_url)
    assert all(token not in repr(table) for table in rows.values())  # only its hash is stored


def test_wrong_codes_and_approvals_say_what_is_wrong(server: ServerProcess) -> None:
    started = _start(server)
    unknown = server.request("POST", "/api/pairing/ZZZ999/approve", json={"name": "x", "rooms": ["display"]})
    assert unknown.status_code == 404 and "check the code on the screen" in unknown.json()["error"]["message"]
    bad_room = server.request(
        "POST", f"/api/pairing/{started['code']}/approve", json={"name": "x", "rooms": ["kitchen"]}
    )
    assert bad_room.status_code == 422 and bad_room.json()["error"]["field"] == "rooms"
    server.add_device("stall-1", ["tenant-1"])
    taken = server.request(
        "POST", f"/api/pairing/{started['code']}/approve", json={"name": "stall-1", "rooms": ["tenant-1"]}
    )
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "duplicate_device"
    ok = server.request(
        "POST", f"/api/pairing/{started['code']}/approve", json={"name": "stall-2", "rooms": ["tenant-2"]}
    )
    assert ok.status_code == 200
    twice = server.request(
        "POST", f"/api/pairing/{started['code']}/approve", json={"name": "stall-3", "rooms": ["tenant-3"]}
    )
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_approved"


def test_only_the_admin_approves_or_lists(server: ServerProcess) -> None:
    started = _start(server)
    device = server.add_device("till-1", ["kasir-1"])
    body = {"name": "sneaky", "rooms": ["display"]}
    assert (
        server.request("POST", f"/api/pairing/{started['code']}/approve", token=None, json=body).status_code
        == 401
    )
    assert (
        server.request("POST", f"/api/pairing/{started['code']}/approve", token=device, json=body).status_code
        == 403
    )
    assert server.request("GET", "/api/pairing", token=device).status_code == 403
    assert _claim(server, started["secret"]).json()["status"] == "waiting"


def test_guessing_secrets_is_slowed_like_guessing_tokens(server: ServerProcess) -> None:
    answers = [_claim(server, f"guess-{n:040d}").status_code for n in range(FAILURES_ALLOWED + 2)]
    assert answers[: FAILURES_ALLOWED - 1] == [404] * (FAILURES_ALLOWED - 1) and answers[-1] == 429, answers


def test_an_address_asking_for_codes_in_a_loop_is_refused(server: ServerProcess) -> None:
    answers = [
        server.request("POST", "/api/pairing", token=None).status_code for _ in range(PAIRINGS_PER_WINDOW + 1)
    ]
    assert answers[: PAIRINGS_PER_WINDOW - 1] == [201] * (PAIRINGS_PER_WINDOW - 1) and answers[-1] == 429


def test_the_cli_approves_a_code(server: ServerProcess) -> None:
    started = _start(server)
    result = subprocess.run(
        [sys.executable, "-m", "server", "devices", "approve", shown_code(started["code"]), "--name", "expo",
         "--rooms", "display", *server.db_args],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "becomes 'expo' in display" in result.stdout
    assert _claim(server, started["secret"]).json()["name"] == "expo"
    wrong = subprocess.run(
        [sys.executable, "-m", "server", "devices", "approve", "AAAAAA", "--name", "x", "--rooms", "display",
         *server.db_args],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert wrong.returncode == 2 and "no screen is showing the code" in wrong.stderr


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(tmp_path: Path, clock: FakeClock) -> Iterator[FlaskClient]:
    config = ServerConfig(
        **config_database(tmp_path), admin_token="in-process-admin", async_mode="threading", clock=clock
    )
    app, _ = create_app(config)
    yield app.test_client()


def test_a_code_expires_after_ten_minutes(client: FlaskClient, clock: FakeClock) -> None:
    started = client.post("/api/pairing").get_json()
    clock.advance(CODE_TTL_S + 1)
    expired = client.post("/api/pairing/claim", json={"secret": started["secret"]})
    assert expired.status_code == 410 and expired.get_json()["error"]["code"] == "code_expired"
    late = client.post(
        f"/api/pairing/{started['code']}/approve", json={"name": "k", "rooms": ["display"]}, headers=ADMIN
    )
    assert late.status_code == 410
    fresh = client.post("/api/pairing").get_json()
    assert fresh["code"] != started["code"] or fresh["secret"] != started["secret"]
    listed = client.get("/api/pairing", headers=ADMIN).get_json()["pairings"]
    assert [p["code"] for p in listed] == [fresh["code"]]  # the expired one is gone
