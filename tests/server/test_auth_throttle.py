"""Failed authentications per address are limited: 20 a minute, then 429 until the window passes."""

from __future__ import annotations

from pathlib import Path

import pytest
import socketio

from server.auth_throttle import FAILURES_ALLOWED, WINDOW_S, FailedAuthLimiter
from server.clock import FakeClock
from tests.server.conftest import ClientFactory
from tests.support.server_process import ServerProcess


def test_the_limiter_blocks_after_the_allowed_failures_and_frees_the_address_in_time() -> None:
    clock = FakeClock()
    limiter = FailedAuthLimiter(clock, allowed=3, window_s=60)
    assert [limiter.failed("10.0.0.9") for _ in range(3)] == [False, False, True]  # the third blocks
    assert limiter.retry_after("10.0.0.9") == pytest.approx(60)
    assert limiter.retry_after("10.0.0.8") is None  # another address is not affected
    clock.advance(59)
    assert limiter.retry_after("10.0.0.9") == pytest.approx(1)
    clock.advance(1)
    assert limiter.retry_after("10.0.0.9") is None  # the oldest failure left the window
    assert limiter.refused == 2


def test_the_limiter_remembers_a_bounded_number_of_addresses() -> None:
    limiter = FailedAuthLimiter(FakeClock(), allowed=2, max_addresses=100)
    for n in range(1000):
        limiter.failed(f"10.0.{n // 256}.{n % 256}")
    assert len(limiter._failures) == 100  # the bound is the point of the test


def test_guessing_tokens_over_rest_and_sockets_is_slowed_to_the_limit(
    tmp_path: Path, clients: ClientFactory
) -> None:
    server = ServerProcess(tmp_path / "kiosk.db", log_path=tmp_path / "server.log")
    server.start()
    try:
        good = server.add_device("kitchen", ["display"])
        assert (
            server.request("GET", "/api/orders", token=good).status_code == 200
        )  # a good token counts nothing
        guesses = [
            server.request("GET", "/api/orders", token=f"kd_guess-{n}") for n in range(FAILURES_ALLOWED + 30)
        ]
        assert [g.status_code for g in guesses[:FAILURES_ALLOWED]] == [401] * FAILURES_ALLOWED
        blocked = guesses[FAILURES_ALLOWED:]
        assert {g.status_code for g in blocked} == {429}
        assert blocked[0].json()["error"]["code"] == "too_many_failed_logins"
        assert 1 <= int(blocked[0].headers["Retry-After"]) <= WINDOW_S
        # While blocked, even a right token waits: a lucky guess inside the block tells nothing.
        assert server.request("GET", "/api/orders", token=good).status_code == 429
        client = clients(server.url, good, connect=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect()
        assert client.connect_error["data"]["code"] == "too_many_failed_logins"
        log = server.log_path.read_text()
        assert log.count("sent 20 unknown tokens") == 1  # the block is logged once ...
        assert "refused 429" not in log  # ... not each refused guess
    finally:
        server.stop()
