"""The real kiosk core obeying the console through the real server: settings, identify, reload.

The admin's side is the REST API the console uses; the screen is a real
Session.  Pushed settings must be checked by the very table the TOML file is
checked by, with the same message, and kept beside the config file.
"""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path
from typing import Any

import pytest

from kiosk.core.config import ConfigError, load_config, pushed_settings_file
from kiosk.core.session import Session
from tests.core.helpers import make_config, wait_live, wait_until
from tests.support.server_process import ServerProcess


async def _command(server: ServerProcess, target: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = await asyncio.to_thread(server.request, "POST", f"{target}/command", json=body)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def test_pushed_settings_apply_live_persist_and_bad_ones_get_the_files_message(
    server: ServerProcess, tmp_path: Path
) -> None:
    token = server.add_device("kitchen-2", ["display"])
    config_file = tmp_path / "kiosk.toml"
    config = make_config(server.url, "display", token)
    heard: list[Any] = []

    async def scenario() -> str:
        session = Session(config, data_dir=tmp_path, config_path=config_file)
        session.commands.subscribe_settings(heard.append)
        await session.start()
        try:
            await wait_live(session)
            push = {"command": "settings", "settings": {"warn_after_s": "200", "stations": "grill, fry"}}
            result = await _command(server, "/api/devices/kitchen-2", push)
            assert [(a["screen"], a["ok"]) for a in result["answers"]] == [("kitchen-2", True)]
            assert session.config.warn_after_s == 200 and session.config.stations == ("grill", "fry")
            assert [c.warn_after_s for c in heard] == [200]

            bad = {"command": "settings", "settings": {"warn_after_s": -5}}
            refused = (await _command(server, "/api/devices/kitchen-2", bad))["answers"][0]
            assert refused["ok"] is False
            assert session.config.warn_after_s == 200  # nothing changed
            assert session.state_dump()["settings"]["warn_after_s"] == 200
        finally:
            await session.stop()
        return str(refused["message"])

    message = asyncio.run(scenario())
    # The same sentence a bad value in the TOML file gets, naming where it came from.
    broken = tmp_path / "broken.toml"
    broken.write_text("warn_after_s = -5\n")
    with pytest.raises(ConfigError) as from_file:
        load_config(path=broken, env={})
    assert message == str(from_file.value).replace(str(broken), "the admin console")

    pushed = pushed_settings_file(config_file)
    assert pushed.name == "kiosk.pushed.toml"
    assert stat.S_IMODE(pushed.stat().st_mode) == 0o600
    config_file.write_text('warn_after_s = 100\nlanguage = "id"\n')
    restarted = load_config(path=config_file, env={})
    assert (restarted.warn_after_s, restarted.stations, restarted.language) == (200, ("grill", "fry"), "id")
    assert load_config(path=config_file, env={"KIOSK_WARN_AFTER_S": "250"}).warn_after_s == 250


def test_identify_reload_and_a_room_wide_push(server: ServerProcess, tmp_path: Path) -> None:
    kitchen = make_config(server.url, "display", server.add_device("kitchen-1", ["display"]))
    expo = make_config(server.url, "display", server.add_device("expo-1", ["display"]))
    till = make_config(server.url, "kasir-1", server.add_device("till-1", ["kasir-1"]))
    shown: list[tuple[str, float]] = []

    async def scenario() -> None:
        sessions = [Session(c, data_dir=tmp_path / str(n)) for n, c in enumerate((kitchen, expo, till))]
        sessions[0].commands.subscribe_identify(lambda name, seconds: shown.append((name, seconds)))
        for session in sessions:
            await session.start()
        try:
            for session in sessions:
                await wait_live(session)
            answer = await _command(server, "/api/devices/kitchen-1", {"command": "identify"})
            assert answer["answers"][0]["message"] == "showing 'kitchen-1' for 10 s"
            assert shown == [("kitchen-1", 10.0)]

            order = await asyncio.to_thread(server.create_order)
            await wait_until(lambda: order["id"] in sessions[0].store.orders, what="the order")
            sessions[0].store._orders.pop(order["id"])  # a screen that lost track of an order
            await _command(server, "/api/devices/kitchen-1", {"command": "reload"})
            await wait_until(lambda: order["id"] in sessions[0].store.orders, what="the order reloaded")

            room = await _command(
                server, "/api/rooms/display", {"command": "settings", "settings": {"sound": False}}
            )
            assert sorted(a["screen"] for a in room["answers"] if a["ok"]) == ["expo-1", "kitchen-1"]
            assert [s.config.sound for s in sessions] == [False, False, True]  # the till is not in the room
            assert sessions[0].state_dump()["commands_obeyed"] == ["identify", "reload", "settings"]
        finally:
            for session in sessions:
                await session.stop()

    asyncio.run(scenario())
