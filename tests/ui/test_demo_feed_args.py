"""The demo starts its feed with arguments the server's CLI reads whatever the random admin token looks like."""

from __future__ import annotations

import pytest

from kiosk.demo import feed_arguments
from server.cli import _parser


@pytest.mark.parametrize("admin", ["-starts-with-a-dash", "--looks-like-an-option", "plain_token"])
def test_any_admin_token_reaches_the_feed_intact(admin: str) -> None:
    args = _parser().parse_args(feed_arguments("http://127.0.0.1:1", admin, rate=4, duration=60, seed=3))
    assert (args.token, args.url, args.rate, args.duration, args.seed, args.counters) == (
        admin,
        "http://127.0.0.1:1",
        4.0,
        60.0,
        3,
        1,
    )
