"""Bad local files cannot brick a screen, crash it, or make it send what it should not.

- A resume point (``state-<room>.json``) the server refuses: a seq of -5 or
  2^60 got a 422 on every catch-up and the screen showed no orders until
  someone deleted the file.
- A binary ``kiosk.toml`` ended in a UnicodeDecodeError traceback.
- The offline queue (``actions-<room>.jsonl``) was sent as it stood: an
  ``order_id`` of ``"1/../../payments"`` became ``DELETE /api/payments`` and an
  unknown kind went out as a cancel.

Against the real server (resume), the real CLI entry (config), and a real
HTTP server that records every request it gets (queue).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from kiosk.cli import EXIT_CONFIG, main
from kiosk.core.action_queue import MAX_LOGGED_REJECTS
from kiosk.core.actions import Action, ActionOutcome, ActionQueue, ActionRunner, RefundSender
from kiosk.core.config import ConfigError, load_config
from kiosk.core.rest import RestClient, ServerUnreachableError
from kiosk.core.store import Store
from kiosk.core.sync import Syncer
from kiosk.protocol import Event
from tests.core.helpers import events_of, make_config, running_session, wait_live, wait_until
from tests.support.server_process import ServerProcess, free_port

# ------------------------------------------------------------------ resume point


@pytest.mark.parametrize("seq", [-5, 2**60, True, 1.5, "12", None])
def test_a_resume_point_the_server_would_refuse_is_ignored(
    server: ServerProcess, tmp_path: Path, caplog: pytest.LogCaptureFixture, seq: object
) -> None:
    token = server.add_device("kitchen", ["display"])
    orders = {server.create_order()["id"] for _ in range(2)}
    (tmp_path / "state-display.json").write_text(json.dumps({"server_url": server.url, "seq": seq}))

    async def scenario() -> set[Any]:
        async with running_session(make_config(server.url, "display", token), tmp_path) as (session, _):
            await wait_live(session)
            return set(session.store.orders)

    with caplog.at_level(logging.WARNING, logger="kiosk.sync"):
        assert asyncio.run(scenario()) == orders
    assert "ignoring the resume point" in caplog.text and "state-display.json" in caplog.text


def test_a_resume_point_ahead_of_the_server_reloads_the_snapshot(
    server: ServerProcess, tmp_path: Path
) -> None:
    """Within the bounds but from another (older, bigger) database: the seq went back, reload."""
    token = server.add_device("kitchen", ["display"])
    orders = {server.create_order()["id"] for _ in range(2)}
    (tmp_path / "state-display.json").write_text(json.dumps({"server_url": server.url, "seq": 2**50}))

    async def scenario() -> set[Any]:
        async with running_session(make_config(server.url, "display", token), tmp_path) as (session, _):
            await wait_live(session)
            return set(session.store.orders)

    assert asyncio.run(scenario()) == orders


def test_a_refused_resume_catch_up_reloads_the_snapshot_even_after_a_failed_try(
    server: ServerProcess,
) -> None:
    """The Syncer's own guard, whatever the seq came from: a 4xx on the resume catch-up is a reset.

    The first try gets no answer (server not reachable yet); the seq is then
    still the saved one, and the next try must still treat it as a resume.
    """
    token = server.add_device("kitchen", ["display"])
    orders = {server.create_order()["id"] for _ in range(2)}
    live = RestClient(server.url, token, timeout=3)
    away = RestClient(f"http://127.0.0.1:{free_port()}", token, timeout=3)
    syncer = Syncer(away, Store(), "display")
    syncer.resume_seq = -5  # what an unchecked state file held

    async def scenario() -> None:
        with pytest.raises(ServerUnreachableError):
            await syncer.catch_up()
        syncer.rest = live
        await syncer.catch_up()

    try:
        asyncio.run(scenario())
    finally:
        live.close()
        away.close()
    assert set(syncer.store.orders) == orders
    assert syncer.resets == 1 and syncer.loaded
    assert syncer.store.seq is not None and syncer.store.seq >= 2


# ------------------------------------------------------------------- kiosk.toml


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "it is not UTF-8 text (byte 0x89 at offset 0"),
        (b'room = "display"\x00\x00\x00\n', "it holds NUL bytes (the first at offset 16"),
        (b"x" * (1024 * 1024 + 1), "it is over 1024 KiB"),
    ],
)
def test_a_binary_or_damaged_config_is_one_clear_refusal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, what: str
) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as refused:
        load_config(path=path, env={})
    assert refused.value.key == ""
    assert str(refused.value).startswith(f"{path} is not valid TOML: {what}")
    # and what a person starting the screen sees: one line, no traceback
    assert main(["--config", str(path)]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert err.startswith(f"kiosk: {path} is not valid TOML: {what}") and err.count("\n") == 1
    assert "Traceback" not in err


def test_a_config_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_bytes(b'\xef\xbb\xbfroom = "kasir-2"\n')
    assert load_config(path=path, env={}).room == "kasir-2"


# ------------------------------------------------------------------ action queue


class _Recorder(BaseHTTPRequestHandler):
    """Records every request; answers 200 with an empty object (not an order: the runner waits)."""

    def do_GET(self) -> None:  # http.server calls do_<METHOD>
        self._record()

    def do_PATCH(self) -> None:
        self._record()

    def do_DELETE(self) -> None:
        self._record()

    def do_POST(self) -> None:
        self._record()

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.seen.append((self.command, self.path, self.headers.get("Idempotency-Key")))  # type: ignore[attr-defined]
        body = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def recording() -> Iterator[tuple[str, list[tuple[str, str, str | None]]]]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    seen: list[tuple[str, str, str | None]] = []
    httpd.seen = seen  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    httpd.shutdown()
    httpd.server_close()


GOOD = [
    {"kind": "status", "order_id": 5, "status": "ready", "key": "good-1", "taken_at": ""},
    {"kind": "cancel", "order_id": "ORD-6", "reason": "sold out", "key": "good-2"},
]
BAD = [  # (line, what the warning says)
    ({"kind": "cancel", "order_id": "1/../../payments", "reason": "x", "key": "bad-1"}, "is not a plain id"),
    ({"kind": "refund", "order_id": 7, "reason": "x", "key": "bad-2"}, "kind 'refund' is not one of"),
    ({"kind": "status", "order_id": 8, "status": "teleported", "key": "bad-3"}, "status"),
    ({"kind": "cancel", "order_id": 9, "reason": "x" * 5000, "key": "bad-4"}, "reason"),
    ({"kind": "cancel", "order_id": 9, "reason": "   ", "key": "bad-5"}, "reason"),
    ({"kind": "status", "order_id": True, "status": "ready", "key": "bad-6"}, "is not a plain id"),
    ({"kind": "status", "order_id": "..", "status": "ready", "key": "bad-7"}, "is not a plain id"),
    ({"kind": "status", "order_id": 10, "status": "ready", "key": ""}, "key ''"),
    ({"kind": "status", "order_id": 11, "status": "ready", "key": "k\n"}, "printable"),
    ({"kind": "status", "order_id": 12, "status": "ready", "reason": "why", "key": "bad-8"}, "no reason"),
    ([1, 2], "not a JSON object"),
    ("{not json", "Expecting property name"),
]


def _write_queue(path: Path) -> list[str]:
    lines = [json.dumps(GOOD[0])]
    lines += [entry if isinstance(entry, str) else json.dumps(entry) for entry, _ in BAD]
    lines.append(json.dumps(GOOD[1]))
    path.write_text("\n".join(lines) + "\n")
    return lines


def test_a_crafted_queue_sends_only_its_valid_entries(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, recording: tuple[str, list[tuple[str, str, str | None]]]
) -> None:
    url, seen = recording
    path = tmp_path / "actions-display.jsonl"
    lines = _write_queue(path)
    with caplog.at_level(logging.WARNING, logger="kiosk.actions"):
        queue = ActionQueue(path)
    rest = RestClient(url, "t" * 32, timeout=3)
    outcomes: list[ActionOutcome] = []
    try:
        sent = asyncio.run(ActionRunner(rest, Store(), queue, outcomes.append).replay())
    finally:
        rest.close()
    assert seen == [
        ("PATCH", "/api/orders/5/status", "good-1"),
        ("DELETE", "/api/orders/ORD-6", "good-2"),
    ]
    assert sent == 2 and all(o.ok and o.replayed for o in outcomes)
    # each refusal names its line (the good ones are lines 1 and 14) and why, the first ten of them;
    # a file of a million bad lines must not write a million log lines
    for number, (_, why) in enumerate(BAD[:MAX_LOGGED_REJECTS], start=2):
        assert any(f"line {number} of {path}" in m and why in m for m in caplog.messages), (number, why)
    assert not any(f"line {len(BAD) + 1} of" in m for m in caplog.messages)
    assert any(
        f"{len(BAD)} queued action(s) in {path} skipped (2 more than listed above)" in m
        for m in caplog.messages
    )
    # set aside for support, out of the queue file: a restart does not meet them again
    assert (tmp_path / "actions-display.jsonl.rejected").read_text().splitlines() == lines[1:-1]
    assert path.read_text() == ""
    assert len(ActionQueue(path)) == 0


def test_an_order_id_that_is_not_plain_is_never_put_in_a_path(
    recording: tuple[str, list[tuple[str, str, str | None]]],
) -> None:
    """An id a hostile server put in an event reaches actions too.  Refused, not percent-encoded:
    the server decodes %2F before routing, and requests turns %2E%2E back into "..", which
    urllib3 then resolves away (DELETE /api/orders/.. would be DELETE /api/)."""
    url, seen = recording
    rest = RestClient(url, "t" * 32, timeout=3)
    outcomes: list[ActionOutcome] = []
    runner = ActionRunner(rest, Store(), ActionQueue(None), outcomes.append)
    try:
        for order_id in ("1/../../payments", "..", "1%2Fstatus", "a?b#c"):
            asyncio.run(runner.submit(Action("cancel", order_id, reason="x")))
        refund = asyncio.run(RefundSender(rest).send("../orders/1", "wrong"))
    finally:
        rest.close()
    assert seen == []
    assert [(o.ok, o.code) for o in outcomes] == [(False, "invalid_id")] * 4
    assert "is not a plain id" in outcomes[0].reason
    assert (refund.ok, refund.code) == (False, "invalid_id")


def test_a_crafted_queue_against_the_real_server_applies_the_good_entry_only(
    server: ServerProcess, tmp_path: Path
) -> None:
    token = server.add_device("kitchen", ["display"])
    order = server.create_order()["id"]
    path = tmp_path / "actions-display.jsonl"
    path.write_text(
        "\n".join(
            json.dumps(line)
            for line in (
                {"kind": "cancel", "order_id": f"{order}/../../payments", "reason": "x", "key": "bad-1"},
                {"kind": "refund", "order_id": order, "reason": "x", "key": "bad-2"},
                {"kind": "status", "order_id": order, "status": "preparing", "key": "good-1"},
            )
        )
        + "\n"
    )

    async def scenario() -> None:
        async with running_session(make_config(server.url, "display", token), tmp_path) as (session, rec):
            await wait_until(lambda: any(o.replayed for o in rec.outcomes), what="the replay")
            await wait_live(session)
            assert [(o.order_id, o.ok, o.action) for o in rec.outcomes if o.replayed] == [
                (order, True, "status:preparing")
            ]

    asyncio.run(scenario())
    answer = server.request("GET", f"/api/orders/{order}").json()
    assert answer["status"] == "preparing"  # not cancelled by the unknown kind sent as a cancel
    assert events_of(server, order, Event.ORDER_STATUS_CHANGED) == 1
    assert events_of(server, order, Event.ORDER_CANCELLED) == 0
