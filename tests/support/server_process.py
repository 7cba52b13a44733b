"""The real server as a child process on a loopback port, for tests and benchmarks.

``python -m server run`` on a given SQLite file, or on a PostgreSQL database
(``database_url``; by default a new one when the suite runs on PostgreSQL, see
tests/support/backend.py); ``start()`` waits until ``/api/health`` answers and
otherwise fails with the tail of the server's log.  The same port is kept
across restarts, so a client can reconnect to it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import requests

from tests.support.backend import database_url_for_new_server
from tests.support.log_tail import log_tail

_ADMIN = object()
_NEW = "new"  # database_url's default: a new database when the suite runs on PostgreSQL


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def order_body(tenant_id: int = 1, **overrides: Any) -> dict[str, Any]:
    """A realistic ``POST /api/orders`` body."""
    body: dict[str, Any] = {
        "tenant_id": tenant_id,
        "customer_name": "Budi Santoso",
        "items": [
            {
                "name": "Nasi Goreng Spesial",
                "qty": 2,
                "price": 25000,
                "notes": "pedas",
                "modifiers": ["telur ceplok"],
            },
            {"name": "Es Teh Manis", "qty": 1, "price": 5000},
        ],
        "type": "dine_in",
        "table": "A7",
    }
    body.update(overrides)
    return body


class ServerProcess:
    def __init__(
        self,
        db_path: Path,
        *,
        port: int | None = None,
        admin_token: str = "admin-test-token",
        extra_args: Sequence[str] = (),
        log_path: Path | None = None,
        database_url: str | None = _NEW,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.db_path = Path(db_path)
        self.database_url = database_url_for_new_server() if database_url == _NEW else database_url
        self.env = dict(env or {})
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_token = admin_token
        self.extra_args = list(extra_args)
        self.log_path = log_path or self.db_path.with_suffix(".server.log")
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._http = requests.Session()

    # -- lifecycle -------------------------------------------------------
    def start(self, timeout: float = 20) -> None:
        if self.running:
            raise RuntimeError(f"server on port {self.port} is already running")
        self._log = self.log_path.open("ab")
        env = {**os.environ, "KIOSK_ADMIN_TOKEN": self.admin_token, "PYTHONUNBUFFERED": "1", **self.env}
        if not self.admin_token:
            del env["KIOSK_ADMIN_TOKEN"]  # the first-run case: the server makes one and prints it
        command = [
            sys.executable, "-m", "server", "run",
            "--host", "127.0.0.1", "--port", str(self.port), *self.db_args,
            *self.extra_args,
        ]  # fmt: skip
        self._process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self._process.returncode} during start:\n{self.log_tail()}"
                )
            try:
                if requests.get(f"{self.url}/api/health", timeout=0.5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.02)  # polling interval of a deadline-bounded wait, not synchronisation
        self.kill()
        raise RuntimeError(f"server did not answer /api/health within {timeout} s:\n{self.log_tail()}")

    @property
    def db_args(self) -> list[str]:
        """The database options of every command this server's tests run: ``--db`` or ``--database-url``."""
        return ["--database-url", self.database_url] if self.database_url else ["--db", str(self.db_path)]

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def kill(self) -> None:
        """SIGKILL: the crash case; nothing gets a chance to flush."""
        self._end(signal.SIGKILL, grace=0)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 5 s."""
        self._end(signal.SIGTERM, grace=5)

    def _end(self, sig: signal.Signals, grace: float) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout=grace or 10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        self._http.close()
        self._http = requests.Session()
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 60) -> str:
        return log_tail(self.log_path, lines, missing="(no server log)")

    # -- helpers ---------------------------------------------------------
    def add_device(self, name: str, rooms: Sequence[str]) -> str:
        """Create a device token through the real CLI; returns the token (its last stdout line)."""
        result = subprocess.run(
            [sys.executable, "-m", "server", "devices", "add", *self.db_args,
             "--name", name, "--rooms", ",".join(rooms)],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"devices add failed ({result.returncode}): {result.stderr}{result.stdout}")
        return result.stdout.strip().splitlines()[-1]

    def request(
        self,
        method: str,
        path: str,
        *,
        token: Any = _ADMIN,
        json: object = None,
        headers: Mapping[str, str] | None = None,
        data: bytes | str | None = None,
    ) -> requests.Response:
        """An HTTP call; ``token`` defaults to the admin token, None sends no Authorization."""
        sent: dict[str, str] = {}
        chosen = self.admin_token if token is _ADMIN else token
        if chosen is not None:
            sent["Authorization"] = f"Bearer {chosen}"
        if headers:
            sent.update(headers)
        return self._http.request(method, f"{self.url}{path}", json=json, data=data, headers=sent, timeout=10)

    def create_order(self, tenant_id: int = 1, **overrides: Any) -> dict[str, Any]:
        response = self.request("POST", "/api/orders", json=order_body(tenant_id, **overrides))
        assert response.status_code == 201, response.text
        order: dict[str, Any] = response.json()
        return order

    def seq(self) -> int:
        return int(self.request("GET", "/api/health", token=None).json()["seq"])
