"""``--behind-proxy``: behind a balancer the server sees each screen's address, and only when told to."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from server.auth_throttle import FAILURES_ALLOWED
from tests.support.server_process import ServerProcess


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path / "kiosk.db", extra_args=["--behind-proxy", "1"])
    process.start()
    yield process
    process.stop()


def _guess(server: ServerProcess, address: str, n: int) -> int:
    return server.request(
        "GET", "/api/orders", token=f"kd_guess-{n}", headers={"X-Forwarded-For": address}
    ).status_code


def test_one_screen_guessing_tokens_does_not_lock_out_the_others(proxied: ServerProcess) -> None:
    answers = [_guess(proxied, "203.0.113.7", n) for n in range(FAILURES_ALLOWED + 2)]
    assert answers[-1] == 429, answers
    other = proxied.request("GET", "/api/orders", headers={"X-Forwarded-For": "203.0.113.8"})
    assert other.status_code == 200  # before: every screen came from the balancer's address, all locked out
    log = proxied.log_tail(400)
    assert "203.0.113.7" in log  # support sees which screen it was
    assert "no per-address connection cap" in log


def test_without_the_flag_a_forwarded_address_is_not_believed(server: ServerProcess) -> None:
    answers = [_guess(server, f"198.51.100.{n}", n) for n in range(FAILURES_ALLOWED + 2)]
    assert answers[-1] == 429, answers  # a client cannot dodge the limit by inventing addresses
