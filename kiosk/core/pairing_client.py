"""The screen's side of pairing: ask for a code, show it, poll until the admin approves, keep the token.

No Qt here (the pairing screen, kiosk/ui/pairing_screen.py, shows what this
reports).  Each request goes through the screen's RestClient (capped replies,
deadlines, on a worker thread), so the GUI thread never waits on the network.  A code that expires is replaced by a new one; a server that
cannot be reached is retried with the screen's backoff; a refusal the screen
cannot fix (this server has no pairing, the address is blocked) is shown as
the server's words.
"""

from __future__ import annotations

import asyncio
import logging
import platform
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from kiosk import __version__
from kiosk.core.backoff import Backoff
from kiosk.core.config import Config, save_config
from kiosk.core.rest import ApiRefusedError, RestClient, ServerUnreachableError
from kiosk.protocol.api import CLAIM_PAIRING, START_PAIRING
from kiosk.protocol.pairing import PairingStarted, PairingState, shown_code

log = logging.getLogger("kiosk.net")

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class PairingView:
    """What the pairing screen shows now."""

    server_url: str
    code: str | None = None  # as shown, "K7M 4QP"
    expires_at: str | None = None
    retry_in_s: float | None = None  # the server could not be reached; the next try is in this many seconds
    refusal: str | None = None  # the server refused (its words); pairing starts again after a while
    done: bool = False


class PairingRefusedError(Exception):
    """The server refused in a way a retry will not fix soon; the message says what to do."""


class PairingClient:
    """Start → poll → token; ``run()`` returns the saved Config the screen then goes live with."""

    def __init__(
        self,
        config: Config,
        config_path: Path | None,
        on_view: Callable[[PairingView], None],
        backoff: Backoff,
    ) -> None:
        self.config = config
        self.config_path = config_path
        self.on_view = on_view
        self.backoff = backoff
        self._base = config.server_url.rstrip("/")
        # No token yet; capped and deadlined like every REST call of the screen (kiosk/core/rest.py).
        self.rest = RestClient(self._base, "", timeout=config.request_timeout_s, workers=1)

    async def run(self) -> Config:
        try:
            while True:
                started = await self._until_answered(self._start)
                self._show(code=shown_code(started.code), expires_at=started.expires_at)
                log.info(
                    "pairing: showing code %s from %s; waiting for the admin",
                    shown_code(started.code),
                    self._base,
                )
                state = await self._poll(started)
                if state is None:
                    log.info(
                        "pairing: code %s expired unapproved; asking for a new one", shown_code(started.code)
                    )
                    continue
                return self._save(state)
        finally:
            self.rest.close()

    async def _poll(self, started: PairingStarted) -> PairingState | None:
        """Poll every ``poll_s`` until approved (the state) or expired (None)."""
        while True:
            await asyncio.sleep(started.poll_s)
            state = await self._until_answered(lambda: self._claim(started.secret))
            if state is None:
                return None
            if state.status == "approved":
                return state
            self._show(code=shown_code(started.code), expires_at=started.expires_at)

    def _save(self, state: PairingState) -> Config:
        rooms = state.rooms
        if not state.token or not rooms:
            raise PairingRefusedError("the server approved this screen but sent no token; ask the admin")
        config = replace(self.config, token=state.token, room=rooms[0])
        path = save_config(config, self.config_path)
        log.info(
            "pairing: approved as %r for %s; token saved to %s (readable by this user only)",
            state.name,
            ", ".join(rooms),
            path,
        )
        self._show(done=True)
        return config

    async def _until_answered(self, call: Callable[[], Awaitable[T]]) -> T:
        """One exchange; an unreachable server is retried on the backoff, the screen saying so."""
        while True:
            try:
                result = await call()
            except ServerUnreachableError as exc:
                wait = self.backoff.next_delay()
                self._show(retry_in_s=wait)
                log.warning("pairing: %s; again in %.0f s", exc, wait)
                await asyncio.sleep(wait)
                continue
            self.backoff.connected()
            return result

    async def _start(self) -> PairingStarted:
        body = {"app_version": __version__, "hostname": platform.node()[:80]}
        try:
            answer = await self.rest.call(START_PAIRING.method, START_PAIRING.path(), json=body)
        except ApiRefusedError as exc:
            raise PairingRefusedError(_words(exc)) from None
        return _parsed(PairingStarted, answer)

    async def _claim(self, secret: str) -> PairingState | None:
        """The state, or None when the code expired unapproved."""
        try:
            answer = await self.rest.call(CLAIM_PAIRING.method, CLAIM_PAIRING.path(), json={"secret": secret})
        except ApiRefusedError as exc:
            if exc.status == 410 and exc.code == "code_expired":
                return None
            raise PairingRefusedError(_words(exc)) from None
        return _parsed(PairingState, answer)

    def _show(self, **changes: Any) -> None:
        self.on_view(PairingView(server_url=self._base, **changes))


def _parsed(model: type[M], answer: Any) -> M:
    try:
        return model.model_validate(answer)
    except ValidationError as exc:
        raise PairingRefusedError(
            f"the server's answer is not a pairing answer: {exc.errors()[0]['msg']}"
        ) from None


def _words(exc: ApiRefusedError) -> str:
    if exc.status == 404 and exc.code in ("not_found", "http_error"):
        return "this server does not offer pairing (an older version?); ask the admin for a device token"
    return f"the server refused pairing: {exc.message}"
