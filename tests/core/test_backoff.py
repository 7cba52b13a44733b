"""Reconnect delays follow the configured curve, stay inside cap and jitter, reset when stable."""

from __future__ import annotations

import random

import pytest

from kiosk.core.backoff import Backoff
from kiosk.core.clock import FakeClock


def test_delays_follow_the_curve_within_jitter_and_cap() -> None:
    backoff = Backoff(1.0, 30.0, jitter=0.5, rng=random.Random(42))
    curve = [1, 2, 4, 8, 16, 30, 30, 30, 30, 30]
    delays = [backoff.next_delay() for _ in curve]
    for delay, base in zip(delays, curve, strict=True):
        assert base * 0.5 <= delay <= base
    assert max(delays) <= 30.0
    assert backoff.attempt == len(curve)


def test_same_seed_same_delays_and_different_seeds_spread() -> None:
    first = [Backoff(rng=random.Random(7)).next_delay() for _ in range(1)]
    again = [Backoff(rng=random.Random(7)).next_delay() for _ in range(1)]
    assert first == again
    # thirty screens restarting together do not all knock at the same instant
    spread = {round(Backoff(rng=random.Random(seed)).next_delay(), 3) for seed in range(30)}
    assert len(spread) > 20


def test_exact_values_with_a_seeded_source() -> None:
    rng = random.Random(1)
    expected_draws = [random.Random(1).random() for _ in range(1)]
    backoff = Backoff(2.0, 10.0, jitter=0.25, rng=rng)
    assert backoff.next_delay() == pytest.approx(2.0 * (1 - 0.25 * expected_draws[0]))


def test_long_outage_never_overflows() -> None:
    backoff = Backoff(1.0, 30.0, rng=random.Random(0))
    for _ in range(5000):
        assert backoff.next_delay() >= 15.0 or backoff.attempt < 6


def test_reset_only_after_a_stable_connection() -> None:
    clock = FakeClock()
    backoff = Backoff(1.0, 30.0, stable_after=10.0, rng=random.Random(3), clock=clock)
    for _ in range(4):
        backoff.next_delay()
    backoff.connected()
    clock.advance(9.9)
    backoff.disconnected()  # flapping: dropped before it proved stable
    assert backoff.attempt == 4
    assert backoff.next_delay() >= 16 * 0.5
    backoff.connected()
    clock.advance(10.0)
    assert backoff.is_stable()
    backoff.disconnected()
    assert backoff.attempt == 0
    assert backoff.next_delay() <= 1.0


def test_penalty_waits_at_the_cap() -> None:
    backoff = Backoff(1.0, 30.0, rng=random.Random(5))
    assert 15.0 <= backoff.penalty() <= 30.0


@pytest.mark.parametrize(("initial", "maximum", "jitter"), [(0, 1, 0.5), (2, 1, 0.5), (1, 2, 1.0)])
def test_nonsense_parameters_are_refused(initial: float, maximum: float, jitter: float) -> None:
    with pytest.raises(ValueError, match=r"must|needs"):
        Backoff(initial, maximum, jitter=jitter)
