"""Two server processes behind the shipped nginx and HAProxy configurations, with real kiosk cores.

The screen's process is SIGKILLed mid-burst: the screens move through the
balancer to the other process and end equal to the server, one alert per
order (the kiosk core's fault test, on a cluster).  Round-robin is shown to
break long-polling, which is why the shipped files keep a screen's requests
on one process, and why the kiosk connects websocket-first.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from kiosk.core.connection_status import ConnectionState
from tests.cluster.balancer import KINDS, Balancer, missing
from tests.cluster.conftest import ClusterFactory
from tests.core.helpers import make_config, running_session, wait_live, wait_until
from tests.core.test_faults import _post_burst
from tests.support.redis_service import RedisServer
from tests.support.server_process import ServerProcess
from tests.support.service_fixtures import missing_service


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    reason = missing(request.param)
    if reason is not None:
        missing_service(reason)
    return str(request.param)


def _balanced(kind: str, processes: list[ServerProcess], folder: Path, **options: Any) -> Iterator[Balancer]:
    balancer = Balancer(kind, [process.port for process in processes], folder, **options)
    balancer.start()
    try:
        yield balancer
    finally:
        balancer.stop()


class _Through:
    """The burst poster's view of the cluster: requests go to the balancer, as a till's would."""

    def __init__(self, url: str, admin_token: str) -> None:
        self.url, self.admin_token = url, admin_token


def _holder(processes: list[ServerProcess]) -> ServerProcess:
    """The process whose sockets the screens are on (loopback screens share one address: one process)."""
    counts = [
        process.request("GET", "/api/stats").json()["processes"][0]["connections"] for process in processes
    ]
    assert sorted(counts) == [0, 2], counts
    return processes[counts.index(2)]


def test_tls_at_the_balancer_and_websockets_through_it(
    kind: str, cluster: ClusterFactory, redis_server: RedisServer, tmp_path: Path
) -> None:
    processes = cluster(2, queue=redis_server.url, extra_args=["--behind-proxy", "1"])
    for balancer in _balanced(kind, processes, tmp_path):
        health = requests.get(f"{balancer.tls_url}/api/health", verify=str(balancer.cert), timeout=5)
        assert health.status_code == 200 and "seq" in health.json()
        client = socketio.Client(reconnection=False, ssl_verify=False)  # the certificate was checked above
        got: list[dict[str, Any]] = []
        client.on("order:created", got.append)
        client.connect(balancer.tls_url, auth={"token": processes[0].admin_token}, transports=["websocket"])
        try:
            assert client.call("join", {"room": "display"}, timeout=10)["ok"]
            processes[1].create_order()
            deadline = threading.Event()
            for _ in range(100):
                if got:
                    break
                deadline.wait(0.05)  # polling interval of a deadline-bounded wait
            assert got and got[0]["type"] == "order_created"
        finally:
            client.disconnect()


def test_round_robin_breaks_long_polling_and_websocket_first_does_not(
    cluster: ClusterFactory, tmp_path: Path
) -> None:
    reason = missing("nginx")
    if reason is not None:
        missing_service(reason)
    processes = cluster(2)
    for balancer in _balanced("nginx", processes, tmp_path, round_robin=True):
        failures = 0
        for _ in range(3):
            polling = socketio.Client(reconnection=False)
            try:
                polling.connect(
                    balancer.url,
                    auth={"token": processes[0].admin_token},
                    transports=["polling"],
                    wait_timeout=3,
                )
                polling.call("join", {"room": "display"}, timeout=3)
            except (socketio.exceptions.ConnectionError, socketio.exceptions.TimeoutError):
                failures += 1
            finally:
                polling.disconnect()
        assert failures == 3  # the handshake's sid is unknown to the process the next poll reaches
        websocket = socketio.Client(reconnection=False)
        websocket.connect(balancer.url, auth={"token": processes[0].admin_token}, transports=["websocket"])
        try:
            assert websocket.call("join", {"room": "display"}, timeout=5)["ok"]
        finally:
            websocket.disconnect()


def test_sigkill_with_screens_attached_they_move_and_end_exact(
    kind: str, cluster: ClusterFactory, redis_server: RedisServer, tmp_path: Path
) -> None:
    processes = cluster(2, queue=redis_server.url, extra_args=["--behind-proxy", "1"])
    token = processes[0].add_device("kitchen", ["display"])
    for balancer in _balanced(kind, processes, tmp_path):
        asyncio.run(_scenario(balancer, processes, token, tmp_path))


async def _scenario(balancer: Balancer, processes: list[ServerProcess], token: str, tmp_path: Path) -> None:
    created: list[Any] = []
    stop = threading.Event()
    config = make_config(balancer.url, "display", token)
    async with (
        running_session(config, tmp_path / "screen-a") as (first, first_rec),
        running_session(config, tmp_path / "screen-b") as (second, second_rec),
    ):
        try:
            await wait_live(first)
            await wait_live(second)
            holder = await asyncio.to_thread(_holder, processes)
            survivor = processes[1 - processes.index(holder)]
            through = _Through(balancer.url, holder.admin_token)
            poster = asyncio.ensure_future(asyncio.to_thread(_post_burst, through, 120, created, stop))  # type: ignore[arg-type]
            await wait_until(lambda: len(created) >= 50, what="50 orders posted")
            await asyncio.to_thread(holder.kill)
            await asyncio.wait_for(poster, 90)
            assert len(created) == 120 and len(set(created)) == 120
            active = survivor.request("GET", "/api/orders?active").json()["orders"]
            expected = {order["id"] for order in active}
            assert expected == set(created)
            head = survivor.seq()
            for session in (first, second):
                await wait_until(
                    lambda s=session: (
                        s.status.state is ConnectionState.LIVE and set(s.store.orders) == expected
                    ),
                    within=30,
                    what="each store equal to the server's active orders",
                )
            for recorder in (first_rec, second_rec):
                counts = Counter(recorder.created_ids())
                assert set(counts) == expected and max(counts.values()) == 1
            await wait_until(
                lambda: first.store.seq >= head and second.store.seq >= head, what="the seq caught up"
            )
        finally:
            stop.set()
