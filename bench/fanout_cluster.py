"""The fan-out benchmark's cluster targets: N server processes on one PostgreSQL, with or without Redis.

``cluster:N`` starts a throwaway PostgreSQL (fsync and synchronous commits
on, as in production: the cost of a commit is part of what is measured), a
``redis-server``, and N ``kiosk-server run --database-url … --message-queue …``
processes; ``cluster:N+noredis`` leaves Redis out (the event log's one-second
tick carries the other processes' commits).  The screens are spread over the
processes, and each event is posted to a random process (seeded), so most
deliveries cross a process boundary.  The server CPU counted is every server
process plus PostgreSQL (its postmaster and backends) plus Redis.

Faults: ``+kill-redis`` SIGKILLs Redis when half the events are posted and
starts it again on the same port; ``+lose4`` loses every fourth publish (the
server's test-only switch).  Either must still deliver every event exactly
once, in order.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.postgres_service import PostgresCluster  # noqa: E402
from tests.support.redis_service import RedisServer  # noqa: E402

OPTIONS = {"noredis", "kill-redis", "lose4"}


@dataclass
class ClusterParts:
    """What a cluster target started besides its first server process, to measure and to stop."""

    postgres: PostgresCluster
    redis: RedisServer | None
    urls: list[str]
    processes: list[subprocess.Popen[bytes]]
    logs: list[Any] = field(default_factory=list)
    kill_redis_at: int | None = None
    _rng: random.Random = field(default_factory=lambda: random.Random(1515))

    def pick(self) -> str:
        """A random process for the next publish (seeded: the same sequence each run)."""
        return self.urls[self._rng.randrange(len(self.urls))]

    def pids(self) -> list[int]:
        found = [process.pid for process in self.processes]
        for pid in (self.postgres.postmaster_pid, self.redis.pid() if self.redis else None):
            if pid is not None:
                found.append(pid)
        return found

    def on_publish(self, index: int) -> None:
        if self.kill_redis_at is not None and index == self.kill_redis_at and self.redis is not None:
            self.redis.kill()
            self.redis.restart()

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
        for log in self.logs:
            log.close()
        if self.redis is not None:
            self.redis.stop()
        self.postgres.stop()


def parse(spec: str) -> tuple[int, set[str]]:
    count_text, *options = spec.split("+")
    unknown = set(options) - OPTIONS
    if unknown or not count_text.isdigit() or not 1 <= int(count_text) <= 8:
        raise ValueError(f"cluster:{spec}: use cluster:N (1-8) with options +{' +'.join(sorted(OPTIONS))}")
    return int(count_text), set(options)


def start_cluster(spec: str, ports: list[int], workdir: Path, events: int) -> tuple[ClusterParts, str, str]:
    """Start everything; returns the parts, the admin token and a display device token."""
    count, options = parse(spec)
    postgres = PostgresCluster(durable=True)
    postgres.start()
    url = postgres.create_database()
    env = {**os.environ, "KIOSK_ADMIN_TOKEN": uuid.uuid4().hex, "PYTHONUNBUFFERED": "1"}
    if "lose4" in options:
        env.update(KIOSK_TEST_FAULTS="1", KIOSK_TEST_SKIP_PUBLISH_EVERY="4")
    redis = None
    if "noredis" not in options:
        redis = RedisServer()
        redis.start()
    parts = ClusterParts(postgres, redis, [f"http://127.0.0.1:{port}" for port in ports[:count]], [])
    if "kill-redis" in options:
        parts.kill_redis_at = events // 2
    try:
        _cli(["db", "upgrade", "--database-url", url], env)
        token = _cli(
            ["devices", "add", "--database-url", url, "--name", "fanout-bench", "--rooms", "display"], env
        )
        for n, port in enumerate(ports[:count]):
            argv = [
                sys.executable,
                "-m",
                "server",
                "run",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--database-url",
                url,
                *(["--message-queue", redis.url] if redis else []),
                "--max-connections-per-address",
                "0",
            ]  # fmt: skip  (every bench screen is 127.0.0.1)
            log = (workdir / f"cluster-{spec}-{n}.log").open("wb")
            parts.logs.append(log)
            parts.processes.append(
                subprocess.Popen(argv, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=env)
            )
        for process_url in parts.urls:
            _wait_health(process_url)
    except BaseException:
        parts.stop()
        raise
    return parts, env["KIOSK_ADMIN_TOKEN"], token


def _cli(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "server", *args],
        check=False,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode != 0:
        raise RuntimeError(f"kiosk-server {args[0]} failed: {result.stderr.strip()[-400:]}")
    return result.stdout.strip().splitlines()[-1]


def _wait_health(url: str, timeout_s: float = 30) -> None:
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/api/health", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)  # polling a condition with a deadline: the server is starting
    raise RuntimeError(f"{url} did not answer /api/health within {timeout_s:.0f} s")
