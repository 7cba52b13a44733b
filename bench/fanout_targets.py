"""The servers the fan-out benchmark compares, and how each one is fed an event.

Target names (``--targets``):

- ``node``: the Node socket.io 4.8 yardstick (``/work/shared/yardsticks/node-socketio``),
  copied to ``--node-dir`` and ``npm install``-ed there on first use.
- ``server:<mode>[@DIR]``: our server, ``python -m server run --async-mode <mode>``, fed
  through its real REST API (``POST /api/alerts`` or ``POST /api/orders``).  With
  ``@DIR`` it runs from DIR (a scratch copy holding a modified ``server/`` package),
  to measure a proposed server change before it is made.
- ``mini:<mode>[:<ws>][+orjson][+nagle]``: ``fanout_pyserver.py``, a bare Flask-SocketIO
  with Node's ``/publish``; ``<ws>`` is ``simple`` or ``gevent-websocket`` (gevent only).

Node and ``mini`` get, through ``/publish``, an envelope shaped like the one our
server builds for the same REST call, so every target pushes the same bytes
(the table prints the size each screen actually received).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import requests
from _server_cli import devices_add_argv, server_run_argv
from fanout_clients import marker

from kiosk.protocol import Event, iso
from kiosk.protocol.rooms import display

REPO = Path(__file__).resolve().parent.parent
YARDSTICK = Path("/work/shared/yardsticks/node-socketio")
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0

Payload = Literal["alert", "order"]

# Where each payload kind carries the marker inside the envelope the screens get.
MARKER_PATH: dict[Payload, tuple[str, ...]] = {
    "alert": ("data", "message"),
    "order": ("data", "customer_name"),
}
EVENT_OF: dict[Payload, Event] = {"alert": Event.ALERT, "order": Event.ORDER_CREATED}

_ITEMS: list[dict[str, Any]] = [
    {
        "name": "Nasi Goreng Spesial",
        "qty": 2,
        "price": 35000,
        "notes": "pedas, tanpa bawang",
        "modifiers": ["telur ceplok"],
    },
    {"name": "Es Teh Manis", "qty": 2, "price": 8000, "notes": "", "modifiers": ["less ice"]},
    {"name": "Sate Ayam 10 tusuk", "qty": 1, "price": 42000, "notes": "bumbu dipisah", "modifiers": []},
]


def rest_body(payload: Payload, index: int, sent_ns: int) -> dict[str, Any]:
    """The body our server's REST API takes for one benchmark event."""
    if payload == "alert":
        return {"severity": "info", "message": marker(index, sent_ns)}
    return {
        "tenant_id": 1 + index % 4,
        "customer_name": marker(index, sent_ns),
        "type": "dine_in",
        "table": "A12",
        "items": _ITEMS,
    }


