"""The REST client's two kinds of failure, and the offline action queue on disk."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import pytest

from kiosk.core.actions import Action, ActionQueue
from kiosk.core.rest import ApiRefusedError, RestClient, ServerUnreachableError
from tests.support.server_process import ServerProcess, free_port


def test_refusals_carry_the_servers_reason_and_unreachable_is_separate(server: ServerProcess) -> None:
    async def scenario() -> None:
        bad = RestClient(server.url, "wrong-token", timeout=3)
        nowhere = RestClient(f"http://127.0.0.1:{free_port()}", "t", timeout=3)
        admin = RestClient(server.url, server.admin_token, timeout=3)
        try:
            with pytest.raises(ApiRefusedError) as refused:
                await bad.call("GET", "/api/orders")
            assert refused.value.status == 401 and "token" in refused.value.message
            assert bad.reachable  # a refusal is an answer
            with pytest.raises(ServerUnreachableError, match="GET /api/orders"):
                await nowhere.call("GET", "/api/orders")
            assert not nowhere.reachable  # later actions queue at once instead of waiting a timeout
            order = await asyncio.to_thread(server.create_order)
            with pytest.raises(ApiRefusedError) as conflict:
                await admin.call("PATCH", f"/api/orders/{order['id']}/status", json={"status": "completed"})
            assert conflict.value.status == 409 and "preparing" in conflict.value.message
            body = await admin.call("GET", "/api/orders", params={"active": "1"})
            assert [o["id"] for o in body["orders"]] == [order["id"]]
        finally:
            for client in (bad, nowhere, admin):
                client.close()

    asyncio.run(scenario())


def test_queue_survives_restart_and_skips_unreadable_lines(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "actions.jsonl"
    queue = ActionQueue(path)
    first = Action("status", 5, status="ready")
    second = Action("cancel", 6, reason="sold out")
    queue.append(first)
    queue.append(second)
    with path.open("a") as handle:
        handle.write("{not json\n")
        handle.write(json.dumps({"kind": "status", "unknown_field": 1}) + "\n")
    with caplog.at_level(logging.WARNING, logger="kiosk.actions"):
        again = ActionQueue(path)
    assert [a.key for a in again] == [first.key, second.key]
    assert caplog.text.count("skipped an unreadable queued action") == 2
    again.remove(first)
    assert [a.key for a in ActionQueue(path)] == [second.key]


def test_each_action_gets_its_own_idempotency_key() -> None:
    assert Action("status", 1, status="ready").key != Action("status", 1, status="ready").key
