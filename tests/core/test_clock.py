"""The fake clock moves only when told, and refuses naive datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kiosk.core.clock import FakeClock, SystemClock


def test_fake_clock_advances_both_clocks_and_set_moves_only_the_wall() -> None:
    clock = FakeClock(datetime(2026, 3, 1, 8, 0, tzinfo=UTC))
    clock.advance(90)
    assert clock.now() == datetime(2026, 3, 1, 8, 1, 30, tzinfo=UTC)
    assert clock.monotonic() == 1090.0
    clock.set(datetime(2026, 3, 1, 7, 0, tzinfo=UTC))
    assert clock.now().hour == 7
    assert clock.monotonic() == 1090.0
    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="aware"):
        clock.set(datetime(2026, 3, 1))


def test_system_clock_is_aware_utc() -> None:
    now = SystemClock().now()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
