""" "Today" is counted once, in the contract, from local midnight: the server's counts and the screens' agree."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

import kiosk.core.sync
import server.stats
from kiosk.protocol import iso, start_of_local_day


@pytest.fixture
def jakarta(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Jakarta")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_today_starts_at_local_midnight_not_at_utc_midnight(jakarta: None) -> None:
    # 01:30 in Jakarta on 3 December is 18:30 UTC on the 2nd: "today" is the 3rd, from 17:00 UTC
    assert iso(start_of_local_day(datetime(2026, 12, 2, 18, 30, tzinfo=UTC))) == "2026-12-02T17:00:00.000Z"
    # 06:59 in Jakarta: still the day that began at local midnight, not the UTC day of 07:00
    assert iso(start_of_local_day(datetime(2026, 12, 2, 23, 59, tzinfo=UTC))) == "2026-12-02T17:00:00.000Z"


def test_the_screens_and_the_server_count_today_with_the_same_rule() -> None:
    assert kiosk.core.sync.start_of_local_day is start_of_local_day
    assert server.stats.start_of_local_day is start_of_local_day
