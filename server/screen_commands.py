"""Passing the console's commands on to screens (``screen:command``) and collecting their acks.

Each screen connected to this process gets its own emit with an ack callback
(its name goes with it, for "identify"), and the request waits up to
``ANSWER_WAIT_S`` for all of them together, not one after another: a room of
thirty screens answers in the time of the slowest, and a screen that hangs
costs the admin five seconds, never the request's whole deadline.

In a cluster the screens on other processes are reached through the message
queue, by the Socket.IO room every device's sockets join (``device_room``) or
the screens' own room; their acks are not awaited (python-socketio cannot
gather acks from a room), so the reply says it was relayed and their next
report (``GET /api/devices``) shows the outcome.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from flask_socketio import SocketIO
from pydantic import ValidationError

from kiosk.protocol.screen_commands import (
    ANSWER_WAIT_S,
    SCREEN_COMMAND,
    CommandResults,
    CommandToScreen,
    ScreenAnswer,
    ScreenCommand,
)

log = logging.getLogger("server.sockets")


def device_room(name: str) -> str:
    """The Socket.IO room each socket of device ``name`` is in (so another process can reach it)."""
    return f"device:{name}"


def send_command(
    socketio: SocketIO,
    command: ScreenCommand,
    targets: Iterable[tuple[str, str]],
    *,
    relay_to: str | None,
    wait_s: float = ANSWER_WAIT_S,
) -> CommandResults:
    """Send ``command`` to each (sid, device name) of ``targets``; relay it to ``relay_to`` on other processes."""
    server = socketio.server
    wanted = dict(targets)
    answers: dict[str, ScreenAnswer] = {}
    lock = threading.Lock()
    all_in = server.eio.create_event()

    def on_ack(sid: str, name: str) -> Any:
        def callback(*args: Any) -> None:
            answer = _answer(name, args[0] if args else None)
            with lock:
                answers[sid] = answer
                if len(answers) == len(wanted):
                    all_in.set()

        return callback

    for sid, name in wanted.items():
        message = CommandToScreen(**command.model_dump(), name=name).model_dump()
        server.emit(SCREEN_COMMAND, message, to=sid, namespace="/", callback=on_ack(sid, name))
    if wanted:
        all_in.wait(timeout=wait_s)
    relayed = False
    if relay_to is not None:
        message = CommandToScreen(**command.model_dump()).model_dump()
        server.emit(SCREEN_COMMAND, message, to=relay_to, namespace="/", skip_sid=list(wanted) or None)
        relayed = True
    with lock:
        got = dict(answers)
    unanswered = sorted(name for sid, name in wanted.items() if sid not in got)
    for answer in got.values():
        if not answer.ok:
            log.warning(
                "screen %r refused the console's %s: %s", answer.screen, command.command, answer.message
            )
    if unanswered:
        log.warning(
            "no answer within %.0f s to the console's %s from %s",
            wait_s,
            command.command,
            ", ".join(unanswered),
        )
    return CommandResults(
        answers=sorted(got.values(), key=lambda a: a.screen), unanswered=unanswered, relayed=relayed
    )


def _answer(name: str, ack: Any) -> ScreenAnswer:
    """A screen's ack as a ScreenAnswer under the name the server knows it by; garbage as a refusal."""
    if ack is None:  # python-socketio acks an event it has no handler for with nothing
        return ScreenAnswer(
            screen=name, ok=False, message="the screen does not know console commands (an older app?)"
        )
    try:
        answer = ScreenAnswer.model_validate({**ack, "screen": name} if isinstance(ack, dict) else ack)
    except ValidationError:
        return ScreenAnswer(
            screen=name, ok=False, message=f"the screen gave an unexpected answer: {ack!r:.100}"
        )
    return answer
