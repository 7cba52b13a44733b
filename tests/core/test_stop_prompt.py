"""A session stops promptly even when a library swallows the cancellation of its connect task.

Python 3.11's ``asyncio.wait_for`` returns the inner result instead of raising
when the cancel and the inner completion land in the same loop step
(CPython gh-86296, fixed in 3.12), and python-socketio/engine.io use it while
connecting.  The swallowed cancel turned into one more reconnect round, and a
screen's shutdown waited out the backoff (1 teardown in 3 hung for 10 s in CI).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import socketio

from kiosk.core.session import Session
from tests.core.helpers import make_config
from tests.support.server_process import free_port


def test_a_swallowed_cancel_does_not_keep_the_connector_running(tmp_path: Path) -> None:
    config = make_config(
        f"http://127.0.0.1:{free_port()}", "display", "t" * 32, backoff_initial_s=30.0, backoff_max_s=30.0
    )
    attempts = 0
    attempting = asyncio.Event()

    async def connect_swallowing_the_cancel() -> None:
        nonlocal attempts
        attempts += 1
        attempting.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            raise socketio.exceptions.ConnectionError("connection attempt interrupted") from None

    async def scenario() -> float:
        session = Session(config, data_dir=tmp_path)
        session.connector._connect_and_serve = connect_swallowing_the_cancel  # type: ignore[method-assign]
        await session.start()
        await asyncio.wait_for(attempting.wait(), 5)
        started = time.monotonic()
        stop = asyncio.ensure_future(session.stop())
        done, _ = await asyncio.wait({stop}, timeout=5)
        assert stop in done, "the session did not stop within 5 s"
        stop.result()
        return time.monotonic() - started

    took = asyncio.run(scenario())
    assert took < 1.0, f"stopping took {took:.1f} s"
    assert attempts == 1, "the cancelled connector tried again instead of stopping"
