"""A real ``redis-server`` as a child process on a loopback port, for tests.

Why a real server: reconnecting after Redis dies (the message queue behind
Flask-SocketIO, say) can only be tested against a server that really dies, so
``kill()`` is a SIGKILL and ``restart()`` comes back on the same port, as a
crashed server restarted by systemd would. Nothing is persisted (``--save ""``),
so a restarted server is empty, as after a crash without persistence.
"""

from __future__ import annotations

import atexit
import importlib.util
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: without redis-py, available() says so instead of conftest failing
    import redis

from tests.support.log_tail import log_tail
from tests.support.postgres_service import free_port

_POLL_S = 0.01
_BIND_FAILED = ("Address already in use", "Could not create server TCP listening socket")


_FALLBACK_BINARY = Path("/usr/bin/redis-server")  # Debian's, for a PATH without /usr/bin (cron, sudo)


def redis_server_binary() -> str | None:
    found = shutil.which("redis-server")
    return found or (str(_FALLBACK_BINARY) if _FALLBACK_BINARY.is_file() else None)


class RedisServer:
    """``redis-server`` in the foreground, its output in a log file in its own temp dir."""

    def __init__(self, port: int | None = None) -> None:
        self._port_given = port is not None
        self.port = port or free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self._dir: Path | None = None
        self._log: IO[bytes] | None = None
        self._ever_started = False
        self._log_offset = 0  # where this process's output starts in the log (it is kept across restarts)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @staticmethod
    def available() -> str | None:
        """None if a server can be started here, else why not (so a fixture can skip with a reason)."""
        if importlib.util.find_spec("redis") is None:
            return "the redis package (redis-py) is not installed (pip install redis)"
        if redis_server_binary() is None:
            return "no redis-server on PATH or in /usr/bin (apt-get install redis-server)"
        return None

    # -- lifecycle -------------------------------------------------------
    def start(self, timeout: float = 10) -> None:
        """Start and wait until it answers (PING, and INFO with its own pid); fails with the server's log if it exits or never answers.

        A port taken meanwhile by somebody else: a port we chose ourselves is swapped for another
        one; a port already used (a restart) or given by the caller is retried until ``timeout``,
        since the old listener may take a moment to go away.
        """
        if self.running():
            raise RuntimeError(f"redis-server on port {self.port} is already running")
        binary = redis_server_binary()
        if binary is None:
            raise RuntimeError(f"cannot start Redis: {self.available()}")
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="kiosk-redis-"))
            atexit.register(self.stop)
        deadline = time.monotonic() + timeout
        while True:
            self._spawn(binary)
            if self._wait_for_ping(deadline):
                self._ever_started = True
                return
            log = self._output_since_spawn()
            if self._process is not None and self._process.poll() is None:  # alive but not answering
                self._terminate()
                raise RuntimeError(f"redis-server on port {self.port} did not answer in {timeout} s\n{log}")
            if not any(marker in log for marker in _BIND_FAILED):
                raise RuntimeError(f"redis-server on port {self.port} exited at start\n{log}")
            if not (self._port_given or self._ever_started):
                self.port = free_port()
            elif time.monotonic() + 0.5 < deadline:  # leave the next attempt time to bind or fail
                time.sleep(_POLL_S * 10)  # back-off between bind attempts on a port we must keep
            else:
                raise RuntimeError(f"port {self.port} stayed in use for {timeout} s\n{log}")

    def kill(self) -> None:
        """A crash: SIGKILL, no shutdown; returns once the process is gone and the port is closed."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait()
        self._close_log()

    def stop(self) -> None:
        """An orderly end (SIGTERM, SIGKILL after 5 s), then the temp dir goes; safe to call twice."""
        self._terminate()
        if self._dir is not None:
            atexit.unregister(self.stop)
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def restart(self, timeout: float = 10) -> None:
        """Start again on the same port: clients configured with ``url`` must find it there again."""
        self.kill()
        self.start(timeout)

    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        return log_tail(self._log_path(), lines, missing="(no redis-server log)")

    def client(self, timeout: float = 2) -> redis.Redis:
        """A client that fails at once when the server is down: redis-py's default retries ten times
        with back-off (about 4 s), which would hide a dead server and slow every poll."""
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        return redis.Redis(
            host="127.0.0.1",
            port=self.port,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )

    # -- internals -------------------------------------------------------
    def _output_since_spawn(self) -> str:
        path = self._log_path()
        if path is None or not path.exists():
            return "(no redis-server log)"
        with path.open("rb") as log:
            log.seek(self._log_offset)
            return log.read().decode(errors="replace")[-4000:]

    def _log_path(self) -> Path | None:
        return None if self._dir is None else self._dir / "redis.log"

    def _spawn(self, binary: str) -> None:
        assert self._dir is not None
        self._close_log()
        self._log = (self._dir / "redis.log").open("ab")
        self._log_offset = self._log.tell()
        command = [
            binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        command += ["--daemonize", "no", "--dir", str(self._dir)]
        self._process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT)

    def _wait_for_ping(self, deadline: float) -> bool:
        """Poll until our process answers (True), or it exits or time runs out (False)."""
        import redis

        client = self.client(timeout=0.5)
        try:
            while time.monotonic() < deadline:
                if self._process is None or self._process.poll() is not None:
                    return False
                try:
                    # Our process's pid, not just any PONG: another server on this port would answer too.
                    if client.info("server").get("process_id") == self._process.pid:
                        return True
                except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError):
                    pass
                time.sleep(_POLL_S)
            return False
        finally:
            client.close()

    def _terminate(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None
