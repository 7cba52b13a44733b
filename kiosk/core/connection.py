"""The Socket.IO connection: state as screens show it, and the loop that never gives up.

python-socketio's own reconnection is off: this loop owns the backoff (with
the injected RNG and clock) so every step is visible in ``ConnectionStatus``
- Live / Reconnecting in 4 s / Offline since 12:03 - and a refusal (bad token,
room not allowed) is shown with the server's reason and retried slowly.
Each attempt connects websocket-only, and goes on over long-polling where a
proxy refuses websockets (``transport_choice``: no sticky sessions needed).

aiohttp and python-socketio are imported when the loop starts, not with this
module: together they take ~250 ms to import, and the window's first frame
does not need them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from kiosk.core.backoff import Backoff
from kiosk.core.capped_http import ReplyWatch, capped_session
from kiosk.core.clock import Clock
from kiosk.core.connection_status import ConnectionState, StatusBoard
from kiosk.core.dialects import AUTO, detected_dialect
from kiosk.core.gc_pacing import GcPacer
from kiosk.core.intake import EventIntake
from kiosk.core.rest import ApiRefusedError, ServerUnreachableError
from kiosk.core.room_join import RefusedError, join_room
from kiosk.core.socket_faults import FaultLog, fault_of, websocket_options
from kiosk.core.transport_choice import TransportChoice
from kiosk.core.versions import SkipError
from kiosk.protocol import Event
from kiosk.protocol.screen_commands import SCREEN_COMMAND

if TYPE_CHECKING:
    import aiohttp

    from kiosk.core.config import Config
    from kiosk.core.store import Store
    from kiosk.core.sync import Syncer

log = logging.getLogger("kiosk.net")


def _failures() -> tuple[type[Exception], ...]:
    """What a failed attempt may raise (expected: logged on one line, then back off)."""
    import aiohttp  # noqa: PLC0415 - lazy, see the module docstring
    import socketio  # noqa: PLC0415

    return (
        socketio.exceptions.ConnectionError,
        socketio.exceptions.TimeoutError,
        ServerUnreachableError,
        ApiRefusedError,
        aiohttp.ClientError,
        asyncio.TimeoutError,
        OSError,
    )


class Connector:
    """Connect, join, catch up, stay live; on loss back off and try again, forever."""

    def __init__(
        self,
        config: Config,
        store: Store,
        syncer: Syncer,
        board: StatusBoard,
        backoff: Backoff,
        *,
        clock: Clock,
        sync_lock: asyncio.Lock,
        on_live: Callable[[], Awaitable[object]],
        join_timeout_s: float = 5.0,
    ) -> None:
        self.config = config
        self.store = store
        self.syncer = syncer
        self.board = board
        self.backoff = backoff
        self.clock = clock
        self.join_timeout_s = join_timeout_s
        self._sync_lock = sync_lock
        self._on_live = on_live
        self.offline = asyncio.Event()  # set while not live: the poller works then
        self.retry_now = asyncio.Event()  # the server answered a poll again: do not wait out the backoff
        self.attempts = 0
        self.connects = 0
        self._caught_up = False
        self._http: aiohttp.ClientSession | None = None
        self._sio: Any = None
        self.fault_log = FaultLog(clock)
        self.replies = ReplyWatch()  # why engine.io's last HTTP reply was refused (capped_http)
        # the console's commands (kiosk/core/screen_commands.py); the return value is the ack
        self.on_command: Callable[..., dict[str, Any]] | None = None
        self.transport_choice = TransportChoice(clock)  # websocket first; long-polling where blocked
        self.transport: str | None = None  # what the live connection runs on
        self.gc_pacer = GcPacer(clock.monotonic)
        # live events, applied in slices
        self.intake = EventIntake(store, monotonic=clock.monotonic, after_slice=self.gc_pacer.after_slice)

    def _set_status(self, state: ConnectionState, **kwargs: Any) -> None:
        self.board.set(state, **kwargs)

    async def close(self) -> None:
        self.intake.drain()  # what arrived before the stop is applied, not lost
        self.gc_pacer.close()
        if self._sio is not None:
            with contextlib.suppress(Exception):
                await self._sio.disconnect()
            self._sio = None
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def run(self) -> None:
        self.offline.set()
        failures = _failures()
        if self._http is None:
            self._http = capped_session(self.replies, request_timeout_s=self.config.request_timeout_s)
        first = True
        while True:
            state = ConnectionState.CONNECTING if first else ConnectionState.RECONNECTING
            self._set_status(state, attempt=self.backoff.attempt, detail="connecting")
            refused: str | None = None
            fault: str | None = None
            detail = ""
            try:
                fault = await self._connect_and_serve()
                detail = fault or "connection lost"
            except RefusedError as exc:
                refused = str(exc)
            except failures as exc:
                fault = self.replies.take()  # a polling reply over the cap or its deadline: as a fault drop
                detail = fault or _describe(exc)
                if fault is None:
                    log.info("connection to %s failed: %s", self.config.server_url, detail)
                else:
                    self.fault_log.seen(self.config.server_url, fault, what="failed")
            except Exception as exc:
                detail = _describe(exc)
                log.exception("unexpected failure of the connection to %s", self.config.server_url)
            _stop_if_cancelled()
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
            self.retry_now.clear()
            if fault is not None:
                # The server answers polls fine: it is its data that broke the socket (or its
                # engine.io reply was too big or too slow), and waking early would only fetch
                # the same again.  Wait the whole step out.
                await asyncio.sleep(delay)
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.retry_now.wait(), delay)
            _stop_if_cancelled()

    async def _connect_and_serve(self) -> str | None:
        """Connect, join, catch up and stay live until the socket drops.

        Returns None for an ordinary loss, or why the server's own data broke
        the socket (``socket_faults.fault_of``, or a long-polling reply refused
        by ``capped_http``): such a drop counts as a failed attempt however long
        the connection lasted, so it is retried on the growing backoff instead
        of every few seconds.
        """
        import socketio  # noqa: PLC0415 - lazy, see the module docstring

        lost = asyncio.Event()
        refusal: dict[str, Any] = {}
        sio = socketio.AsyncClient(
            reconnection=False,
            http_session=self._http,
            handle_sigint=False,
            websocket_extra_options=websocket_options(),
            request_timeout=self.config.request_timeout_s,  # engine.io's total deadline per HTTP request
        )
        self._sio = sio
        self.replies.take()  # a reason left from before this attempt is not its own

        def on_connect_error(data: Any = None, *_: Any) -> None:
            # python-socketio wraps the server's details: {"message": ..., "data": {"code", "message"}}
            if isinstance(data, dict):
                refusal.update(data)
                if isinstance(data.get("data"), dict):
                    refusal.update(data["data"])

        sio.on("connect_error", on_connect_error)
        sio.on("disconnect", lambda *_: lost.set())
        for wire_name in self._wire_names():
            sio.on(wire_name, functools.partial(self._on_live_event, wire_name))
        if self.on_command is not None:
            sio.on(SCREEN_COMMAND, self.on_command)
        self.attempts += 1
        await self._connect(sio, refusal)
        live = False
        fault: str | None = None
        try:
            self.connects += 1
            await self.join(sio)
            self._caught_up = False
            async with self._sync_lock:
                await self.syncer.catch_up()
            self._caught_up = True
            live = True
            self.backoff.connected()
            self.offline.clear()
            on_polling = self.transport_choice.note if self.transport == "polling" else ""
            detail = "; ".join(d for d in ("legacy backend" if self.syncer.legacy else "", on_polling) if d)
            self._set_status(ConnectionState.LIVE, detail=detail)
            log.info("live in %s at seq %s over %s", self.config.room, self.store.seq, self.transport)
            await _until_lost(self._on_live(), lost)
            fault = self._why_lost(sio)
            return fault
        finally:
            self._caught_up = False
            self.transport = None
            self.offline.set()
            if live:
                self.backoff.disconnected(failed=fault is not None)
            self._sio = None
            with contextlib.suppress(Exception):
                await sio.disconnect()

    async def _connect(self, sio: Any, refusal: dict[str, Any]) -> None:
        """``sio.connect``, websocket-only first; over long-polling where that upgrade is refused (transport_choice)."""
        import socketio  # noqa: PLC0415 - lazy, see the module docstring

        while True:
            transports = self.transport_choice.transports()
            try:
                await sio.connect(
                    self.config.server_url,
                    auth={"token": self.config.token} if self.syncer.dialect.sends_token else None,
                    transports=transports,
                    wait_timeout=self.config.request_timeout_s,
                )
            except Exception as exc:
                if (
                    isinstance(exc, socketio.exceptions.ConnectionError)
                    and refusal.get("code") == "unauthorized"
                ):
                    raise RefusedError(str(refusal.get("message") or "unauthorized")) from None
                if self.transport_choice.failed(transports, exc):
                    continue  # the websocket upgrade was refused: this attempt goes on over long-polling
                raise
            self.transport = sio.transport()
            self.transport_choice.connected(self.transport, upgrades=getattr(sio.eio, "upgrades", None))
            return

    async def call(self, event: str, data: Any) -> Any:
        """A call on the live socket, awaiting the server's ack (``request_timeout_s``)."""
        sio = self._sio
        if sio is None or not sio.connected:
            raise ConnectionError("not connected")
        return await sio.call(event, data, timeout=self.config.request_timeout_s)

    def _why_lost(self, sio: Any) -> str | None:
        """Log the loss (a fault's reason through the FaultLog, once); the fault or None."""
        fault = fault_of(sio) or self.replies.take()
        if fault is None:
            log.warning("connection to %s lost", self.config.server_url)
        else:
            self.fault_log.seen(self.config.server_url, fault)
        return fault

    async def join(self, sio: Any) -> None:
        """Join the room on a connected socket (kiosk/core/room_join.py)."""
        await join_room(sio, self.syncer, token=self.config.token, timeout_s=self.join_timeout_s)

    def _wire_names(self) -> set[str]:
        """The event names to hear: Kiosk's, and those of the dialect spoken or (under auto) detectable."""
        names = {event.value for event in Event} | set(self.syncer.dialect.wire_events())
        if self.syncer.dialect.native and self.config.backend_dialect == AUTO:
            names |= set(detected_dialect().wire_events())
        return names

    def _on_live_event(self, wire_name: str, data: Any = None, *_: Any) -> None:
        if (
            self.syncer.legacy is None
            and isinstance(data, dict)
            and "seq" not in data
            and "event_id" not in data
        ):
            self.syncer.settle_backend(older=True, why="events carry no seq")
        dialect = self.syncer.dialect
        if dialect.native:
            if wire_name in Event._value2member_map_:
                self.intake.push(data, advance_seq=self._caught_up)
            return
        if wire_name not in dialect.events:
            return  # another dialect's event, heard while detecting
        try:
            envelope = dialect.translate_event(wire_name, data)
        except SkipError as skip:
            self.store.skip(str(skip))
            return
        self.intake.push(envelope, advance_seq=False)


async def _until_lost(on_live: Awaitable[object], lost: asyncio.Event) -> None:
    """Run the going-live work, and return when the socket is lost, cancelling that work if still running.

    That work (queued actions, this screen's report) awaits acks on the very
    socket that may drop; python-socketio's ``call`` does not end on a
    disconnect, only on its deadline, and awaiting it first kept the screen
    "Live" for up to ``request_timeout_s`` after its server was gone.
    A cancelled replay is safe: each action carries its idempotency key.
    """
    work = asyncio.ensure_future(on_live)
    try:
        await lost.wait()
    finally:
        if not work.done():
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await work
        elif not work.cancelled() and work.exception() is not None:
            log.warning("the work on going live failed: %r", work.exception())


def _stop_if_cancelled() -> None:
    """Raise CancelledError if this task was asked to stop, even if the cancel got lost on the way.

    Python 3.11's ``asyncio.wait_for`` drops a cancel that lands in the same
    loop step as the inner completion (CPython gh-86296, fixed in 3.12), and
    socket.io/engine.io use it while connecting; a library may also turn the
    cancel into its own ConnectionError.  Without this check the lost cancel
    became one more reconnect round, and stopping the screen waited out the
    backoff.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "…"
