"""Joining in a backend's dialect, against scripted socket answers: detection under auto, the admin room's token.

The real backends (Node socket.io, written from the seed documents) are joined
in tests/interop; these cover each answer in milliseconds through the
``Connector.join`` seam.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import socketio

from kiosk.core.connection import Connector
from kiosk.core.rest import ServerUnreachableError
from tests.core.test_join_rules import scripted_connector


@dataclass
class AdminRoomSocket:
    """``call``/``emit``/``on`` of python-socketio; answers ``authenticate`` with ``reply`` (None: silence)."""

    reply: Any = None
    handlers: dict[str, Callable[..., Any]] = field(default_factory=dict)
    emitted: list[tuple[Any, ...]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)

    def on(self, event: str, handler: Callable[..., Any]) -> None:
        self.handlers[event] = handler

    async def call(self, event: str, data: Any = None, timeout: float = 60) -> Any:  # noqa: ASYNC109 - socketio's signature
        self.calls.append(event)
        raise socketio.exceptions.TimeoutError

    async def emit(self, event: str, *args: Any) -> None:
        self.emitted.append((event, *args))
        if event == "authenticate" and self.reply is not None:
            asyncio.get_running_loop().call_soon(self.handlers["authenticated"], self.reply)


def connector(room: str, dialect: str) -> Connector:
    return scripted_connector(room, dialect, join_timeout_s=0.05)


def test_under_auto_silence_means_the_notification_service_and_its_join_events() -> None:
    joining = connector("kasir-2", "auto")
    sock = AdminRoomSocket()
    assert joining.syncer.dialect.native
    asyncio.run(joining.join(sock))
    assert joining.syncer.legacy is True
    assert joining.syncer.dialect.name == "notification-service"
    assert sock.emitted == [("join-kasir", 2)]


def test_a_named_dialect_joins_its_way_at_once_without_asking_for_kiosks_join() -> None:
    joining = connector("display", "notification-service")
    sock = AdminRoomSocket()
    asyncio.run(joining.join(sock))
    assert sock.calls == [] and sock.emitted == [("join-display",)]


def test_the_admin_room_sends_the_token_and_takes_success() -> None:
    joining = connector("display", "admin-room")
    sock = AdminRoomSocket(reply={"success": True})
    asyncio.run(joining.join(sock))
    assert sock.emitted == [("authenticate", {"token": "t" * 32})]
    assert sock.calls == []


def test_the_admin_room_refusing_the_token_is_a_refusal_not_a_retry() -> None:
    joining = connector("display", "admin-room")
    with pytest.raises(Exception, match="refused this device's token") as refused:
        asyncio.run(joining.join(AdminRoomSocket(reply={"success": False})))
    assert not isinstance(refused.value, ServerUnreachableError)


def test_an_admin_room_that_never_answers_is_unreachable() -> None:
    joining = connector("display", "admin-room")
    with pytest.raises(ServerUnreachableError, match="no 'authenticated' answer to 'authenticate'"):
        asyncio.run(joining.join(AdminRoomSocket(reply=None)))
