"""The blocking REST client, run in an executor so the loop (the Qt thread) never waits on it.

Every failure becomes one of two exceptions a caller can act on:
``ApiRefusedError`` (the server answered no: 4xx, with its readable message) and
``ServerUnreachableError`` (no answer, a timeout or a 5xx: try again later).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import requests

log = logging.getLogger("kiosk.net")

T = TypeVar("T")


class ServerUnreachableError(Exception):
    """No usable answer: refused connection, timeout, 5xx or garbage."""


class ApiRefusedError(Exception):
    """The server refused the request (4xx); ``message`` is meant for people."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.field = field


class RestClient:
    def __init__(self, base_url: str, token: str, *, timeout: float = 10.0, workers: int = 4) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self._local = threading.local()
        # Did the last call get an answer?  Lets actions queue at once while the server is known
        # to be away, instead of each waiting out a timeout.  Written from worker threads (atomic).
        self.reachable = True
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kiosk-rest")

    def _session(self) -> requests.Session:
        # requests.Session is not documented as thread-safe: one per worker thread.
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {self.token}"
            session.headers["User-Agent"] = "kiosk"
            self._local.session = session
        return session

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """One blocking call; returns the decoded JSON body of a 2xx answer."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        url = self.base_url + path
        try:
            response = self._session().request(
                method, url, params=params, json=json, headers=headers, timeout=self.timeout
            )
        except requests.RequestException as exc:
            self.reachable = False
            raise ServerUnreachableError(f"{method} {path}: {type(exc).__name__}: {exc}") from None
        self.reachable = response.status_code < 500
        if response.status_code >= 500:
            raise ServerUnreachableError(f"{method} {path}: server error {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400:
            error = body.get("error") if isinstance(body, dict) else None
            if isinstance(error, dict):
                raise ApiRefusedError(
                    response.status_code,
                    str(error.get("code", "error")),
                    str(error.get("message", "")) or response.reason,
                    error.get("field"),
                )
            raise ApiRefusedError(
                response.status_code, "http_error", f"{response.status_code} {response.reason}"
            )
        if body is None and response.content:
            raise ServerUnreachableError(f"{method} {path}: the answer is not JSON")
        return body

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """``request`` in the executor, awaited on the loop."""
        return await self.run(lambda: self.request(method, path, **kwargs))

    async def run(self, function: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, function)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
