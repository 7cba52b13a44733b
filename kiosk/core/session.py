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
import json
import logging
import os
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import socketio

from kiosk.core import config as config_module
from kiosk.core.actions import Action, ActionOutcome, ActionQueue, ActionRunner
from kiosk.core.backoff import Backoff
from kiosk.core.clock import Clock, SystemClock
from kiosk.core.config import Config, is_configured
from kiosk.core.connection import ConnectionState, ConnectionStatus
from kiosk.core.dedup import SeenIds
from kiosk.core.rest import ApiRefusedError, RestClient, ServerUnreachableError
from kiosk.core.store import Store
from kiosk.core.sync import Syncer
from kiosk.protocol import (
    Event,
    JoinEvent,
    OrderStatus,
    RoomKind,
    bump_target,
    can_transition,
    describe_allowed,
)
from kiosk.protocol.models import EntityId

__all__ = ["ActionOutcome", "Session"]

log = logging.getLogger("kiosk.net")

_FAILURES = (
    socketio.exceptions.ConnectionError,
    socketio.exceptions.TimeoutError,
    ServerUnreachableError,
    ApiRefusedError,
    aiohttp.ClientError,
    asyncio.TimeoutError,
    OSError,
)


class _RefusedError(Exception):
    """The server said no to this device (token or room): retrying fast will not help."""


