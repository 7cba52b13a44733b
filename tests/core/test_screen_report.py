"""A live screen tells the server about itself: the fleet view shows it without anyone asking."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from kiosk import __version__
from tests.core.helpers import make_config, running_session, wait_live, wait_until
from tests.support.server_process import ServerProcess


def _kitchen(server: ServerProcess) -> dict[str, Any]:
    devices = server.request("GET", "/api/devices").json()["devices"]
    found: dict[str, Any] = next(device for device in devices if device["name"] == "kitchen")
    return found


def test_a_screen_going_live_reports_its_version_seq_and_orders(
    server: ServerProcess, tmp_path: Path
) -> None:
    token = server.add_device("kitchen", ["display"])
    server.create_order(customer_name="Ani")

    async def scenario() -> None:
        async with running_session(make_config(server.url, "display", token), tmp_path) as (session, _rec):
            session.reporter.extras = lambda: {"sound_muted": True}
            await wait_live(session)
            await wait_until(lambda: session.reporter.sent >= 1, what="the first report")
            kitchen = await asyncio.to_thread(_kitchen, server)
            assert kitchen["online"] is True and kitchen["app_version"] == __version__
            assert kitchen["applied_seq"] == session.store.seq and kitchen["orders_on_screen"] == 1
            assert kitchen["sound_muted"] is True and kitchen["lag"] == 0

    asyncio.run(scenario())
