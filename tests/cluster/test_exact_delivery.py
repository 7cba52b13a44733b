"""Every screen gets every seq of its rooms once, in order, whichever process it and the writer are on.

Real processes on one PostgreSQL database; Redis real too, killed and restarted
by the tests; a lost publish injected by the server's test-only fault switch.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator, Sequence

import pytest

from server.database import PgConnection
from server.event_log import read_head
from tests.cluster.conftest import ClusterFactory
from tests.support.redis_service import RedisServer
from tests.support.server_process import ServerProcess
from tests.support.socket_client import RecordingClient

ORDERS = 60


def head_of(url: str) -> int:
    conn = PgConnection(url)
    try:
        return read_head(conn)
    finally:
        conn.close()


@pytest.fixture
def screens() -> Iterator[list[RecordingClient]]:
    made: list[RecordingClient] = []
    yield made
    for screen in made:
        screen.disconnect()


def attach_screens(processes: Sequence[ServerProcess], made: list[RecordingClient]) -> list[int]:
    """One display screen on each process; returns each join ack's seq."""
    acks = []
    for process in processes:
        screen = RecordingClient(process.url, process.admin_token)
        screen.connect()
        made.append(screen)
        ack = screen.join("display")
        assert ack["ok"], ack
        acks.append(int(ack["seq"]))
    return acks


def write_concurrently(
    processes: Sequence[ServerProcess], count: int, *, writers: int = 3, midway: threading.Event | None = None
) -> None:
    """``count`` orders from ``writers`` threads, each order to a random process (seeded)."""
    rng = random.Random(1515)
    targets = [rng.randrange(len(processes)) for _ in range(count)]
    lock = threading.Lock()
    done = [0]
    failures: list[str] = []

    def writer(mine: list[int]) -> None:
        for index in mine:
            response = processes[index].request("POST", "/api/orders", json=_body(index))
            with lock:
                done[0] += 1
                if response.status_code != 201:
                    failures.append(f"{response.status_code} {response.text[:200]}")
                if midway is not None and done[0] == count // 2:
                    midway.set()

    threads = [threading.Thread(target=writer, args=(targets[n::writers],)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures


def _body(index: int) -> dict[str, object]:
    from tests.support.server_process import order_body

    return order_body(tenant_id=1 + index % 3)


def assert_exact(
    screens: Sequence[RecordingClient], acks: Sequence[int], head: int, timeout: float = 20
) -> None:
    for screen, ack in zip(screens, acks, strict=True):
        screen.wait_seq(head, timeout=timeout)
        assert screen.seqs() == list(range(ack + 1, head + 1)), screen.summary()


def stats(process: ServerProcess) -> dict[str, object]:
    response = process.request("GET", "/api/stats")
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_three_processes_concurrent_writers_every_screen_exact(
    cluster: ClusterFactory, redis_server: RedisServer, screens: list[RecordingClient], cluster_url: str
) -> None:
    processes = cluster(3, queue=redis_server.url)
    acks = attach_screens(processes, screens)
    write_concurrently(processes, ORDERS)
    head = head_of(cluster_url)
    assert head >= ORDERS
    assert_exact(screens, acks, head)
    body = stats(processes[0])
    listed = body["processes"]
    assert isinstance(listed, list) and len(listed) >= 1
    me = listed[0]
    assert me["this"] is True and me["redis"]["received"] > 0, me  # Redis carried the others' commits
    assert body["fanout"]["direct"] > 0  # still framed once and written straight to idle websockets


def test_redis_killed_mid_burst_and_restarted(
    cluster: ClusterFactory, redis_server: RedisServer, screens: list[RecordingClient], cluster_url: str
) -> None:
    processes = cluster(2, queue=redis_server.url)
    acks = attach_screens(processes, screens)
    midway = threading.Event()

    def chaos() -> None:
        if midway.wait(60):
            redis_server.kill()
            redis_server.restart()

    killer = threading.Thread(target=chaos)
    killer.start()
    write_concurrently(processes, ORDERS, midway=midway)
    killer.join(timeout=30)
    assert_exact(screens, acks, head_of(cluster_url))


def test_no_redis_at_all_delivery_is_exact_within_the_tick(
    cluster: ClusterFactory, screens: list[RecordingClient], cluster_url: str
) -> None:
    processes = cluster(2)  # no --message-queue: the event log alone carries the other's commits
    acks = attach_screens(processes, screens)
    write_concurrently(processes, 30)
    assert_exact(screens, acks, head_of(cluster_url), timeout=5)


def test_redis_never_started(
    cluster: ClusterFactory, screens: list[RecordingClient], cluster_url: str
) -> None:
    from tests.support.server_process import free_port

    processes = cluster(2, queue=f"redis://127.0.0.1:{free_port()}/0")
    acks = attach_screens(processes, screens)
    write_concurrently(processes, 30)
    assert_exact(screens, acks, head_of(cluster_url), timeout=5)
    assert "does not answer; starting anyway" in processes[0].log_tail(200)


def test_a_commit_whose_publish_is_lost_is_read_from_the_log(
    cluster: ClusterFactory, redis_server: RedisServer, screens: list[RecordingClient], cluster_url: str
) -> None:
    env = {"KIOSK_TEST_FAULTS": "1", "KIOSK_TEST_SKIP_PUBLISH_EVERY": "4"}
    processes = cluster(2, queue=redis_server.url, env=env)
    acks = attach_screens(processes, screens)
    write_concurrently(processes, 40)
    assert_exact(screens, acks, head_of(cluster_url), timeout=5)
    filled = [process["sequencer"]["filled_from_log"] for process in stats(processes[0])["processes"]]  # type: ignore[index, union-attr]
    assert filled[0] > 0, filled
