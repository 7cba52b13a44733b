"""The order store: idempotent, version-ordered, precise changes, one notice per new thing."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.core.clock import FakeClock
from kiosk.core.dedup import SeenIds
from kiosk.core.store import Change, ChangeKind, Notice, Store
from kiosk.protocol import Event, Order, OrderStatus
from tests.core.envelopes import created, envelope, order_data, payment, status_changed


class Recorder:
    def __init__(self) -> None:
        self.changes: list[Change] = []
        self.notices: list[Notice] = []

    def on_changes(self, changes: Sequence[Change]) -> None:
        self.changes.extend(changes)

    def on_notice(self, notice: Notice) -> None:
        self.notices.append(notice)


def make_store(**kw: Any) -> tuple[Store, Recorder, FakeClock]:
    clock = FakeClock()
    store = Store(clock=clock, **kw)
    recorder = Recorder()
    store.subscribe(recorder)
    return store, recorder, clock


def test_same_event_three_times_applies_once() -> None:
    store, rec, _ = make_store()
    event = created(1, seq=5)
    assert store.apply_envelope(event)
    assert not store.apply_envelope(event)
    assert not store.apply_envelope(dict(event))
    assert list(store.orders) == [1]
    assert [c.kind for c in rec.changes] == [ChangeKind.INSERTED]
    assert len(rec.notices) == 1 and rec.notices[0].event is Event.ORDER_CREATED
    assert store.seq == 5 and store.notice_counts == {"order_created": 1}


def test_status_changed_before_created_ends_right_with_one_notice() -> None:
    store, rec, _ = make_store()
    store.apply_envelope(status_changed(7, "preparing", 2))
    store.apply_envelope(created(7))  # older version arrives late
    assert store.orders[7].status is OrderStatus.PREPARING
    assert len(rec.notices) == 1 and rec.notices[0].first_seen
    assert [c.kind for c in rec.changes] == [ChangeKind.INSERTED]


def test_update_carries_old_and_new() -> None:
    store, rec, _ = make_store()
    store.apply_envelope(created(1))
    store.apply_envelope(status_changed(1, "preparing", 2))
    change = rec.changes[-1]
    assert change.kind is ChangeKind.UPDATED
    assert isinstance(change.old, Order) and change.old.status is OrderStatus.PENDING
    assert isinstance(change.new, Order) and change.new.status is OrderStatus.PREPARING
    assert not rec.notices[-1].first_seen


def test_final_orders_linger_then_go_and_echoes_stay_gone() -> None:
    store, rec, clock = make_store(keep_final_s=10)
    store.apply_envelope(created(1))
    store.apply_envelope(envelope(Event.ORDER_CANCELLED, order_data(1, "cancelled", 2, reason="out of rice")))
    assert store.orders[1].status is OrderStatus.CANCELLED
    clock.advance(9)
    assert store.prune() == []
    clock.advance(1)
    removed = store.prune()
    assert [c.kind for c in removed] == [ChangeKind.REMOVED] and 1 not in store.orders
    store.apply_envelope(status_changed(1, "preparing", 2))  # a late echo of an older version
    assert 1 not in store.orders
    assert [n.event for n in rec.notices] == [Event.ORDER_CREATED, Event.ORDER_CANCELLED]


def test_cancel_of_an_unknown_order_is_not_shown() -> None:
    store, rec, _ = make_store()
    store.apply_envelope(envelope(Event.ORDER_CANCELLED, order_data(3, "cancelled", 2)))
    assert store.orders == {} and rec.notices == []


def test_snapshot_is_silent_and_removes_what_left() -> None:
    store, rec, _ = make_store()
    store.apply_envelope(created(1))
    rec.notices.clear()
    snapshot = [Order.model_validate(order_data(2)), Order.model_validate(order_data(3, "ready", 3))]
    store.load_snapshot(snapshot, [], seq=40)
    assert set(store.orders) == {2, 3} and store.seq == 40
    assert rec.notices == []
    assert {(c.kind, c.key) for c in rec.changes[1:]} == {
        (ChangeKind.INSERTED, 2),
        (ChangeKind.INSERTED, 3),
        (ChangeKind.REMOVED, 1),
    }


def test_reload_after_a_gap_announces_only_unseen_orders() -> None:
    store, rec, _ = make_store()
    store.load_snapshot([Order.model_validate(order_data(1))])
    store.load_snapshot(
        [Order.model_validate(order_data(1)), Order.model_validate(order_data(2))], notify_new=True
    )
    assert [(n.event, n.entity.id, n.first_seen) for n in rec.notices] == [(Event.ORDER_CREATED, 2, True)]  # type: ignore[union-attr]


def test_payments_refunds_and_the_nested_order() -> None:
    store, rec, _ = make_store()
    store.apply_envelope(created(1))
    store.apply_envelope(payment(10, 1))
    store.apply_envelope(payment(10, 1, status="refunded", version=2))
    store.apply_envelope(payment(10, 1))  # a late duplicate of the older version (new event id)
    assert store.payments[10].status == "refunded"
    assert [n.event for n in rec.notices] == [
        Event.ORDER_CREATED,
        Event.PAYMENT_PROCESSED,
        Event.PAYMENT_REFUNDED,
    ]


def test_alerts_and_notifications_are_kept_bounded() -> None:
    store, rec, _ = make_store(max_alerts=2)
    for n in range(3):
        store.apply_envelope(envelope(Event.ALERT, {"id": n, "severity": "warning", "message": f"m{n}"}))
    store.apply_envelope(envelope(Event.NOTIFICATION, {"id": 1, "user_id": 4, "type": "shift"}))
    assert [a.message for a in store.alerts] == ["m1", "m2"]
    assert len(store.notifications) == 1 and len(rec.notices) == 4


def test_legacy_events_without_ids_are_deduplicated_by_content() -> None:
    store, rec, _ = make_store()
    legacy = {"type": "order_created", "timestamp": "2026-01-05T10:00:00Z", "data": order_data(1, version=0)}
    assert store.apply_envelope(legacy)
    assert not store.apply_envelope(dict(legacy))
    later = {
        "type": "order_status_changed",
        "timestamp": "2026-01-05T10:01:00Z",
        "data": order_data(1, "preparing", version=0, updated_at="2026-01-05T10:01:00Z"),
    }
    assert store.apply_envelope(later)
    assert not store.apply_envelope(dict(later))
    # the older legacy snapshot arriving late does not undo the newer one
    stale = {"type": "order_created", "timestamp": "2026-01-05T10:00:30Z", "data": order_data(1, version=0)}
    store.apply_envelope(stale)
    assert store.orders[1].status is OrderStatus.PREPARING
    assert len(rec.notices) == 2


def test_optimistic_update_and_rollback() -> None:
    store, _rec, _ = make_store()
    store.apply_envelope(created(1))
    before = store.orders[1]
    store.set_local(before.model_copy(update={"status": OrderStatus.PREPARING}))
    assert store.orders[1].status is OrderStatus.PREPARING
    assert store.rollback(1)
    assert store.orders[1] is before
    # once the server moved the order on, a rollback must not undo the server's state
    store.set_local(before.model_copy(update={"status": OrderStatus.PREPARING}))
    store.apply_envelope(status_changed(1, "ready", 3))
    assert not store.rollback(1)
    assert store.orders[1].status is OrderStatus.READY


def test_the_echo_of_an_own_action_is_no_news_but_someone_elses_change_is() -> None:
    store, rec, _ = make_store()
    store.apply_envelope(created(1))
    store.set_local(store.orders[1].model_copy(update={"status": OrderStatus.PREPARING}))
    store.apply_envelope(status_changed(1, "preparing", 2))  # our bump, echoed before the REST answer
    store.confirm(1)
    assert store.orders[1].version == 2 and len(rec.notices) == 1
    store.apply_envelope(status_changed(1, "ready", 3))  # another screen's bump
    assert [n.event for n in rec.notices] == [Event.ORDER_CREATED, Event.ORDER_STATUS_CHANGED]


def test_restart_with_the_dedup_file_repeats_nothing(tmp_path: Any) -> None:
    path = tmp_path / "seen.jsonl"
    events = [created(n) for n in range(1, 6)]
    first, rec1, _ = make_store(seen=SeenIds(path))
    for event in events:
        first.apply_envelope(event)
    first.seen.close()
    second, rec2, _ = make_store(seen=SeenIds(path))
    for event in events:
        second.apply_envelope(event)
    assert len(rec1.notices) == 5 and rec2.notices == []


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (None, "JSON object"),
        ([1, 2], "JSON object"),
        ({"type": "order_created"}, "malformed envelope"),
        ({"type": "order:exploded", "data": {}}, "unknown event type"),
        ({"type": "order_created", "data": {"status": "pending"}}, "malformed Order"),
        ({"type": "order_created", "data": {"id": 1, "status": "eaten"}}, "malformed Order"),
        ({"type": "alert", "data": {"message": "x" * 300_000}}, "byte limit"),
        ({"type": "alert", "data": {"when": object()}}, "not plain JSON"),
    ],
)
def test_bad_input_is_logged_and_skipped(raw: object, words: str, caplog: pytest.LogCaptureFixture) -> None:
    store, rec, _ = make_store()
    with caplog.at_level(logging.WARNING, logger="kiosk.sync"):
        assert store.apply_envelope(raw) is False
    assert words in caplog.text
    assert rec.changes == [] and rec.notices == [] and store.skipped == 1


def test_a_flood_of_garbage_does_not_flood_the_log(caplog: pytest.LogCaptureFixture) -> None:
    store, _, clock = make_store()
    clock.advance(100)
    with caplog.at_level(logging.WARNING, logger="kiosk.sync"):
        for _ in range(500):
            store.apply_envelope({"type": "nonsense", "data": {}})
        assert len(caplog.records) == 20
        clock.advance(60)
        store.apply_envelope("garbage")
    assert "skipped 480 more bad event(s)" in caplog.records[-2].getMessage()
    assert "JSON object" in caplog.records[-1].getMessage()
    assert store.skipped == 501


def test_a_failing_listener_does_not_break_the_store(caplog: pytest.LogCaptureFixture) -> None:
    store, rec, _ = make_store()

    class Broken:
        def on_changes(self, changes: Sequence[Change]) -> None:
            raise RuntimeError("widget gone")

        def on_notice(self, notice: Notice) -> None:
            raise RuntimeError("widget gone")

    store.subscribe(Broken())
    with caplog.at_level(logging.ERROR, logger="kiosk.sync"):
        assert store.apply_envelope(created(1))
    assert 1 in store.orders and len(rec.notices) == 1
    assert "listener failed" in caplog.text


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
_types = st.sampled_from([e.type for e in Event] + ["", "order", "order_created "])
_fieldish = st.sampled_from(
    ["id", "status", "version", "order_id", "order", "updated_at", "items", "severity"]
)
_data = st.dictionaries(
    _fieldish, _json | st.sampled_from(["pending", "ready", "cancelled", 1, 2, "2026-01-05T10:00:00Z"])
)
_envelopes = st.one_of(
    _json,
    st.fixed_dictionaries(
        {"type": _types, "data": _data | _json},
        optional={"event_id": st.text(max_size=8) | _json, "seq": st.integers() | _json, "timestamp": _json},
    ),
    st.builds(
        status_changed,
        st.integers(1, 5),
        st.sampled_from(list(OrderStatus)),
        st.integers(0, 4),
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_envelopes, max_size=25))
def test_fuzzed_envelopes_never_escape_and_keep_the_store_valid(batch: list[Any]) -> None:
    store, rec, clock = make_store()
    for raw in batch:
        store.apply_envelope(raw)
        clock.advance(3)
        store.prune()
        store.check_invariants()
    for change in rec.changes:
        assert change.kind in ChangeKind


def test_a_late_echo_of_an_earlier_bump_does_not_pull_back_a_card_bumped_again() -> None:
    """Bump bar pressed faster than the server answers: ready, then completed.

    The echo (and the REST answer) of the first bump arrives while the second is
    in flight.  It is a step the card has already gone past, so the card keeps
    showing completed (no flicker back to ready, and the recall stack keeps the
    order), and that step becomes the point a refusal rolls back to.
    """
    store, rec, _ = make_store()
    store.apply_envelope(created(1))
    store.apply_envelope(status_changed(1, "preparing", 2))
    store.set_local(store.orders[1].model_copy(update={"status": OrderStatus.READY}))
    store.set_local(store.orders[1].model_copy(update={"status": OrderStatus.COMPLETED}))
    rec.changes.clear()

    store.apply_envelope(status_changed(1, "ready", 3))  # the first bump's echo, late
    assert store.put_order(Order.model_validate(order_data(1, status="ready", version=3))) is False
    assert store.orders[1].status is OrderStatus.COMPLETED
    assert rec.changes == []
    assert store.rollback(1)  # the second bump refused: back to the server's latest state
    assert store.orders[1].status is OrderStatus.READY and store.orders[1].version == 3


def test_the_echo_of_the_last_bump_and_other_screens_changes_still_apply() -> None:
    store, _rec, _ = make_store()
    store.apply_envelope(created(1))
    store.set_local(store.orders[1].model_copy(update={"status": OrderStatus.PREPARING}))
    store.set_local(store.orders[1].model_copy(update={"status": OrderStatus.READY}))
    store.apply_envelope(status_changed(1, "ready", 3))  # our own result: shown, real now
    assert store.orders[1].version == 3
    store.set_local(store.orders[1].model_copy(update={"status": OrderStatus.COMPLETED}))
    store.apply_envelope(envelope(Event.ORDER_CANCELLED, order_data(1, status="cancelled", version=4)))
    assert store.orders[1].status is OrderStatus.CANCELLED  # someone else's cancel wins at once


def test_the_answer_to_an_earlier_bump_keeps_the_later_bump_on_the_card() -> None:
    """The CI's bump-bar failure: the first bump's REST answer (confirm, then its order) came while
    the second bump was in flight, wiped the second's rollback point and put the card back to
    preparing, so the third press bumped to ready again and the server refused it."""
    store, rec, _ = make_store()
    store.apply_envelope(created(1))
    store.set_local(store.orders[1].model_copy(update={"status": OrderStatus.PREPARING}))  # bump 1
    store.set_local(store.orders[1].model_copy(update={"status": OrderStatus.READY}))  # bump 2
    rec.changes.clear()
    store.confirm(1)  # bump 1 answered ...
    store.put_order(Order.model_validate(order_data(1, status="preparing", version=2)))  # ... with its order
    assert store.orders[1].status is OrderStatus.READY
    assert rec.changes == []
    store.confirm(1)  # bump 2 answered
    assert store.put_order(Order.model_validate(order_data(1, status="ready", version=3)))
    assert store.orders[1].status is OrderStatus.READY and store.orders[1].version == 3
    assert not store.rollback(1)  # nothing in flight any more
