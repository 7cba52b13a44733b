"""RepeatFilter: a flood of one line is written a few times, then summarised; other lines always pass."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from kiosk.core.log_throttle import RepeatFilter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def logged(clock: Clock) -> Iterator[tuple[logging.Logger, io.StringIO, RepeatFilter]]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    repeat_filter = RepeatFilter(handler, burst=3, window_s=10, clock=clock)
    handler.addFilter(repeat_filter)
    logger = logging.getLogger("kiosk.test.throttle")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    yield logger, out, repeat_filter
    logger.removeHandler(handler)
    logger.propagate = True


def lines(out: io.StringIO) -> list[str]:
    return out.getvalue().splitlines()


def test_a_flood_is_cut_to_the_burst_and_summarised_when_its_window_ends(logged, clock: Clock) -> None:
    logger, out, _ = logged
    for _ in range(20000):
        logger.warning("QSocketNotifier: Invalid socket %d and type 'Read', disabling...", 20)
    assert len(lines(out)) == 3
    clock.now += 10
    logger.info("connection to http://server lost")
    written = lines(out)
    assert len(written) == 5
    assert "repeated 19997 more times in 10 s" in written[3] and "Invalid socket 20" in written[3]
    assert written[3].startswith("WARNING kiosk.test.throttle:")
    assert written[4] == "INFO kiosk.test.throttle: connection to http://server lost"


def test_other_lines_pass_during_a_flood(logged) -> None:
    logger, out, _ = logged
    for number in range(1000):
        logger.warning("spinning")
        if number % 100 == 0:
            logger.info("order %d applied", number)  # each one different: all kept
    kept = lines(out)
    assert sum("spinning" in line for line in kept) == 3
    assert sum("applied" in line for line in kept) == 10


def test_a_line_that_repeats_slowly_is_never_held_back(logged, clock: Clock) -> None:
    logger, out, _ = logged
    for _ in range(10):
        logger.info("reconnecting in 30 s")
        clock.now += 30
    assert len(lines(out)) == 10


def test_flushing_at_exit_writes_the_pending_summary(logged) -> None:
    logger, out, repeat_filter = logged
    for _ in range(7):
        logger.error("same")
    repeat_filter.flush_expired()
    assert lines(out)[-1].endswith("the line 'same' repeated 4 more times in 10 s (not written)")


def test_ever_new_lines_are_bounded_in_memory(clock: Clock) -> None:
    handler = logging.StreamHandler(io.StringIO())
    repeat_filter = RepeatFilter(handler, burst=1, window_s=10, clock=clock, max_keys=50)
    for number in range(5000):
        record = logging.LogRecord("kiosk.x", logging.INFO, __file__, 1, "line %d", (number,), None)
        assert repeat_filter.filter(record)
    assert len(repeat_filter._seen) <= 50