class Session:
    def __init__(
        self,
        config: Config,
        *,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        data_dir: Path | None = None,
        join_timeout_s: float = 5.0,
    ) -> None:
        self.config = config
        self.clock: Clock = clock or SystemClock()
        self.data_dir = data_dir or config_module.data_dir()
        self.join_timeout_s = join_timeout_s
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
        self.syncer = Syncer(self.rest, self.store, config.room or "display", clock=self.clock)
        self.actions = ActionRunner(
            self.rest,
            self.store,
            ActionQueue(self.data_dir / f"actions-{slug}.jsonl"),
            self._publish_action,
            clock=self.clock,
        )
        self._state_path = self.data_dir / f"state-{slug}.json"
        self.syncer.resume_seq = self._load_resume_seq()
        self._saved_seq: int | None = None
        self.attempts = 0
        self.status = ConnectionStatus(ConnectionState.CONNECTING, offline_since=self.clock.now())
        self.last_bumped: EntityId | None = None
        self._status_listeners: list[Callable[[ConnectionStatus], None]] = []
        self._action_listeners: list[Callable[[ActionOutcome], None]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._sync_lock = asyncio.Lock()
        self._offline = asyncio.Event()
        self._retry_now = asyncio.Event()  # the server answered a poll again: do not wait out the backoff
        self._caught_up = False
        self._http: aiohttp.ClientSession | None = None
        self._sio: Any = None
        self.connects = 0

    # ------------------------------------------------------------ subscribers

    def subscribe_status(self, callback: Callable[[ConnectionStatus], None]) -> Callable[[], None]:
        return _subscribe(self._status_listeners, callback)

    def subscribe_actions(self, callback: Callable[[ActionOutcome], None]) -> Callable[[], None]:
        return _subscribe(self._action_listeners, callback)

    # -------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        if self._tasks:
            return
        if not is_configured(self.config):
            self._set_status(
                ConnectionState.OFFLINE, detail="not configured: server_url, room and token are needed"
            )
            return
        self._http = aiohttp.ClientSession()
        self._offline.set()
        loop = asyncio.get_running_loop()
        for name, coroutine in (("connect", self._run()), ("poll", self._poll()), ("tick", self._tick())):
            self._tasks.append(loop.create_task(coroutine, name=f"kiosk-{name}"))

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._sio is not None:
            with contextlib.suppress(Exception):
                await self._sio.disconnect()
            self._sio = None
        if self._http is not None:
            await self._http.close()
            self._http = None
        self._save_resume_seq()
        self.store.seen.close()
        self.rest.close()

    # ---------------------------------------------------------------- actions

    async def bump(self, order_id: EntityId) -> ActionOutcome:
        order = self.store.orders.get(order_id)
        if order is None:
            return self._refuse(order_id, f"order {order_id} is not on this screen any more")
        target = bump_target(order.status)
        if target is None:
            return self._refuse(order_id, describe_allowed(order.status))
        outcome = await self.set_status(order_id, target)
        if outcome.ok and target is OrderStatus.COMPLETED:
            self.last_bumped = order_id
        return outcome

    async def set_status(self, order_id: EntityId, status: OrderStatus) -> ActionOutcome:
        order = self.store.orders.get(order_id)
        if order is not None and order.status != status and not can_transition(order.status, status):
            return self._refuse(order_id, describe_allowed(order.status))
        return await self.actions.submit(Action("status", order_id, status=OrderStatus(status).value))

    async def cancel(self, order_id: EntityId, reason: str) -> ActionOutcome:
        reason = reason.strip()
        if not reason:
            return self._refuse(order_id, "a cancel needs a reason (1-200 characters)")
        order = self.store.orders.get(order_id)
        if order is not None and not can_transition(order.status, OrderStatus.CANCELLED):
            return self._refuse(order_id, describe_allowed(order.status))
        return await self.actions.submit(Action("cancel", order_id, reason=reason[:200]))

    async def recall(self) -> ActionOutcome:
        """Bring the last bumped-to-completed order back to ready."""
        if self.last_bumped is None:
            return self._refuse("", "nothing to recall: no order was completed on this screen")
        order_id = self.last_bumped
        outcome = await self.actions.submit(Action("status", order_id, status=OrderStatus.READY.value))
        if outcome.ok:
            self.last_bumped = None
        return outcome

    def _refuse(self, order_id: EntityId, reason: str) -> ActionOutcome:
        outcome = ActionOutcome(order_id, ok=False, reason=reason)
        self._publish_action(outcome)
        return outcome

    # ------------------------------------------------------------- connection

    async def _run(self) -> None:
        first = True
        while True:
            state = ConnectionState.CONNECTING if first else ConnectionState.RECONNECTING
            self._set_status(state, attempt=self.backoff.attempt, detail="connecting")
            refused: str | None = None
            detail = ""
            try:
                await self._connect_and_serve()
                detail = "connection lost"
            except _RefusedError as exc:
                refused = str(exc)
            except _FAILURES as exc:
                detail = _describe(exc)
                log.info("connection to %s failed: %s", self.config.server_url, detail)
            except Exception as exc:
                detail = _describe(exc)
                log.exception("unexpected failure of the connection to %s", self.config.server_url)
            first = False
            delay = self.backoff.penalty() if refused else self.backoff.next_delay()
            when = self.clock.now() + timedelta(seconds=delay)
            if refused:
                log.error("server refused this screen: %s; retrying in %.0f s", refused, delay)
                self._set_status(
                    ConnectionState.OFFLINE,
                    attempt=self.backoff.attempt,
                    next_attempt_at=when,
                    detail=refused,
                )
            else:
                log.info("reconnecting in %.1f s (attempt %d)", delay, self.backoff.attempt)
                self._set_status(
                    ConnectionState.RECONNECTING,
                    attempt=self.backoff.attempt,
                    next_attempt_at=when,
                    detail=detail,
                )
            self._retry_now.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._retry_now.wait(), delay)

    async def _connect_and_serve(self) -> None:
        lost = asyncio.Event()
        refusal: dict[str, Any] = {}
        sio = socketio.AsyncClient(reconnection=False, http_session=self._http, handle_sigint=False)
        self._sio = sio

        def on_connect_error(data: Any = None, *_: Any) -> None:
            # python-socketio wraps the server's details: {"message": ..., "data": {"code", "message"}}
            if isinstance(data, dict):
                refusal.update(data)
                if isinstance(data.get("data"), dict):
                    refusal.update(data["data"])

        sio.on("connect_error", on_connect_error)
        sio.on("disconnect", lambda *_: lost.set())
        for event in Event:
            sio.on(event.value, self._on_live_event)
        self.attempts += 1
        try:
            await sio.connect(
                self.config.server_url,
                auth={"token": self.config.token},
                wait_timeout=self.config.request_timeout_s,
            )
        except socketio.exceptions.ConnectionError:
            if refusal.get("code") == "unauthorized":
                raise _RefusedError(str(refusal.get("message") or "unauthorized")) from None
            raise
        live = False
        try:
            self.connects += 1
            await self._join(sio)
            self._caught_up = False
            async with self._sync_lock:
                await self.syncer.catch_up()
            self._caught_up = True
            live = True
            self.backoff.connected()
            self._offline.clear()
            self._set_status(ConnectionState.LIVE, detail="legacy backend" if self.syncer.legacy else "")
            log.info("live in %s at seq %s", self.config.room, self.store.seq)
            await self.actions.replay()
            await lost.wait()
            log.warning("connection to %s lost", self.config.server_url)
        finally:
            self._caught_up = False
            self._offline.set()
            if live:
                self.backoff.disconnected()
            self._sio = None
            with contextlib.suppress(Exception):
                await sio.disconnect()

    async def _join(self, sio: Any) -> None:
        room = self.syncer.room
        if self.syncer.legacy is not True:
            try:
                ack = await sio.call(JoinEvent.JOIN.value, {"room": str(room)}, timeout=self.join_timeout_s)
            except socketio.exceptions.TimeoutError:
                log.info(
                    "no answer to %r within %.0f s: older backend, joining with its own events",
                    JoinEvent.JOIN.value,
                    self.join_timeout_s,
                )
                self.syncer.legacy = True
            else:
                if isinstance(ack, dict) and ack.get("ok"):
                    return
                error = ack.get("error") if isinstance(ack, dict) else None
                message = (
                    str(error.get("message"))
                    if isinstance(error, dict)
                    else f"unexpected join answer {ack!r:.100}"
                )
                if isinstance(error, dict) and error.get("code") in ("forbidden", "unauthorized"):
                    raise _RefusedError(message)
                raise ServerUnreachableError(f"join {room} failed: {message}")
        legacy_event = JoinEvent(f"join-{room.kind.value}")
        if room.kind is RoomKind.DISPLAY:
            await sio.emit(legacy_event.value)
        else:
            await sio.emit(legacy_event.value, room.id)

    def _on_live_event(self, data: Any = None, *_: Any) -> None:
        if (
            self.syncer.legacy is None
            and isinstance(data, dict)
            and "seq" not in data
            and "event_id" not in data
        ):
            log.info("events carry no seq: older backend, resyncing from /api/orders on reconnect")
            self.syncer.legacy = True
        self.store.apply_envelope(data, advance_seq=self._caught_up)

    # ----------------------------------------------------------- background

    async def _poll(self) -> None:
        """While the socket is down, catch up over REST so events still arrive."""
        while True:
            await self._offline.wait()
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
            ok = ok and self.status.state is not ConnectionState.CONNECTING
            if self._offline.is_set() and ok != self.status.polling:
                log.info("polling fallback %s", "delivers events" if ok else "cannot reach the server either")
                self._set_status(self.status.state, polling=ok, keep=True)
                if ok and self.status.state is ConnectionState.RECONNECTING:
                    self._retry_now.set()  # the server is back: reconnect now rather than at the next backoff step
            await asyncio.sleep(self.config.poll_interval_s)

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            self.store.prune()
            self.store.seen.flush()
            self._save_resume_seq()

    def _load_resume_seq(self) -> int | None:
        try:
            state = json.loads(self._state_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable %s (%s): loading a fresh snapshot", self._state_path, exc)
            return None
        seq = state.get("seq") if isinstance(state, dict) else None
        if not isinstance(seq, int) or state.get("server_url") != self.config.server_url:
            return None
        return seq

    def _save_resume_seq(self) -> None:
        seq = self.store.seq
        if seq is None or seq == self._saved_seq or self.syncer.legacy:
            return
        temporary = self._state_path.with_name(self._state_path.name + ".tmp")
        try:
            self._state_path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(
                json.dumps({"server_url": self.config.server_url, "seq": seq}), encoding="utf-8"
            )
            os.replace(temporary, self._state_path)
            self._saved_seq = seq
        except OSError as exc:
            log.warning("cannot save %s (%s): a restart will reload the snapshot", self._state_path, exc)

    # --------------------------------------------------------------- status

    def _set_status(
        self,
        state: ConnectionState,
        *,
        attempt: int = 0,
        next_attempt_at: datetime | None = None,
        detail: str = "",
        polling: bool | None = None,
        keep: bool = False,
    ) -> None:
        previous = self.status
        if keep:
            status = ConnectionStatus(
                previous.state,
                previous.attempt,
                previous.next_attempt_at,
                previous.offline_since,
                previous.detail,
                polling=bool(polling),
            )
        else:
            offline_since = (
                None if state is ConnectionState.LIVE else (previous.offline_since or self.clock.now())
            )
            status = ConnectionStatus(
                state,
                attempt,
                next_attempt_at,
                offline_since,
                detail,
                polling=False
                if state is ConnectionState.LIVE
                else bool(polling if polling is not None else previous.polling),
            )
        if status == previous:
            return
        self.status = status
        for callback in list(self._status_listeners):
            try:
                callback(status)
            except Exception:
                log.exception("a status listener failed")

    def _publish_action(self, outcome: ActionOutcome) -> None:
        for callback in list(self._action_listeners):
            try:
                callback(outcome)
            except Exception:
                log.exception("an action listener failed")

    def state_dump(self) -> dict[str, Any]:
        """What support needs to see: connection, counts, seq, queued actions (no token)."""
        return {
            "connection": {
                "state": self.status.state.value,
                "attempt": self.status.attempt,
                "detail": self.status.detail,
                "polling": self.status.polling,
                "legacy": self.syncer.legacy,
            },
            "room": self.config.room,
            "seq": self.store.seq,
            "orders": len(self.store.orders),
            "payments": len(self.store.payments),
            "alerts": dict(self.store.notice_counts),
            "queued_actions": len(self.actions.queue),
            "skipped_events": self.store.skipped,
        }


def _subscribe(listeners: list[Any], callback: Any) -> Callable[[], None]:
    listeners.append(callback)

    def unsubscribe() -> None:
        if callback in listeners:
            listeners.remove(callback)

    return unsubscribe


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "…"
