"""The one object a screen holds: connection, sync, polling, actions and the store.

``start()`` returns at once and connects in the background, forever: the
server may be down at start-up, restart, or refuse the token, and the screen
keeps showing what it holds and says why it is not live.  Every callback runs
on the loop thread (the Qt thread in the app, via qasync); blocking REST runs
in an executor.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.core import config as config_module
from kiosk.core.actions import Action, ActionOutcome, ActionQueue, ActionRunner, RefundSender
from kiosk.core.backoff import Backoff
from kiosk.core.clock import Clock, SystemClock
from kiosk.core.config import Config, is_configured
from kiosk.core.connection import Connector
from kiosk.core.connection_status import ConnectionState, ConnectionStatus, StatusBoard
from kiosk.core.dedup import SeenIds
from kiosk.core.dialects import Dialect
from kiosk.core.enrich import Enricher
from kiosk.core.listeners import Listeners
from kiosk.core.recall import RecallStack
from kiosk.core.rest import ApiRefusedError, RestClient, ServerUnreachableError
from kiosk.core.screen_commands import ScreenCommands
from kiosk.core.screen_report import ScreenReporter
from kiosk.core.store import Store
from kiosk.core.sync import ResumePoint, Syncer
from kiosk.protocol import (
    OrderStatus,
    RoomKind,
    bump_target,
    can_transition,
    describe_allowed,
    is_valid_room,
    parse_room,
)
from kiosk.protocol.models import EntityId

__all__ = ["ActionOutcome", "Session"]

log = logging.getLogger("kiosk.net")

STOP_WAIT_S = 2.0  # stop() waits at most this long for its tasks, and again for the socket to close


class Session:
    def __init__(
        self,
        config: Config,
        *,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        data_dir: Path | None = None,
        join_timeout_s: float = 5.0,
        config_path: Path | None = None,
    ) -> None:
        self.config = config
        self.clock: Clock = clock or SystemClock()
        self.data_dir = data_dir or config_module.data_dir()
        slug = (config.room or "unconfigured").replace("/", "_")
        self.store = Store(
            clock=self.clock,
            seen=SeenIds(self.data_dir / f"seen-{slug}.jsonl", max_size=config.dedup_size),
            keep_final_s=config.keep_final_s,
        )
        self.backoff = Backoff(
            config.backoff_initial_s,
            config.backoff_max_s,
            stable_after=config.stable_after_s,
            rng=rng or random.Random(),
            clock=self.clock,
        )
        self.rest = RestClient(config.server_url, config.token, timeout=config.request_timeout_s)
        self.syncer = Syncer(
            self.rest,
            self.store,
            config.room or "display",
            clock=self.clock,
            dialect=config.backend_dialect,
            on_dialect=self._withhold_token_from,
        )
        self.actions = ActionRunner(
            self.rest,
            self.store,
            ActionQueue(self.data_dir / f"actions-{slug}.jsonl"),
            self._publish_action,
            clock=self.clock,
            reachable=lambda: self.rest.reachable,
            dialect=lambda: self.syncer.dialect,
        )
        # Live means the server is there even if the last REST call timed out (nothing else would
        # call REST to find out on a kasir screen), so a refund is tried.
        self.refunds = RefundSender(
            self.rest, reachable=lambda: self.rest.reachable or self.status.state is ConnectionState.LIVE
        )
        self.resume = ResumePoint(self.data_dir / f"state-{slug}.json", config.server_url)
        self.syncer.resume_seq = self.resume.load()
        self.board = StatusBoard(self.clock)
        self._sync_lock = asyncio.Lock()
        self.connector = Connector(
            config,
            self.store,
            self.syncer,
            self.board,
            self.backoff,
            clock=self.clock,
            sync_lock=self._sync_lock,
            on_live=self._on_live,
            join_timeout_s=join_timeout_s,
        )
        # The console's identify, reload and pushed settings (kept beside ``config_path``).
        self.commands = ScreenCommands(self, config_path)
        self.connector.on_command = self.commands.handle
        self.recall_stack = RecallStack()
        self.store.subscribe(self.recall_stack)
        self.enricher = Enricher(self.rest, self.store, lambda: self.syncer.dialect)
        # A customer board holds number and status only, on purpose: nothing there to complete.
        if not is_valid_room(config.room) or parse_room(config.room).kind is not RoomKind.BOARD:
            self.store.subscribe(self.enricher)
        self._action_listeners: Listeners[Callable[[ActionOutcome], None]] = Listeners()
        self._tasks: list[asyncio.Task[None]] = []
        self.reporter = ScreenReporter(self)  # the fleet view's report (kiosk/core/screen_report.py)

    @property
    def last_bumped(self) -> EntityId | None:
        """The order R recalls next (the newest bump not yet recalled), or None."""
        return self.recall_stack.top

    @property
    def status(self) -> ConnectionStatus:
        return self.board.status

    @property
    def attempts(self) -> int:
        """Connection attempts made (for tests and the state dump)."""
        return self.connector.attempts

    @property
    def connects(self) -> int:
        return self.connector.connects

    def _withhold_token_from(self, dialect: Dialect) -> None:
        """A backend without auth is never handed the device's token (REST here, the socket in connection.py)."""
        self.rest.token = self.config.token if dialect.sends_token else ""

    # ------------------------------------------------------------ subscribers

    def subscribe_status(self, callback: Callable[[ConnectionStatus], None]) -> Callable[[], None]:
        return self.board.subscribe(callback)

    def subscribe_actions(self, callback: Callable[[ActionOutcome], None]) -> Callable[[], None]:
        return self._action_listeners.subscribe(callback)

    # -------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        if self._tasks:
            return
        if not is_configured(self.config):
            self.board.set(
                ConnectionState.OFFLINE, detail="not configured: server_url, room and token are needed"
            )
            return
        self.connector.offline.set()
        loop = asyncio.get_running_loop()
        for name, coroutine in (
            ("connect", self.connector.run()),
            ("poll", self._poll()),
            ("tick", self._tick()),
            ("enrich", self.enricher.run()),
            ("report", self.reporter.run()),
        ):
            self._tasks.append(loop.create_task(coroutine, name=f"kiosk-{name}"))

    async def _on_live(self) -> None:
        """Live again: the actions queued meanwhile, then this screen's report (the admin sees it back)."""
        await self.actions.replay()
        await self.reporter.send()

    async def reload(self) -> None:
        """The room's snapshot loaded afresh (the console's "reload"), between catch-ups, never during one."""
        async with self._sync_lock:
            await self.syncer.snapshot(notify_new=False)

    async def stop(self) -> None:
        """Cancel the background work and save the resume point, within a bounded time.

        A task that ignores its cancel (see ``connection._stop_if_cancelled``) is
        logged and left behind rather than allowed to hold the screen open.
        """
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        if tasks:
            done, stuck = await asyncio.wait(tasks, timeout=STOP_WAIT_S)
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    log.warning("%s had failed before the stop: %r", task.get_name(), task.exception())
            for task in stuck:
                log.warning(
                    "%s did not stop within %.0f s of its cancel; left behind", task.get_name(), STOP_WAIT_S
                )
        try:
            await asyncio.wait_for(self.connector.close(), STOP_WAIT_S)
        except TimeoutError:
            log.warning("closing the connection took over %.0f s; left behind", STOP_WAIT_S)
        self.resume.save(self.store.seq, legacy=self.syncer.legacy)
        self.store.seen.close()
        self.rest.close()

    # ---------------------------------------------------------------- actions

    async def bump(self, order_id: EntityId) -> ActionOutcome:
        order = self.store.orders.get(order_id)
        if order is None:
            return self._refuse(
                order_id, f"order {order_id} is not on this screen any more", code="not_on_screen"
            )
        target = bump_target(order.status)
        if target is None:
            return self._refuse(order_id, describe_allowed(order.status), code="invalid_transition")
        if target is not OrderStatus.COMPLETED:
            return await self.set_status(order_id, target)
        # Optimistic, like the card: R pressed before the server has answered
        # must recall this order, not say "nothing to recall".
        self.recall_stack.push(order_id)
        outcome = await self.set_status(order_id, target)
        if not outcome.ok:
            self.recall_stack.discard(order_id)  # refused and rolled back: it never left the screen
        return outcome

    async def set_status(self, order_id: EntityId, status: OrderStatus) -> ActionOutcome:
        order = self.store.orders.get(order_id)
        if order is not None and order.status != status and not can_transition(order.status, status):
            return self._refuse(order_id, describe_allowed(order.status), code="invalid_transition")
        return await self.actions.submit(Action("status", order_id, status=OrderStatus(status).value))

    async def cancel(self, order_id: EntityId, reason: str) -> ActionOutcome:
        reason = reason.strip()
        if not reason:
            return self._refuse(
                order_id, "a cancel needs a reason (1-200 characters)", code="reason_required"
            )
        order = self.store.orders.get(order_id)
        if order is not None and not can_transition(order.status, OrderStatus.CANCELLED):
            return self._refuse(order_id, describe_allowed(order.status), code="invalid_transition")
        return await self.actions.submit(Action("cancel", order_id, reason=reason[:200]))

    async def recall(self) -> ActionOutcome:
        """Bring the newest bumped-to-completed order not yet recalled back to ready.

        It leaves the stack at once, like the bump, so R pressed twice quickly
        recalls two orders.  A refused recall does not come back: the server's
        refusals (recall window passed, cancelled meanwhile) are definitive, and
        the next R goes on to the next order.
        """
        order_id = self.recall_stack.pop()
        if order_id is None:
            return self._refuse(
                "", "nothing to recall: no order bumped on this screen is waiting", action="recall"
            )
        return await self.actions.submit(Action("status", order_id, status=OrderStatus.READY.value))

    async def refund(self, payment_id: EntityId, reason: str) -> ActionOutcome:
        """Refund a payment now, or say why not; never queued (see ``RefundSender``).

        The outcome goes back to the caller only, not to ``subscribe_actions``:
        the refund dialog shows it in the screen's language, where the window's
        banner for refused order actions would say an order "was not changed".
        The payment on screen changes with the server's ``payment:refunded`` event.
        """
        payment = self.store.payments.get(payment_id)
        order_id = payment.order_id if payment is not None else ""
        reason = reason.strip()
        if not reason:
            return ActionOutcome(
                order_id,
                ok=False,
                reason="a refund needs a reason (1-200 characters)",
                action="refund",
                code="reason_required",
                payment_id=payment_id,
            )
        return await self.refunds.send(payment_id, reason[:200], order_id=order_id)

    def _refuse(self, order_id: EntityId, reason: str, *, action: str = "", code: str = "") -> ActionOutcome:
        """Refused here, before asking the server; ``code`` is what the window translates."""
        outcome = ActionOutcome(order_id, ok=False, reason=reason, action=action, code=code)
        self._publish_action(outcome)
        return outcome

    # ----------------------------------------------------------- background

    async def _poll(self) -> None:
        """While the socket is down, catch up over REST so events still arrive.

        A backend whose dialect has ``poll_s`` sends no status events at all: its
        order list is read that often while live too.
        """
        while True:
            live_poll_s = self.syncer.dialect.poll_s
            if live_poll_s is None:
                await self.connector.offline.wait()
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self.connector.offline.wait(), max(0.0, live_poll_s - self.config.poll_interval_s)
                    )
            ok = True
            try:
                async with self._sync_lock:
                    await self.syncer.catch_up()
                await self.actions.replay()
            except ServerUnreachableError as exc:
                ok = False
                log.debug("catch-up poll failed: %s", exc)
            except ApiRefusedError as exc:
                ok = False
                log.warning(
                    "catch-up poll refused (%s); polling again in %.0f s", exc.message, self.backoff.maximum
                )
                await asyncio.sleep(self.backoff.maximum)  # a refusal does not go away by asking faster
            except Exception:
                ok = False
                log.exception("catch-up poll failed unexpectedly")
            if self.connector.offline.is_set() and ok != self.status.polling:
                log.info("polling fallback %s", "delivers events" if ok else "cannot reach the server either")
                self.board.set(self.status.state, polling=ok, keep=True)
                if ok and self.status.state is ConnectionState.RECONNECTING:
                    self.connector.retry_now.set()  # the server is back: reconnect now rather than at the next backoff step
            await asyncio.sleep(self.config.poll_interval_s)

    async def _tick(self) -> None:
        last_replay = self.clock.monotonic()
        while True:
            await asyncio.sleep(1.0)
            self.store.prune()
            self.store.seen.flush()
            self.resume.save(self.store.seq, legacy=self.syncer.legacy)
            # Live but with actions still waiting (a 5xx during the replay): retry them now and then.
            due = self.clock.monotonic() - last_replay >= self.config.poll_interval_s
            if len(self.actions.queue) and self.status.state is ConnectionState.LIVE and due:
                last_replay = self.clock.monotonic()
                try:
                    await self.actions.replay()
                except Exception:
                    log.exception("replaying queued actions failed")

    # ----------------------------------------------------------------- report

    def _publish_action(self, outcome: ActionOutcome) -> None:
        self._action_listeners.tell(lambda callback: callback(outcome), f"the outcome of {outcome.action}")

    def state_dump(self) -> dict[str, Any]:
        """What support needs to see: connection, counts, seq, queued actions (no token).

        The base of the state dump written at exit (``kiosk/ui/headless.py``), which
        adds the full ``orders`` and ``payments`` lists: hence ``order_count`` and
        ``payment_count`` here, never the same key for a number and a list.
        """
        return {
            "connection": {
                "state": self.status.state.value,
                "attempt": self.status.attempt,
                "detail": self.status.detail,
                "polling": self.status.polling,
                "attempts": self.attempts,
                "legacy": self.syncer.legacy,
                "dialect": self.syncer.dialect.name,
            },
            "completing": {
                "waiting": self.enricher.waiting(),
                "fetches": self.enricher.fetches,
                "filled": self.enricher.filled,
                "given_up": self.enricher.given_up,
            },
            "room": self.config.room,
            "settings": self.config.public_dict(),
            "commands_obeyed": list(self.commands.obeyed),
            "seq": self.store.seq,
            "order_count": len(self.store.orders),
            "payment_count": len(self.store.payments),
            "alerts": dict(self.store.notice_counts),
            "queued_actions": len(self.actions.queue),
            "skipped_events": self.store.skipped,
        }
