"""Bump / status / cancel: optimistic on screen, sent over REST, queued on disk when offline.

An action gets its ``Idempotency-Key`` when it is taken, and keeps it through
the disk queue and every retry, so the server applies it exactly once even if
an answer was lost or the app restarted in between.  Entries leave the queue
only on a definitive answer (2xx or 4xx); a refusal rolls the card back and
reports the server's reason.

Refunds (``RefundSender``) are the exception: money handed back across the
counter is never queued or shown before the server has agreed (see its
docstring).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import ValidationError

from kiosk.core.action_queue import NATIVE_ROUTES, Action, ActionQueue
from kiosk.core.clock import Clock, SystemClock
from kiosk.core.dialects import Dialect, native_dialect
from kiosk.core.rest import ApiRefusedError, RestClient, ServerUnreachableError
from kiosk.core.store import Store
from kiosk.protocol import Order, OrderStatus
from kiosk.protocol.api import CANCEL_ORDER, ORDER_STATUS, REFUND_PAYMENT, Route
from kiosk.protocol.models import EntityId
from kiosk.protocol.status import ItemStatus, Priority

__all__ = ["Action", "ActionOutcome", "ActionQueue", "ActionRunner", "RefundSender", "local_result"]

log = logging.getLogger("kiosk.actions")


@dataclass(frozen=True)
class ActionOutcome:
    order_id: EntityId
    ok: bool
    queued: bool = False  # accepted locally, waiting for the server (offline)
    reason: str = ""  # readable, from the server's error.message when refused
    action: str = ""  # "status:ready", "cancel", "refund"... for logs and toasts
    replayed: bool = False  # the answer to an action queued earlier
    code: str = ""  # the server's stable error code when refused ("already_refunded"...), for the UI's words
    payment_id: EntityId | None = None  # the payment a refund was about


def local_result(held: Order, action: Action) -> Order:
    """What the card shows at once for ``action``: the server's answer as far as this screen can tell.

    A line started or finished on a pending order moves the order to
    preparing, and a line taken back on a ready order moves it back, as the
    server does (kiosk/protocol/status.py): the echo then matches what the
    card already shows, so it is no news (no chime, no flash).
    """
    if action.kind == "priority":
        return held.model_copy(update={"priority": Priority(action.status or Priority.NORMAL)})
    if action.kind == "item":
        target = ItemStatus(action.status or ItemStatus.PENDING)
        items = tuple(
            item.model_copy(
                update={
                    "status": target,
                    "void_reason": action.reason if target is ItemStatus.VOIDED else None,
                }
            )
            if item.id == action.item_id
            else item
            for item in held.items
        )
        status = held.status
        if (status is OrderStatus.PENDING and target in (ItemStatus.STARTED, ItemStatus.DONE)) or (
            status is OrderStatus.READY and target in (ItemStatus.PENDING, ItemStatus.STARTED)
        ):
            status = OrderStatus.PREPARING
        return held.model_copy(update={"items": items, "status": status})
    update: dict[str, Any] = {"status": OrderStatus(action.status or OrderStatus.CANCELLED)}
    if action.kind == "cancel":
        update["cancel_reason"] = action.reason
    return held.model_copy(update=update)


class ActionRunner:
    def __init__(
        self,
        rest: RestClient,
        store: Store,
        queue: ActionQueue,
        publish: Callable[[ActionOutcome], None],
        *,
        clock: Clock | None = None,
        reachable: Callable[[], bool] = lambda: True,
        dialect: Callable[[], Dialect] = native_dialect,
    ) -> None:
        self.reachable = reachable  # False: known offline, queue at once instead of waiting for a timeout
        self.dialect = dialect  # the backend's, read per action: detection may settle it after start
        self.rest = rest
        self.store = store
        self.queue = queue
        self.publish = publish
        self.clock: Clock = clock or SystemClock()
        self._lock = asyncio.Lock()

    async def submit(self, action: Action) -> ActionOutcome:
        """Show the result at once, then send; queue if the server cannot be reached."""
        action = Action(**{**asdict(action), "taken_at": self.clock.now().isoformat()})
        try:
            action.request()  # an id no path may hold (from a hostile server's event) is never sent
        except ValueError as exc:
            log.warning("%s of order %.60r refused here: %s", action.label, action.order_id, exc)
            refused = ActionOutcome(
                action.order_id, ok=False, reason=str(exc), action=action.label, code="invalid_id"
            )
            self.publish(refused)
            return refused
        held = self.store.orders.get(action.order_id)
        if held is not None:
            self.store.set_local(local_result(held, action))
        async with self._lock:
            if len(self.queue):  # keep the order of actions: behind what is already waiting
                return self._queue(action, "earlier actions are still waiting for the server")
            if not self.reachable():
                return self._queue(action, "the server cannot be reached")
            try:
                outcome = await self._send(action)
            except ServerUnreachableError as exc:
                return self._queue(action, str(exc))
        self.publish(outcome)
        return outcome

    async def replay(self) -> int:
        """Send queued actions in order; stop at the first that still cannot reach the server."""
        sent = 0
        async with self._lock:
            for action in self.queue:
                try:
                    outcome = await self._send(action, replayed=True)
                except ServerUnreachableError as exc:
                    log.info(
                        "server still unreachable for queued %s of order %s: %s",
                        action.label,
                        action.order_id,
                        exc,
                    )
                    break
                self.queue.remove(action)
                sent += 1
                self.publish(outcome)
        return sent

    def _queue(self, action: Action, why: str) -> ActionOutcome:
        self.queue.append(action)
        log.warning("%s of order %s queued until the server is back (%s)", action.label, action.order_id, why)
        outcome = ActionOutcome(
            action.order_id,
            ok=True,
            queued=True,
            reason="queued until the server is back",
            action=action.label,
        )
        self.publish(outcome)
        return outcome

    async def _send(self, action: Action, *, replayed: bool = False) -> ActionOutcome:
        dialect = self.dialect()
        found = {name: dialect.route(name, native) for name, native in NATIVE_ROUTES.items()}
        if found.get(action.route_name) is None:
            self.store.rollback(action.order_id)
            reason = f"this backend ({dialect.title}) takes no {action.label}"
            log.warning("%s of order %s not sent: %s", action.label, action.order_id, reason)
            return ActionOutcome(
                action.order_id, ok=False, reason=reason, action=action.label, code="unsupported"
            )
        routes: dict[str, Route] = {name: route for name, route in found.items() if route is not None}
        method, path, body = action.request(
            routes.get("order_status", ORDER_STATUS), routes.get("cancel_order", CANCEL_ORDER), routes
        )
        try:
            answer = await self.rest.call(method, path, json=body, idempotency_key=action.key)
        except ApiRefusedError as exc:
            rolled_back = self.store.rollback(action.order_id)
            log.warning(
                "server refused %s of order %s: %s%s",
                action.label,
                action.order_id,
                exc.message,
                " (card rolled back)" if rolled_back else "",
            )
            return ActionOutcome(
                action.order_id,
                ok=False,
                reason=exc.message,
                action=action.label,
                replayed=replayed,
                code=exc.code,
            )
        self.store.confirm(action.order_id)
        try:
            self.store.put_order(Order.model_validate(dialect.translate_order_row(answer)))
        except ValidationError:
            log.warning(
                "the server's answer to %s of order %s is not an order; waiting for its event",
                action.label,
                action.order_id,
            )
        log.info(
            "%s of order %s done%s",
            action.label,
            action.order_id,
            " (sent from the offline queue)" if replayed else "",
        )
        return ActionOutcome(action.order_id, ok=True, action=action.label, replayed=replayed)


REFUND_OFFLINE = "a refund needs the connection to the server; try again when it is back"
REFUND_NO_ANSWER = (
    "the server did not answer, so the refund is not confirmed; try again when the connection is back "
    "(a retry never refunds twice)"
)


class RefundSender:
    """``POST /api/payments/<id>/refund``: sent at once or not at all; never queued, never optimistic.

    Not queued like a cancel, because the cashier hands the money back when the
    screen says "refunded".  A queued refund would let cash leave the drawer on
    the strength of a request the server may still refuse (refunded meanwhile by
    the admin, another counter's payment, a revoked token), with no record of it
    anywhere.  So while the server is known to be away a refund is refused at
    once with a sentence that says so, and nothing is shown as refunded until
    the server's ``payment:refunded`` event arrives.

    One ``Idempotency-Key`` per payment is kept until a definitive answer (2xx or
    4xx): a refund whose answer was lost (a timeout after the server applied it)
    is retried with the same key, and the server replays its stored success
    instead of refusing "already refunded", so the cashier reads "refunded" once.
    (The server's status check already makes a second refund of one payment
    impossible; the key makes the retry *say* the right thing.)  The keys live in
    memory only: after a restart the payment's status from the server tells.
    """

    def __init__(self, rest: RestClient, *, reachable: Callable[[], bool] = lambda: True) -> None:
        self.rest = rest
        self.reachable = reachable
        # payment -> (reason, key): the key is reused only for the same request, since the
        # server refuses a key reused with another body (idempotency_key_reused).
        self._keys: dict[EntityId, tuple[str, str]] = {}

    def pending_key(self, payment_id: EntityId) -> str | None:
        """The key the next try for this payment will reuse (None: no answer is missing)."""
        pending = self._keys.get(payment_id)
        return pending[1] if pending is not None else None

    async def send(self, payment_id: EntityId, reason: str, *, order_id: EntityId = "") -> ActionOutcome:
        def outcome(ok: bool, reason: str = "", code: str = "") -> ActionOutcome:
            return ActionOutcome(
                order_id, ok=ok, reason=reason, action="refund", code=code, payment_id=payment_id
            )

        if not self.reachable():
            log.warning("refund of payment %s not sent: the server cannot be reached", payment_id)
            return outcome(False, REFUND_OFFLINE, "offline")
        pending = self._keys.get(payment_id)
        if pending is None or pending[0] != reason:  # another reason is another request: a new key
            pending = self._keys[payment_id] = (reason, uuid.uuid4().hex)
        key = pending[1]
        try:
            await self.rest.call(
                REFUND_PAYMENT.method,
                REFUND_PAYMENT.path(payment_id=payment_id),
                json={"reason": reason},
                idempotency_key=key,
            )
        except ValueError as exc:  # an id no path may hold: nothing was sent
            self._keys.pop(payment_id, None)
            log.warning("refund of payment %.60r refused here: %s", payment_id, exc)
            return outcome(False, str(exc), "invalid_id")
        except ServerUnreachableError as exc:
            log.warning(
                "refund of payment %s: no answer from the server (%s); a retry reuses its key",
                payment_id,
                exc,
            )
            return outcome(False, REFUND_NO_ANSWER, "no_answer")
        except ApiRefusedError as exc:
            # the server stores no refusal, so a retry is a new request and gets a new key
            self._keys.pop(payment_id, None)
            log.warning("server refused the refund of payment %s: %s (%s)", payment_id, exc.message, exc.code)
            return outcome(False, exc.message, exc.code)
        self._keys.pop(payment_id, None)
        log.info("refund of payment %s (order %s) done: %r", payment_id, order_id, reason)
        return outcome(True)
