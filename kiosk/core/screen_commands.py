"""The console's commands, obeyed: identify, reload, and settings pushed live (``screen:command``).

Pushed settings go through the same table and checks as the TOML file
(``Config.pushed``): a bad value is refused with the message the file would
have got, "from the admin console", and nothing changes.  A good one becomes
the session's config at once, is told to the screen (which applies it live),
and is written to the config file, so the screen keeps it after a restart
(a ``KIOSK_*`` variable or a flag for the same setting still wins there, as
always).  Each answer is the command's ack, shown in the console.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from kiosk.core.atomic_file import replace_file
from kiosk.core.config import Config, ConfigError, pushed_settings_file, pushed_toml
from kiosk.core.listeners import Listeners
from kiosk.protocol.api import first_error
from kiosk.protocol.screen_commands import IDENTIFY_S, CommandToScreen

log = logging.getLogger("kiosk.net")

PUSHED_FROM = "the admin console"


class Commanded(Protocol):
    """What this needs of the Session (kiosk/core/session.py, which makes it)."""

    config: Config

    async def reload(self) -> None: ...


class ScreenCommands:
    """Answer each command; tell the screen to show its name or take new settings."""

    def __init__(self, session: Commanded, config_path: Path | None) -> None:
        self._session = session
        self._config_path = config_path
        self._identify: Listeners[Callable[[str, float], None]] = Listeners()
        self._settings: Listeners[Callable[[Config], None]] = Listeners()
        self._reloading: asyncio.Task[None] | None = None
        self.obeyed: list[str] = []  # the commands carried out, in order (for the state dump)

    def subscribe_identify(self, callback: Callable[[str, float], None]) -> Callable[[], None]:
        """``callback(name, seconds)``: show the name this screen has at the server for that long."""
        return self._identify.subscribe(callback)

    def subscribe_settings(self, callback: Callable[[Config], None]) -> Callable[[], None]:
        """``callback(config)``: new settings, already checked and in ``session.config``."""
        return self._settings.subscribe(callback)

    def handle(self, data: Any = None, *_: Any) -> dict[str, Any]:
        """The ``screen:command`` handler; its return value is the ack."""
        try:
            command = CommandToScreen.model_validate(data)
        except ValidationError as exc:
            log.warning("a command this screen does not know was refused: %s", first_error(exc))
            return {"ok": False, "message": f"not a command this screen knows: {first_error(exc)}"}
        if command.command == "identify":
            name = command.name or self._session.config.room
            log.info("console: showing this screen's name %r for %.0f s", name, IDENTIFY_S)
            self._identify.tell(lambda callback: callback(name, IDENTIFY_S), "identify")
            self.obeyed.append("identify")
            return {"ok": True, "message": f"showing {name!r} for {IDENTIFY_S:.0f} s"}
        if command.command == "reload":
            return self._reload()
        return self._push(command.settings)

    def _reload(self) -> dict[str, Any]:
        if self._reloading is not None and not self._reloading.done():
            return {"ok": True, "message": "already reloading"}
        log.info("console: reloading the room's orders from the server")
        self._reloading = asyncio.get_running_loop().create_task(self._session.reload(), name="kiosk-reload")
        self._reloading.add_done_callback(_log_failure)
        self.obeyed.append("reload")
        return {"ok": True, "message": "reloading the orders from the server"}

    def _push(self, settings: dict[str, Any]) -> dict[str, Any]:
        try:
            config = self._session.config.pushed(settings, source=PUSHED_FROM)
        except ConfigError as exc:
            log.warning("console: settings refused: %s", exc)
            return {"ok": False, "message": str(exc)}
        self._session.config = config
        changed = ", ".join(f"{name}={getattr(config, name)!r}" for name in sorted(settings))
        log.info("console: settings applied: %s", changed)
        self._settings.tell(lambda callback: callback(config), "pushed settings")
        self.obeyed.append("settings")
        saved = self._save(settings, config)
        note = "" if saved else " (not saved for the next start: see the screen's log)"
        return {"ok": True, "message": f"applied {changed}{note}"}

    def _save(self, settings: dict[str, Any], config: Config) -> bool:
        """Keep the pushed values in their own file beside the config (0600); False if it could not be written."""
        if self._config_path is None:
            return True  # a screen started without a config file (tests, --no-config): live only
        path = pushed_settings_file(self._config_path)
        try:
            replace_file(path, pushed_toml(config, settings, path), mode=0o600)
        except (OSError, ConfigError) as exc:
            log.warning("console: pushed settings not saved to %s: %s", path, exc)
            return False
        return True


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("console: the reload failed: %s", task.exception())
