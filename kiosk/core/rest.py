"""The blocking REST client, run in an executor so the loop (the Qt thread) never waits on it.

Every failure becomes one of two exceptions a caller can act on:
``ApiRefusedError`` (the server answered no: 4xx, with its readable message) and
``ServerUnreachableError`` (no answer, a timeout, a 5xx, or an answer no screen
should read: try again later).

A broken or hostile server cannot take the screen down with its answer: the
body is streamed and refused past ``MAX_REPLY_BYTES`` (an endless catch-up
reply once grew a screen to 2.5 GB in 30 s), and each call has a total
deadline of ``DEADLINE_FACTOR`` × ``timeout`` (``timeout`` alone bounds each
read, so a reply trickled at one byte a second never ended).  A call cut
short - by its deadline, or because the task awaiting it was cancelled at stop -
has its socket shut down, so its worker thread is free at once and the process
can exit (``kiosk.core.call_watch``).
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

import requests
import urllib3

from kiosk.core.call_watch import CallWatch, WatchedAdapter

log = logging.getLogger("kiosk.net")

T = TypeVar("T")

# A full catch-up page (1000 events of realistic orders) is ~0.6 MiB and an active list of
# 2000 busy orders a few MiB: 16 MiB is several times the largest answer a screen needs.
MAX_REPLY_BYTES = 16 * 1024 * 1024
# The whole call (connect, headers, body) may take this many times the per-read timeout:
# 30 s at the default request_timeout_s of 10 s.
DEADLINE_FACTOR = 3.0
_CHUNK = 64 * 1024
STOPPING = "the screen is stopping"


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


class RestTransport(Protocol):
    """What the syncer and the actions need of the REST side: one call, answered or refused.

    The seam that lets ``Syncer`` be fed scripted answers (a ``reset``, a seq
    that goes back, a malformed page) in fast unit tests
    (tests/support/scripted_rest.py), beside the tests against the real server.
    """

    async def call(self, method: str, path: str, **kwargs: Any) -> Any: ...


class RestClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 10.0,
        workers: int = 4,
        deadline: float | None = None,
        max_reply_bytes: int = MAX_REPLY_BYTES,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.deadline = deadline if deadline is not None else DEADLINE_FACTOR * timeout
        self.max_reply_bytes = max_reply_bytes
        self._local = threading.local()
        # Did the last call get an answer?  Lets actions queue at once while the server is known
        # to be away, instead of each waiting out a timeout.  Written from worker threads (atomic).
        self.reachable = True
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kiosk-rest")
        self._inflight: set[CallWatch] = set()
        self._inflight_lock = threading.Lock()
        self._closed = False

    def _session(self) -> requests.Session:
        # requests.Session is not documented as thread-safe: one per worker thread.
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.mount("http://", WatchedAdapter())
            session.mount("https://", WatchedAdapter())
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
        watch: CallWatch | None = None,
    ) -> Any:
        """One blocking call; returns the decoded JSON body of a 2xx answer.

        ``watch`` lets another thread cut the call (``call`` passes one so a
        cancel at stop frees the worker); without one the call makes its own.
        """
        watch = watch or CallWatch()
        with self._inflight_lock:
            if self._closed:
                watch.abort(STOPPING)
            self._inflight.add(watch)
        watch.start(self.deadline, f"took over {self.deadline:g} s: gave up")
        try:
            return self._request(method, path, params=params, json=json, key=idempotency_key, watch=watch)
        finally:
            watch.finish()
            with self._inflight_lock:
                self._inflight.discard(watch)

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None,
        json: Any,
        key: str | None,
        watch: CallWatch,
    ) -> Any:
        headers = {"Idempotency-Key": key} if key else {}
        if self.token:  # read per call: a backend found to take no tokens is sent none from then on
            headers["Authorization"] = f"Bearer {self.token}"
        url = self.base_url + path
        where = f"{method} {path} to {self.base_url}"
        try:
            if watch.why_cut() is not None:  # cut before it started (the client is closing)
                raise requests.ConnectionError(STOPPING)
            response = self._session().request(
                method, url, params=params, json=json, headers=headers, timeout=self.timeout, stream=True
            )
            with response:
                content = self._read_body(response, f"from {self.base_url} to {method} {path}", watch)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            self.reachable = False
            if (why := watch.why_cut()) is not None:
                raise self._cut(where, why) from None
            raise ServerUnreachableError(f"{method} {path}: {type(exc).__name__}: {exc}") from None
        if (why := watch.why_cut()) is not None:  # cut reading a body that ends at the close: truncated
            self.reachable = False
            raise self._cut(where, why)
        self.reachable = response.status_code < 500
        if response.status_code >= 500:
            raise ServerUnreachableError(f"{method} {path}: server error {response.status_code}")
        try:
            body = jsonlib.loads(content) if content else None
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
            # Other backends say why in their own shape: {"error": "..."} or {"message": "..."}.
            said = (
                error if isinstance(error, str) else body.get("message") if isinstance(body, dict) else None
            )
            if isinstance(said, str) and said.strip():
                raise ApiRefusedError(response.status_code, "http_error", said.strip()[:200])
            raise ApiRefusedError(
                response.status_code, "http_error", f"{response.status_code} {response.reason}"
            )
        if body is None and content:
            raise ServerUnreachableError(f"{method} {path}: the answer is not JSON")
        return body

    def _read_body(self, response: requests.Response, source: str, watch: CallWatch) -> bytearray:
        """The body, refused (``ServerUnreachableError``) as soon as it is known to pass the cap."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_reply_bytes:
            raise self._too_big(source, f"it declares {int(declared)} bytes")
        body = bytearray()
        for chunk in response.iter_content(_CHUNK):
            body += chunk
            if len(body) > self.max_reply_bytes:
                raise self._too_big(source, "it kept coming")
            if watch.why_cut() is not None:
                break
        return body  # json.loads takes it as it is: no second copy of a large answer

    def _too_big(self, source: str, how: str) -> ServerUnreachableError:
        self.reachable = False
        mib = self.max_reply_bytes / (1024 * 1024)
        message = f"reply {source} over {mib:g} MiB ({how}): refused; is this the kiosk server?"
        log.warning("%s", message)
        return ServerUnreachableError(message)

    def _cut(self, where: str, why: str) -> ServerUnreachableError:
        message = f"{where} {why}"
        if why != STOPPING:
            log.warning("%s; the server is slow or not answering properly", message)
        return ServerUnreachableError(message)

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """``request`` in the executor, awaited on the loop; a cancel cuts the call at once."""
        watch = CallWatch()
        try:
            return await self.run(lambda: self.request(method, path, watch=watch, **kwargs))
        except asyncio.CancelledError:
            watch.abort(STOPPING)  # frees the worker thread instead of leaving it to trickle on
            raise

    async def run(self, function: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, function)

    def close(self) -> None:
        """Cut the calls in flight and let the workers end: nothing holds the process open."""
        with self._inflight_lock:
            self._closed = True
            inflight = list(self._inflight)
        for watch in inflight:
            watch.abort(STOPPING)
        self._executor.shutdown(wait=False, cancel_futures=True)
