"""A Node socket.io backend from the seed documents, as a child process on a loopback port.

``npm ci`` runs once per checkout (under a file lock: pytest-xdist or two
runs may start together); ``start()`` waits for the peer's ``listening on``
line; ``kill()`` is a SIGKILL and ``start()`` again reuses the port and the
data file, as a restaurant's backend comes back after a crash.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.server_process import free_port

PEERS = Path(__file__).resolve().parent
START_TIMEOUT_S = 20.0
NPM_TIMEOUT_S = 300.0


def install(peer_dir: Path) -> None:
    """``npm ci`` if node_modules is missing or older than the lock file."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("node and npm are needed for the interop tests: apt install nodejs npm (.ci/run does)")
    lock = peer_dir / "package-lock.json"
    with (peer_dir / ".install.lock").open("w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        modules = peer_dir / "node_modules"
        if modules.is_dir() and modules.stat().st_mtime >= lock.stat().st_mtime:
            return
        done = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=peer_dir,
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"npm ci in {peer_dir} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        modules.touch()


class NodePeer:
    def __init__(self, name: str, workdir: Path) -> None:
        self.dir = PEERS / name
        self.data_file = workdir / f"{name}.json"
        self.log_file = workdir / f"{name}.log"
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        install(self.dir)
        log = self.log_file.open("ab")
        seen = log.tell()  # the line to wait for is this start's, not an earlier one's
        self.process = subprocess.Popen(
            ["node", "server.mjs", "--port", str(self.port), "--data", str(self.data_file)],
            cwd=self.dir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while f"listening on {self.port}" not in self.log_file.read_bytes()[seen:].decode(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                tail = self.log_file.read_text(errors="replace")[-3000:]
                self.kill()
                raise RuntimeError(f"the {self.dir.name} peer did not start:\n{tail}")
            time.sleep(0.05)  # polling a child's log line, bounded by the deadline

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = requests.request(method, self.url + path, json=body, timeout=5)
        response.raise_for_status()
        return response.json()


@contextlib.contextmanager
def running_peer(name: str, workdir: Path) -> Iterator[NodePeer]:
    """A started peer, killed on exit (the tests' fixtures)."""
    peer = NodePeer(name, workdir)
    peer.start()
    try:
        yield peer
    finally:
        peer.kill()
