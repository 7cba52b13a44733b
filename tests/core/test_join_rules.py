"""Joining a room against scripted socket answers: an ack, a refusal, silence, garbage.

``Connector.join`` takes the connected socket as an argument (the seam), so
each answer a backend can give is tested in milliseconds; joining the real
server is tested in tests/core/test_session.py and test_legacy.py.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest
import socketio

from kiosk.core.backoff import Backoff
from kiosk.core.clock import FakeClock
from kiosk.core.connection import Connector
from kiosk.core.connection_status import StatusBoard
from kiosk.core.rest import ServerUnreachableError
from kiosk.core.store import Store
from kiosk.core.sync import Syncer
from tests.core.helpers import make_config
from tests.support.scripted_rest import ScriptedRest


@dataclass
class ScriptedSocket:
    """python-socketio's ``call`` and ``emit``, answered from a script."""

    ack: Any = None
    calls: list[tuple[str, Any]] = field(default_factory=list)
    emitted: list[tuple[Any, ...]] = field(default_factory=list)

    async def call(self, event: str, data: Any = None, timeout: float = 60) -> Any:  # noqa: ASYNC109 - socketio's signature
        self.calls.append((event, data))
        if isinstance(self.ack, BaseException):
            raise self.ack
        return self.ack

    async def emit(self, event: str, *args: Any) -> None:
        self.emitted.append((event, *args))


def scripted_connector(room: str, dialect: str = "auto", join_timeout_s: float = 0.01) -> Connector:
    """A Connector for ``room`` with nothing behind it: only ``join`` is called on it."""
    clock = FakeClock()
    config = make_config("http://127.0.0.1:9", room, "t" * 32, backend_dialect=dialect)
    store = Store(clock=clock)
    syncer = Syncer(ScriptedRest({}), store, room, clock=clock, dialect=dialect)
    return Connector(
        config,
        store,
        syncer,
        StatusBoard(clock),
        Backoff(clock=clock),
        clock=clock,
        sync_lock=asyncio.Lock(),
        on_live=asyncio.sleep,
        join_timeout_s=join_timeout_s,
    )


def test_an_ok_ack_joins_and_settles_nothing() -> None:
    connector, sock = (
        scripted_connector("display"),
        ScriptedSocket(ack={"ok": True, "room": "display", "seq": 4}),
    )
    asyncio.run(connector.join(sock))
    assert sock.calls == [("join", {"room": "display"})] and sock.emitted == []
    assert connector.syncer.legacy is None  # the catch-up decides, not the ack


def test_silence_means_an_older_backend_joined_with_its_own_event() -> None:
    connector, sock = scripted_connector("tenant-3"), ScriptedSocket(ack=socketio.exceptions.TimeoutError())
    asyncio.run(connector.join(sock))
    assert connector.syncer.legacy is True
    assert sock.emitted == [("join-tenant", 3)]
    again = ScriptedSocket(ack={"ok": True})  # older is final: the next join does not ask again
    asyncio.run(connector.join(again))
    assert again.calls == [] and again.emitted == [("join-tenant", 3)]


def test_a_refusal_names_the_reason_and_garbage_is_an_unexpected_answer() -> None:
    refused = ScriptedSocket(ack={"ok": False, "error": {"code": "forbidden", "message": "not your room"}})
    with pytest.raises(Exception, match="not your room") as caught:
        asyncio.run(scripted_connector("kasir-1").join(refused))
    assert type(caught.value).__name__ == "RefusedError"  # retried at the backoff's cap, not fast
    with pytest.raises(ServerUnreachableError, match="unexpected join answer"):
        asyncio.run(scripted_connector("kasir-1").join(ScriptedSocket(ack="yes")))
    with pytest.raises(ServerUnreachableError, match="join kasir-1 failed: busy"):
        asyncio.run(
            scripted_connector("kasir-1").join(
                ScriptedSocket(ack={"ok": False, "error": {"code": "x", "message": "busy"}})
            )
        )
