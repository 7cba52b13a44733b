"""What must hold with several processes writing and starting at once: keys, revocation, stats, first run."""

from __future__ import annotations

import re
import threading

import requests

from tests.cluster.conftest import ClusterFactory
from tests.support.redis_service import RedisServer
from tests.support.server_process import ServerProcess, order_body
from tests.support.socket_client import RecordingClient


def test_the_same_idempotency_key_to_two_processes_at_once_makes_one_order(
    cluster: ClusterFactory, redis_server: RedisServer
) -> None:
    first, second = cluster(2, queue=redis_server.url)
    answers: list[requests.Response] = []
    barrier = threading.Barrier(2)

    def post(process: ServerProcess) -> None:
        barrier.wait(10)
        answers.append(
            process.request(
                "POST", "/api/orders", json=order_body(1), headers={"Idempotency-Key": "till-7-0042"}
            )
        )

    threads = [threading.Thread(target=post, args=(process,)) for process in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(answer.status_code for answer in answers) == [201, 201], [a.text for a in answers]
    replayed = [answer.headers.get("Idempotent-Replayed") for answer in answers]
    assert sorted(str(flag) for flag in replayed) == ["None", "true"], replayed
    assert answers[0].json()["id"] == answers[1].json()["id"]
    listed = first.request("GET", "/api/orders").json()["orders"]
    assert len(listed) == 1


def test_a_device_revoked_on_one_process_drops_at_once_on_another(
    cluster: ClusterFactory, redis_server: RedisServer
) -> None:
    here, there = cluster(2, queue=redis_server.url)  # revocation sweeps every 30 s: far beyond the wait
    token = here.add_device("stall-3", ["tenant-3"])
    screen = RecordingClient(there.url, token)
    screen.connect()
    try:
        assert screen.join("tenant-3")["ok"]
        assert here.request("DELETE", "/api/devices/stall-3").status_code == 200
        _wait(lambda: not screen.sio.connected, 5, "the revoked screen on the other process was not dropped")
        assert there.request("GET", "/api/orders", token=token).status_code == 401
    finally:
        screen.disconnect()


def test_three_processes_on_a_new_database_make_one_admin_token(cluster: ClusterFactory) -> None:
    processes = cluster(3, started=False)
    for process in processes:
        process.admin_token = ""  # no KIOSK_ADMIN_TOKEN: the first run makes one
    starters = [threading.Thread(target=process.start) for process in processes]
    for starter in starters:
        starter.start()
    for starter in starters:
        starter.join(timeout=60)
    printed = [re.findall(r"ADMIN TOKEN: (\S+)", process.log_tail(400)) for process in processes]
    tokens = [token for found in printed for token in found]
    assert len(tokens) == 1, printed
    for process in processes:  # the one token works on every process
        process.admin_token = tokens[0]
        assert process.request("GET", "/api/stats").status_code == 200


def test_stats_sum_connections_over_processes_and_list_each(
    cluster: ClusterFactory, redis_server: RedisServer
) -> None:
    processes = cluster(2, queue=redis_server.url)
    screens = []
    try:
        for process, room in zip(processes, ("display", "kasir-1"), strict=True):
            screen = RecordingClient(process.url, process.admin_token)
            screen.connect()
            screens.append(screen)
            assert screen.join(room)["ok"]

        def summed() -> bool:
            body = processes[0].request("GET", "/api/stats").json()
            return (
                body["connections"] == 2
                and body["rooms"] == {"display": 1, "kasir-1": 1}
                and len(body["processes"]) == 2
            )

        _wait(summed, 10, "the stats did not sum both processes")  # heartbeats every 2 s
        body = processes[1].request("GET", "/api/stats").json()
        assert [process.get("this", False) for process in body["processes"]] == [True, False]
        assert all("lag" in process and "sequencer" in process for process in body["processes"])
    finally:
        for screen in screens:
            screen.disconnect()


def _wait(condition: object, timeout: float, message: str) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)  # polling interval of a deadline-bounded wait
    raise AssertionError(message)


def test_a_command_for_a_screen_on_another_process_is_relayed_through_redis(
    cluster: ClusterFactory, redis_server: RedisServer
) -> None:
    here, there = cluster(2, queue=redis_server.url)
    token = here.add_device("kitchen-5", ["display"])
    heard: list[dict[str, object]] = []
    screen = RecordingClient(there.url, token)
    screen.sio.on("screen:command", lambda data: heard.append(data) or {"ok": True, "message": "done"})
    screen.connect()
    try:
        assert screen.join("display")["ok"]
        for path in ("/api/devices/kitchen-5/command", "/api/rooms/display/command"):
            answer = here.request("POST", path, json={"command": "identify"})
            assert answer.status_code == 200, answer.text
            assert answer.json() == {"answers": [], "unanswered": [], "relayed": True}
        _wait(
            lambda: len(heard) == 2, 5, "the relayed commands did not reach the screen on the other process"
        )
        assert heard[0]["command"] == "identify" and heard[0]["name"] == ""
        # on its own process it is answered, and not relayed to itself a second time
        direct = there.request("POST", "/api/devices/kitchen-5/command", json={"command": "identify"})
        assert direct.json()["answers"] == [{"screen": "kitchen-5", "ok": True, "message": "done"}]
        # a relayed one after it: Redis delivers in publishing order, so a doubled direct one would be here first
        here.request("POST", "/api/devices/kitchen-5/command", json={"command": "reload"})
        _wait(lambda: any(h["command"] == "reload" for h in heard), 5, "the relayed reload")
        assert [h["command"] for h in heard] == ["identify", "identify", "identify", "reload"]
    finally:
        screen.disconnect()
