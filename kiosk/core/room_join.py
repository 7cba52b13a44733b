"""Joining the room on a connected socket: Kiosk's ``join`` with an ack, or an older backend's own events.

Kept apart from the connection loop (kiosk/core/connection.py) because it is
the one place that talks each backend's joining dialect.  ``sio`` is anything
with python-socketio's ``call``, ``emit`` and ``on``, so
tests/core/test_join_rules.py feeds it scripted answers (an ack, a refusal, a
timeout, garbage) without a server.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from kiosk.core.rest import ServerUnreachableError
from kiosk.protocol import JoinEvent, RoomKind
from kiosk.protocol.api import JoinAck, first_error

if TYPE_CHECKING:
    from kiosk.core.dialects import JoinRule
    from kiosk.core.sync import Syncer


class RefusedError(Exception):
    """The server said no to this device (token or room): retrying fast will not help."""


async def join_room(sio: Any, syncer: Syncer, *, token: str, timeout_s: float) -> None:
    """Join ``syncer.room``; a refusal raises RefusedError, anything else unexpected ServerUnreachableError.

    Kiosk's own ``join`` is asked first (unless the backend is known to be
    older); silence within ``timeout_s`` settles it as an older backend,
    which is then joined with its own events.
    """
    import socketio  # noqa: PLC0415 - lazy: the window's first frame does not need it

    room = syncer.room
    if syncer.legacy is not True:
        try:
            ack = await sio.call(JoinEvent.JOIN.value, {"room": str(room)}, timeout=timeout_s)
        except socketio.exceptions.TimeoutError:
            syncer.settle_backend(
                older=True,
                why=f"no answer to {JoinEvent.JOIN.value!r} within {timeout_s:.0f} s "
                "(joining with its own events)",
            )
        else:
            _check_ack(ack, str(room))
            return
    rule = syncer.dialect.join
    if rule.style == "authenticate":
        await _authenticate(sio, rule, token=token, timeout_s=timeout_s)
        return
    legacy_event = JoinEvent(f"join-{room.kind.value}")
    if room.kind is RoomKind.DISPLAY:
        await sio.emit(legacy_event.value)
    else:
        await sio.emit(legacy_event.value, room.id)


def _check_ack(ack: Any, room: str) -> None:
    """Return on an ok ack; raise with the server's reason otherwise."""
    try:
        answer = JoinAck.model_validate(ack)
    except ValidationError as exc:
        raise ServerUnreachableError(
            f"join {room} failed: unexpected join answer {ack!r:.100} ({first_error(exc)})"
        ) from None
    if answer.ok:
        return
    if answer.error is None:
        raise ServerUnreachableError(f"join {room} failed: unexpected join answer {ack!r:.100}")
    if answer.error.code in ("forbidden", "unauthorized"):
        raise RefusedError(answer.error.message)
    raise ServerUnreachableError(f"join {room} failed: {answer.error.message}")


async def _authenticate(sio: Any, rule: JoinRule, *, token: str, timeout_s: float) -> None:
    """An admin-room backend: send the token, wait for its answer; it puts the socket in its room."""
    answered: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def on_reply(data: Any = None, *_: Any) -> None:
        if not answered.done():
            answered.set_result(data)

    sio.on(rule.reply, on_reply)
    await sio.emit(rule.event, {"token": token})
    try:
        answer = await asyncio.wait_for(answered, timeout_s)
    except TimeoutError:
        raise ServerUnreachableError(
            f"no {rule.reply!r} answer to {rule.event!r} within {timeout_s:.0f} s"
        ) from None
    if not (isinstance(answer, dict) and answer.get("success") is True):
        raise RefusedError(f"the backend refused this device's token ({rule.reply}: {answer!r:.80})")
