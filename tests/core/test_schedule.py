"""Held orders fire on the injected clock: once, at their release, never on a restart."""

from __future__ import annotations

from datetime import timedelta

from kiosk.core.clock import FakeClock
from kiosk.core.schedule import Schedule, is_held, release_at
from kiosk.protocol import Order, iso
from tests.core.envelopes import order_data


def _booked(order_id: int, clock: FakeClock, fire_in_min: int, prep: int, **extra: object) -> Order:
    fire_at = clock.now() + timedelta(minutes=fire_in_min)
    return Order.model_validate(order_data(order_id, fire_at=iso(fire_at), prep_minutes=prep, **extra))


def test_a_held_order_fires_once_at_its_release() -> None:
    clock = FakeClock()
    soon = _booked(1, clock, fire_in_min=30, prep=10)  # released in 20 minutes
    later = _booked(2, clock, fire_in_min=90, prep=15)
    now_order = Order.model_validate(order_data(3))
    schedule = Schedule()
    first = schedule.look([later, soon, now_order], clock.now())
    assert [order.id for order in first.held] == [1, 2] and first.fired == []
    assert first.next_at == release_at(soon) == clock.now() + timedelta(minutes=20)
    clock.advance(20 * 60 - 1)
    assert schedule.look([soon, later, now_order], clock.now()).fired == []
    clock.advance(1)
    due = schedule.look([soon, later, now_order], clock.now())
    assert [order.id for order in due.fired] == [1] and [order.id for order in due.held] == [2]
    again = schedule.look([soon, later, now_order], clock.now())
    assert again.fired == [] and again.next_at == release_at(later)


def test_a_screen_started_after_the_release_fires_nothing() -> None:
    clock = FakeClock()
    booked = _booked(1, clock, fire_in_min=30, prep=10)
    clock.advance(25 * 60)
    schedule = Schedule()
    assert schedule.look([booked], clock.now()).fired == [] and not is_held(booked, clock.now())


def test_an_order_started_early_is_no_longer_held_and_does_not_fire() -> None:
    clock = FakeClock()
    booked = _booked(1, clock, fire_in_min=60, prep=10)
    schedule = Schedule()
    assert [order.id for order in schedule.look([booked], clock.now()).held] == [1]
    started = booked.model_copy(update={"status": "preparing", "version": 2})
    result = schedule.look([started], clock.now())
    assert result.held == [] and result.fired == []  # the cook took it early: nothing to announce


def test_an_order_without_a_prep_time_is_held_until_its_fire_time() -> None:
    clock = FakeClock()
    order = Order.model_validate(order_data(1, fire_at=iso(clock.now() + timedelta(minutes=5))))
    assert release_at(order) == clock.now() + timedelta(minutes=5) and is_held(order, clock.now())