def envelope(payload: Payload, index: int, sent_ns: int) -> dict[str, Any]:
    """What our server would emit for ``rest_body``: sent to Node and mini through /publish."""
    now = iso(datetime.now(UTC))
    body = rest_body(payload, index, sent_ns)
    if payload == "alert":
        data: dict[str, Any] = {"id": index + 1, **body, "created_at": now}
    else:
        tenant = body["tenant_id"]
        data = {
            "id": index + 1,
            "order_number": f"T{tenant}-{index + 1:03d}",
            **body,
            "total_amount": sum(i["qty"] * i["price"] for i in _ITEMS),
            "items_count": sum(i["qty"] for i in _ITEMS),
            "status": "pending",
            "version": 1,
            "qr_token": uuid.uuid4().hex,
            "payment_status": "unpaid",
            "cancel_reason": None,
            "picked_up_at": None,
            "created_at": now,
            "updated_at": now,
        }
    return {
        "event_id": str(uuid.uuid4()),
        "seq": index + 1,
        "type": EVENT_OF[payload].type,
        "timestamp": now,
        "data": data,
    }


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Running:
    """A started target: where to publish, how screens join, and its process to measure and stop."""

    name: str
    process: subprocess.Popen[bytes]
    url: str
    payload: Payload
    join_argument: Any
    token: str | None = None
    admin_token: str | None = None
    log_path: Path | None = None
    _log: Any = field(default=None, repr=False)
    cluster: Any = None  # bench/fanout_cluster.py's parts, for cluster:N
    urls: list[str] = field(default_factory=list)  # where screens connect (one per process); [url] alone

    def pids(self) -> list[int]:
        """Every process whose CPU counts as the server's (a cluster's: its processes, PostgreSQL, Redis)."""
        return self.cluster.pids() if self.cluster is not None else [self.process.pid]

    def publish(self, session: requests.Session, index: int, sent_ns: int) -> None:
        url = self.url
        if self.cluster is not None:
            self.cluster.on_publish(index)
            url = self.cluster.pick()
        if self.admin_token is None:
            body = {
                "room": display(),
                "event": str(EVENT_OF[self.payload]),
                "data": envelope(self.payload, index, sent_ns),
            }
            response = session.post(f"{self.url}/publish", json=body, timeout=10)
        else:
            path = "/api/alerts" if self.payload == "alert" else "/api/orders"
            response = session.post(
                f"{url}{path}",
                json=rest_body(self.payload, index, sent_ns),
                headers={"Authorization": f"Bearer {self.admin_token}"},
                timeout=10,
            )
        if response.status_code >= 300:
            raise RuntimeError(
                f"{self.name}: publish #{index} got HTTP {response.status_code}: {response.text[:300]}"
            )

    def log_tail(self, lines: int = 15) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the process this benchmark started (by its pid only)."""
        if self.cluster is not None:
            self.cluster.stop()
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT_S)
        if self._log is not None:
            self._log.close()


def ensure_node(node_dir: Path) -> Path:
    """A runnable copy of the read-only yardstick, installed with npm once."""
    if not (node_dir / "node_modules" / "socket.io").is_dir():
        node_dir.mkdir(parents=True, exist_ok=True)
        for name in ("server.mjs", "package.json"):
            shutil.copy2(YARDSTICK / name, node_dir / name)
        print(f"npm install in {node_dir} ...", flush=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=node_dir, check=True)
    return node_dir


def _spawn(
    argv: list[str], workdir: Path, name: str, env: dict[str, str] | None = None, cwd: Path = REPO
) -> tuple[subprocess.Popen[bytes], Path, Any]:
    log_path = workdir / f"{_slug(name)}.log"
    log = log_path.open("wb")
    process = subprocess.Popen(argv, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env)
    return process, log_path, log


def _wait_ready(running: Running, probe: str, need_ok: bool) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            break
        try:
            response = requests.get(f"{running.url}{probe}", timeout=2)
            if response.status_code == 200 or not need_ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)  # polling a condition with a deadline: the server is starting
    running.stop()
    raise RuntimeError(
        f"{running.name} did not come up on {running.url} within {START_TIMEOUT_S:.0f} s; log:\n{running.log_tail()}"
    )


def _server_tokens(db: Path, env: dict[str, str], cwd: Path) -> str:
    result = subprocess.run(
        devices_add_argv(db, "fanout-bench", [display()]),
        cwd=cwd,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode != 0 or not result.stdout.strip():
        raise RuntimeError(
            f"`python -m server devices add` failed ({result.returncode}): {result.stderr.strip()[-500:]}"
        )
    return result.stdout.strip().splitlines()[-1].strip()


def start(name: str, payload: Payload, workdir: Path, node_dir: Path, events: int = 0) -> Running:
    """Start one target on a free loopback port and wait until it answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    kind, _, spec = name.partition(":")
    if kind == "cluster":
        # PostgreSQL and Redis only when asked for.
        from fanout_cluster import start_cluster

        parts, admin, token = start_cluster(spec, [port, *(free_port() for _ in range(7))], workdir, events)
        return Running(
            name, parts.processes[0], url, payload, join_argument={"room": display()}, token=token,
            admin_token=admin, cluster=parts, urls=parts.urls,
        )  # fmt: skip
    if kind == "node":
        process, log_path, log = _spawn(
            ["node", "server.mjs", str(port)], workdir, name, cwd=ensure_node(node_dir)
        )
        running = Running(name, process, url, payload, join_argument=display(), log_path=log_path, _log=log)
        _wait_ready(running, "/publish", need_ok=False)
        return running
    if kind == "mini":
        mode_ws, *options = spec.split("+")
        mode, _, ws = mode_ws.partition(":")
        unknown = set(options) - {"orjson", "nagle"}
        if unknown:
            raise ValueError(f"unknown option(s) {sorted(unknown)} in {name!r}: allowed +orjson, +nagle")
        argv = [
            sys.executable,
            str(Path(__file__).with_name("fanout_pyserver.py")),
            str(port),
            "--async-mode",
            mode,
        ]
        argv += ["--ws", ws or "auto", "--json", "orjson" if "orjson" in options else "std"]
        argv += ["--nagle"] if "nagle" in options else []
        process, log_path, log = _spawn(argv, workdir, name)
        running = Running(name, process, url, payload, join_argument=display(), log_path=log_path, _log=log)
        _wait_ready(running, "/publish", need_ok=False)
        return running
    if kind == "server":
        spec, _, source = spec.partition("@")
        cwd = Path(source) if source else REPO
        if not (cwd / "server" / "__main__.py").exists():
            raise ValueError(f"{name!r}: no server package in {cwd}")
        admin = uuid.uuid4().hex
        env = {**os.environ, "KIOSK_ADMIN_TOKEN": admin}
        db = workdir / f"{_slug(name)}-{port}.sqlite3"
        token = _server_tokens(db, env, cwd)
        # Every bench screen comes from 127.0.0.1; in a food court each is a PC of its own.
        argv = server_run_argv(port, db, "--async-mode", spec, "--max-connections-per-address", "0")
        process, log_path, log = _spawn(argv, workdir, name, env, cwd)
        running = Running(
            name,
            process,
            url,
            payload,
            join_argument={"room": display()},
            token=token,
            admin_token=admin,
            log_path=log_path,
            _log=log,
        )
        _wait_ready(running, "/api/health", need_ok=True)
        return running
    raise ValueError(
        f"unknown target {name!r}: use node, server:<mode>, cluster:N[+options] or mini:<mode>[:<ws>][+orjson][+nagle]"
    )
