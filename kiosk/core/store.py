"""The order store: the screen's copy of the server's state, applied idempotently.

Every input (live event, catch-up page, snapshot, REST answer, optimistic
action) goes through here.  Per-entity ``version`` makes duplicates and
out-of-order arrivals harmless; the seen-ids set makes a replayed event a
no-op.  Subscribers get two things: precise ``Change``s (inserted / updated /
removed, for fine-grained Qt model signals) and one ``Notice`` per genuinely
new thing (which drives sounds and toasts) - never for a snapshot load or a
duplicate.  Bad input is logged and skipped; nothing here raises into the loop.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType

import orjson
from pydantic import ValidationError

from kiosk.core.changes import Change, ChangeKind, Notice, StoreListener
from kiosk.core.clock import Clock, SystemClock
from kiosk.core.dedup import SeenIds
from kiosk.core.listeners import Listeners
from kiosk.core.optimism import Optimism
from kiosk.core.versions import (
    SkipError,
    completed_from,
    first_error,
    is_active,
    is_newer_order,
    is_newer_payment,
    legacy_key,
    parse_entity,
)
from kiosk.protocol import EVENT_BY_TYPE, Alert, Envelope, Event, Notification, Order, Payment
from kiosk.protocol.models import EntityId
from kiosk.protocol.status import FINAL_STATUSES

__all__ = ["Change", "ChangeKind", "Notice", "Store", "StoreListener"]

log = logging.getLogger("kiosk.sync")

MAX_EVENT_BYTES = 256 * 1024
SKIP_LOG_LIMIT = 20  # bad-event log lines per minute


class Store:
    def __init__(
        self,
        *,
        clock: Clock | None = None,
        seen: SeenIds | None = None,
        keep_final_s: float = 10.0,
        max_payments: int = 5000,
        max_alerts: int = 50,
        max_notifications: int = 200,
        max_event_bytes: int = MAX_EVENT_BYTES,
    ) -> None:
        self._clock: Clock = clock or SystemClock()
        self.seen = seen if seen is not None else SeenIds(None)
        self.keep_final_s = keep_final_s
        self.max_payments = max_payments
        self.max_event_bytes = max_event_bytes
        self._orders: dict[EntityId, Order] = {}
        self._payments: dict[EntityId, Payment] = {}
        self._alerts: deque[Alert] = deque(maxlen=max_alerts)
        self._notifications: deque[Notification] = deque(maxlen=max_notifications)
        self._final_at: dict[EntityId, float] = {}
        self._gone: dict[EntityId, int] = {}  # removed final orders -> last version, so echoes stay gone
        self._optimism = Optimism()  # this screen's actions the server has not all answered
        self._listeners: Listeners[StoreListener] = Listeners()
        self._notice_counts: dict[str, int] = {}
        self.seq: int | None = None
        self.orders: Mapping[EntityId, Order] = MappingProxyType(self._orders)
        self.payments: Mapping[EntityId, Payment] = MappingProxyType(self._payments)
        self.notice_counts: Mapping[str, int] = MappingProxyType(self._notice_counts)
        self.skipped = 0  # bad or oversized inputs, for the state dump
        self._skip_window = (0.0, 0, 0)  # (window start, logged, suppressed): a flood of garbage, not of logs

    @property
    def alerts(self) -> Sequence[Alert]:
        return tuple(self._alerts)

    @property
    def notifications(self) -> Sequence[Notification]:
        return tuple(self._notifications)

    def subscribe(self, listener: StoreListener) -> Callable[[], None]:
        return self._listeners.subscribe(listener)

    # ------------------------------------------------------------------ events

    def apply_envelope(self, raw: object, *, advance_seq: bool = True) -> bool:
        """Apply one event envelope; False (and a log line) for bad input or a duplicate.

        ``advance_seq=False`` applies the event without moving ``seq`` (live
        events that arrive while a catch-up is still filling the gap before them).
        """
        return self.apply_batch([(raw, advance_seq)]) == 1

    def apply_batch(self, events: Iterable[tuple[object, bool]]) -> int:
        """Apply envelopes that arrived together, as ``apply_envelope`` would one by one; the count applied.

        Listeners hear one ``on_changes`` with every Change of the batch, in
        order, then each Notice: a burst of 500 new orders is one model insert
        and one relayout of the grid instead of 500.  ``events`` is read
        lazily, so the caller can stop a batch when its time is up.  Each item
        is ``(envelope, advance_seq)``.
        """
        changes: list[Change] = []
        notices: list[Notice] = []
        applied = 0
        for raw, advance_seq in events:
            try:
                outcome = self._apply_envelope(raw, advance_seq)
            except SkipError as skip:
                self.skip(str(skip))
                continue
            except Exception:  # a bug must not take the screen down; keep the evidence
                self.skipped += 1
                log.exception("skipped event that broke the store: %.200r", raw)
                continue
            if outcome is None:
                continue
            applied += 1
            changes += outcome[0]
            if outcome[1] is not None:
                notices.append(outcome[1])
        self._emit(changes)
        for notice in notices:
            self._notify(notice)
        return applied

    def skip(self, reason: str) -> None:
        """Count and log bad input, at most SKIP_LOG_LIMIT lines a minute plus one summary of the rest."""
        self.skipped += 1
        start, logged, suppressed = self._skip_window
        now = self._clock.monotonic()
        if now - start >= 60.0:
            if suppressed:
                log.warning(
                    "skipped %d more bad event(s) in the last minute without logging each", suppressed
                )
            start, logged, suppressed = now, 0, 0
        if logged < SKIP_LOG_LIMIT:
            log.warning("skipped event: %s", reason)
            logged += 1
        else:
            suppressed += 1
        self._skip_window = (start, logged, suppressed)

    def _apply_envelope(self, raw: object, advance_seq: bool) -> tuple[list[Change], Notice | None] | None:
        """The Changes and Notice of one envelope (not yet told to listeners); None for a duplicate."""
        event, envelope, entity = self._decode(raw)
        key = envelope.event_id or legacy_key(event, entity, envelope)
        if key in self.seen:
            log.debug("duplicate event %s (%s) ignored", key, envelope.type)
            return None
        self.seen.add(key)
        if advance_seq and envelope.seq is not None and (self.seq is None or envelope.seq > self.seq):
            self.seq = envelope.seq
        return self._apply_entity(event, envelope, entity)

    def _decode(self, raw: object) -> tuple[Event, Envelope, Order | Payment | Alert | Notification]:
        if not isinstance(raw, dict):
            raise SkipError(f"an event must be a JSON object, got {type(raw).__name__}: {raw!r:.120}")
        try:
            size = len(orjson.dumps(raw))
        except (TypeError, orjson.JSONEncodeError) as exc:
            raise SkipError(f"event is not plain JSON ({exc})") from None
        if size > self.max_event_bytes:
            raise SkipError(f"event of {size} bytes is over the {self.max_event_bytes} byte limit")
        try:
            envelope = Envelope.model_validate(raw)
        except ValidationError as exc:
            raise SkipError(f"malformed envelope ({first_error(exc)}): {raw!r:.200}") from None
        event = EVENT_BY_TYPE.get(envelope.type)
        if event is None:
            raise SkipError(f"unknown event type {envelope.type!r:.60} (known: {', '.join(EVENT_BY_TYPE)})")
        return event, envelope, parse_entity(event, envelope.data)

    def _apply_entity(
        self, event: Event, envelope: Envelope, entity: Order | Payment | Alert | Notification
    ) -> tuple[list[Change], Notice | None]:
        changes: list[Change] = []
        if isinstance(entity, Order):
            before = self._orders.get(entity.id)
            # The echo of this screen's own action (arriving before its REST answer) is no news.
            own_echo = before is not None and self._optimism.is_own_echo(before, entity)
            change = self._upsert_order(entity)
            changes += [change] if change is not None else []
            newsworthy = change is not None and not own_echo
            if event is Event.QR_SCANNED:
                newsworthy = before is None or entity.version >= before.version
            return changes, Notice(event, entity, envelope, before is None) if newsworthy else None
        if isinstance(entity, Payment):
            change = self._upsert_payment(entity)
            changes += [change] if change is not None else []
            # Refresh an order this screen shows; never add one from a payment (a kasir room gets no
            # order events, so such an order would go stale).
            if entity.order is not None and entity.order.id in self._orders:
                order_change = self._upsert_order(entity.order)
                changes += [order_change] if order_change is not None else []
            if change is None:
                return changes, None
            return changes, Notice(event, entity, envelope, first_seen=change.old is None)
        if isinstance(entity, Alert):
            self._alerts.append(entity)
        else:
            self._notifications.append(entity)
        return changes, Notice(event, entity, envelope, first_seen=True)

    # --------------------------------------------------------------- snapshots

    def load_snapshot(
        self,
        orders: Iterable[Order],
        payments: Iterable[Payment] | None = None,
        seq: int | None = None,
        *,
        notify_new: bool = False,
    ) -> list[Change]:
        """Make the held orders equal to a server snapshot of the active ones.

        Silent by default (first load).  ``notify_new=True`` is for a reload
        after a gap (log reset, legacy resync): orders this screen never showed
        raise a ``first_seen`` notice, so nothing created during an outage goes
        unannounced, and orders already shown stay quiet.
        """
        changes: list[Change] = []
        notices: list[Notice] = []
        present: set[EntityId] = set()
        for order in orders:
            present.add(order.id)
            before = self._orders.get(order.id)
            change = self._upsert_order(order)
            if change is not None:
                changes.append(change)
                if notify_new and before is None and change.kind is ChangeKind.INSERTED:
                    notices.append(Notice(Event.ORDER_CREATED, order, None, first_seen=True))
        for key in [k for k, o in self._orders.items() if k not in present and is_active(o)]:
            changes.append(self._remove_order(key))
        for payment in payments or ():
            change = self._upsert_payment(payment)
            if change is not None:
                changes.append(change)
        if seq is not None:
            self.seq = seq
        self._emit(changes)
        for notice in notices:
            self._notify(notice)
        return changes

    def put_order(self, order: Order) -> bool:
        """Apply an order the server answered with (REST); silent.  True if it changed anything."""
        change = self._upsert_order(order)
        self._emit([change] if change else [])
        return change is not None

    def fill_in(self, whole: Order) -> bool:
        """Complete a held order from a fetch of the whole: what no event told, never what one did.

        For an older backend's partial events (kiosk/core/enrich.py): a status
        that moved on while the fetch was under way is kept.  True if it added anything.
        """
        held = self._orders.get(whole.id)
        if held is None:
            return False
        missing = {name: getattr(whole, name) for name in whole.model_fields_set - held.model_fields_set}
        if not missing:
            return False
        completed = held.model_copy(update=missing)
        self._orders[whole.id] = completed
        self._emit([Change(ChangeKind.UPDATED, "orders", whole.id, held, completed)])
        return True

    def attach_order(self, order: Order) -> bool:
        """Give the payments of ``order`` that came without it (events alone) the order, for receipts."""
        changes = []
        for key, payment in self._payments.items():
            if payment.order_id == order.id and payment.order is None:
                self._payments[key] = payment.model_copy(update={"order": order})
                changes.append(Change(ChangeKind.UPDATED, "payments", key, payment, self._payments[key]))
        self._emit(changes)
        return bool(changes)

    # ---------------------------------------------------------------- optimism

    def set_local(self, order: Order) -> None:
        """Show an action's expected result at once; ``rollback`` undoes it if refused."""
        before = self._orders.get(order.id)
        if before is None:
            return
        self._optimism.begin(before, order)
        self._orders[order.id] = order
        self._track_final(order)
        self._emit([Change(ChangeKind.UPDATED, "orders", order.id, before, order)])

    def rollback(self, order_id: EntityId) -> bool:
        """Undo ``set_local`` unless the server has already moved the order on."""
        entry = self._optimism.take(order_id)
        if entry is None:
            return False
        before, local = entry.before, entry.local
        if self._orders.get(order_id) is not local:
            return False
        self._orders[order_id] = before
        self._track_final(before)
        self._emit([Change(ChangeKind.UPDATED, "orders", order_id, local, before)])
        return True

    def confirm(self, order_id: EntityId) -> None:
        """An action the server accepted; the rollback point goes with the last one in flight."""
        self._optimism.confirm(order_id)

    # ------------------------------------------------------------------ upkeep

    def prune(self) -> list[Change]:
        """Drop completed / cancelled orders shown for ``keep_final_s``; call it every second or so."""
        now = self._clock.monotonic()
        due = [key for key, at in self._final_at.items() if now - at >= self.keep_final_s]
        changes = [self._remove_order(key) for key in due if key in self._orders]
        self._emit(changes)
        return changes

    def check_invariants(self) -> None:
        """Raise AssertionError if the held state is inconsistent (used by the fuzz tests)."""
        for key, order in self._orders.items():
            assert isinstance(order, Order) and order.id == key
        for key, payment in self._payments.items():
            assert isinstance(payment, Payment) and payment.id == key
        assert set(self._final_at) <= set(self._orders)
        for key in self._final_at:
            assert self._orders[key].status in FINAL_STATUSES
        assert len(self._payments) <= self.max_payments

    # ---------------------------------------------------------------- internals

    def _upsert_order(self, new: Order) -> Change | None:
        old = self._orders.get(new.id)
        if old is not None:
            new = completed_from(old, new)
        if old is None:
            gone = self._gone.get(new.id)
            if gone is not None and new.version <= gone:
                return None
            if not is_active(new):
                self._remember_gone(new)
                return None
            self._orders[new.id] = new
            self._track_final(new)
            return Change(ChangeKind.INSERTED, "orders", new.id, None, new)
        if not is_newer_order(old, new):
            return None
        if self._optimism.absorb_earlier_step(old, new):
            return None  # the card stays where this screen put it (kiosk/core/optimism.py)
        self._orders[new.id] = new
        self._track_final(new)
        return Change(ChangeKind.UPDATED, "orders", new.id, old, new)

    def _upsert_payment(self, new: Payment) -> Change | None:
        old = self._payments.get(new.id)
        if old is not None:
            new = completed_from(old, new)
        if old is not None and not is_newer_payment(old, new):
            return None
        self._payments[new.id] = new
        if old is None and len(self._payments) > self.max_payments:
            oldest = next(iter(self._payments))
            del self._payments[oldest]
        return Change(
            ChangeKind.INSERTED if old is None else ChangeKind.UPDATED, "payments", new.id, old, new
        )

    def _remove_order(self, key: EntityId) -> Change:
        old = self._orders.pop(key)
        self._final_at.pop(key, None)
        self._optimism.forget(key)
        self._remember_gone(old)
        return Change(ChangeKind.REMOVED, "orders", key, old, None)

    def _remember_gone(self, order: Order) -> None:
        self._gone.pop(order.id, None)
        self._gone[order.id] = max(order.version, self._gone.get(order.id, 0))
        while len(self._gone) > 10_000:
            del self._gone[next(iter(self._gone))]

    def _track_final(self, order: Order) -> None:
        if order.status in FINAL_STATUSES:
            self._final_at.setdefault(order.id, self._clock.monotonic())
        else:
            self._final_at.pop(order.id, None)

    def _emit(self, changes: Sequence[Change]) -> None:
        if not changes:
            return
        self._listeners.tell(lambda listener: listener.on_changes(changes), f"{len(changes)} store change(s)")

    def _notify(self, notice: Notice) -> None:
        kind = notice.event.type
        self._notice_counts[kind] = self._notice_counts.get(kind, 0) + 1
        self._listeners.tell(lambda listener: listener.on_notice(notice), f"a {kind} notice")
