"""Fan-out benchmark: publish→receive latency to N screens in ``display``.

For each target server (ours in each async mode, the Node socket.io yardstick
in the same run, optionally a bare Flask-SocketIO) and each screen count N, it
starts the server on a loopback port, connects N python-socketio clients
spread over several processes, publishes a fixed number of events at rate R
through the REST API, and measures on every screen the delay from just before
the POST to the moment the event handler runs.  Each screen must receive every
event exactly once.  It prints p50 / p99 / max, losses, CPU of server / clients
/ publisher / machine, the load average, and each p99 against Node's.

    python bench/fanout.py                                  # N=20,200, R=50/s, 500 events
    python bench/fanout.py --targets node,server:gevent --screens 200 --rounds 3
    python bench/fanout.py --targets node,mini:gevent,mini:gevent:simple,mini:gevent+orjson

Run by hand, not a test; see bench/README.md and docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import queue
import signal
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, get_args

import psutil  # type: ignore[import-untyped]
import requests
from fanout_clients import WorkerConfig, WorkerResult, worker_main
from fanout_targets import EVENT_OF, MARKER_PATH, REPO, Payload, Running, start

TARGET_P99_MS = 50.0
READY_TIMEOUT_S = 90.0
RESULT_TIMEOUT_S = 60.0
SATURATED_PCT = 85.0  # a process above this share of one core is a suspect bottleneck


@dataclass
class RunResult:
    round: int
    target: str
    screens: int
    events: int
    rate: float
    payload_bytes: int = 0
    samples: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    lost: int = 0
    duplicates: int = 0
    reordered: int = 0
    disconnects: int = 0
    server_cpu_pct: float = 0.0
    server_us_per_msg: float = 0.0
    clients_cpu_pct: float = 0.0
    client_proc_max_pct: float = 0.0
    publisher_cpu_pct: float = 0.0
    machine_cpu_pct: float = 0.0
    load1: float = 0.0
    publish_lag_max_ms: float = 0.0
    post_p99_ms: float = 0.0
    rate_achieved: float = 0.0
    error: str | None = None


def percentile(sorted_values: list[int], fraction: float) -> int:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return 0
    rank = max(1, -(-len(sorted_values) * fraction // 1))  # ceil without floats drifting
    return sorted_values[int(rank) - 1]


def _cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def _with_children(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def _wait(predicate: Any, timeout: float, step: float = 0.02) -> bool:
    """Poll a condition until it holds or the deadline passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


def _publish(server: Running, args: argparse.Namespace) -> tuple[list[int], list[int], list[int]]:
    """Open-loop publisher: each event leaves at its due time on one of a few keep-alive connections.

    A pool, so that one slow POST delays no other event and the rate really is
    R (a single connection would fall behind and quietly lighten the load).
    Returns the lateness behind schedule, the POST round trips and the send times, in ns.
    """
    local = threading.local()

    def post(index: int, due: int) -> tuple[int, int, int]:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        sent = time.monotonic_ns()
        server.publish(session, index, sent)
        return sent - due, time.monotonic_ns() - sent, sent

    interval_ns = int(1e9 / args.rate)
    with ThreadPoolExecutor(args.publishers, thread_name_prefix="publisher") as pool:
        t0 = time.monotonic_ns() + interval_ns
        futures = []
        for index in range(args.events):
            due = t0 + index * interval_ns
            wait_ns = due - time.monotonic_ns()
            if wait_ns > 0:
                time.sleep(wait_ns / 1e9)  # pacing the open-loop publisher, not synchronisation
            futures.append(pool.submit(post, index, due))
        done = [f.result() for f in futures]
    return [max(0, d[0]) for d in done], [d[1] for d in done], [d[2] for d in done]


def run_one(args: argparse.Namespace, round_no: int, target: str, screens: int, workdir: Path) -> RunResult:
    payload: Payload = args.payload
    result = RunResult(round_no, target, screens, args.events, args.rate)
    ctx = mp.get_context("spawn")
    procs = min(args.procs, screens)
    server: Running | None = None
    workers: list[Any] = []
    stop = ctx.Event()
    results_q: Any = ctx.Queue()
    try:
        server = start(target, payload, workdir, Path(args.node_dir), args.events)
        ready = [ctx.Value("q", 0) for _ in range(procs)]
        received = [ctx.Value("q", 0) for _ in range(procs)]
        for worker_id in range(procs):
            count = screens // procs + (worker_id < screens % procs)
            cfg = WorkerConfig(
                worker_id=worker_id,
                url=server.urls[worker_id % len(server.urls)] if server.urls else server.url,
                clients=count,
                event=str(EVENT_OF[payload]),
                join_argument=server.join_argument,
                token=server.token,
                marker_path=MARKER_PATH[payload],
                events=args.events,
                warmup=args.warmup,
            )
            worker = ctx.Process(
                target=worker_main,
                args=(cfg, ready[worker_id], received[worker_id], stop, results_q),
                daemon=True,
            )
            worker.start()
            workers.append(worker)

        early: list[WorkerResult] = []

        def all_ready() -> bool:
            while True:
                try:
                    early.append(results_q.get_nowait())
                except queue.Empty:
                    break
            return bool(early) or sum(v.value for v in ready) >= screens

        if not _wait(all_ready, READY_TIMEOUT_S) or early:
            reasons = "; ".join(r.error or "finished early" for r in early) or "timed out"
            joined = sum(v.value for v in ready)
            raise RuntimeError(
                f"only {joined}/{screens} screens joined within {READY_TIMEOUT_S:.0f} s: {reasons}"
            )

        server_procs = [process for pid in server.pids() for process in _with_children(pid)]
        client_procs = [psutil.Process(w.pid) for w in workers]
        me = psutil.Process()
        cpu0 = (_cpu_seconds(server_procs), [_cpu_seconds([p]) for p in client_procs], _cpu_seconds([me]))
        psutil.cpu_percent(None)
        wall0 = time.monotonic()

        lags, rtts, sent_times = _publish(server, args)
        expected = screens * args.events
        _wait(lambda: sum(v.value for v in received) >= expected, args.drain)

        wall = time.monotonic() - wall0
        result.machine_cpu_pct = psutil.cpu_percent(None)
        result.load1 = os.getloadavg()[0]
        server_cpu = _cpu_seconds(server_procs) - cpu0[0]
        result.server_cpu_pct = 100 * server_cpu / wall
        # CPU per delivered message: what a saturated 2-core box runs out of first, and far
        # less sensitive to other people's load than a latency percentile.
        result.server_us_per_msg = 1e6 * server_cpu / (screens * args.events)
        per_client = [
            100 * (_cpu_seconds([p]) - c0) / wall for p, c0 in zip(client_procs, cpu0[1], strict=True)
        ]
        result.clients_cpu_pct = sum(per_client)
        result.client_proc_max_pct = max(per_client)
        result.publisher_cpu_pct = 100 * (_cpu_seconds([me]) - cpu0[2]) / wall
        result.publish_lag_max_ms = max(lags) / 1e6
        result.rate_achieved = (len(sent_times) - 1) / max(1e-9, (max(sent_times) - min(sent_times)) / 1e9)
        result.post_p99_ms = percentile(sorted(rtts), 0.99) / 1e6

        stop.set()
        answers: list[WorkerResult] = []
        for _ in workers:
            answers.append(results_q.get(timeout=RESULT_TIMEOUT_S))
        errors = [a.error for a in answers if a.error]
        if errors:
            raise RuntimeError("; ".join(errors))
        latencies = sorted(lat for a in answers for lat in a.latencies_us)
        result.samples = len(latencies)
        result.p50_ms = percentile(latencies, 0.50) / 1000
        result.p99_ms = percentile(latencies, 0.99) / 1000
        result.max_ms = (latencies[-1] if latencies else 0) / 1000
        result.lost = sum(a.missing for a in answers)
        result.duplicates = sum(a.duplicates for a in answers)
        result.reordered = sum(a.reordered for a in answers)
        result.disconnects = sum(a.disconnects for a in answers)
        result.payload_bytes = max(a.payload_bytes for a in answers)
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {exc}"
        if server is not None and server.process.poll() is not None:
            result.error += f"\n{target} exited with {server.process.returncode}; log:\n{server.log_tail()}"
    finally:
        stop.set()
        for worker in workers:
            worker.join(RESULT_TIMEOUT_S)
            if worker.is_alive():
                worker.terminate()
                worker.join(5)
        if server is not None:
            server.stop()
    return result


def _verdict(r: RunResult, node_p99: float | None) -> str:
    if r.error:
        return "ERROR"
    problems = []
    if r.lost or r.duplicates or r.reordered:
        problems.append("loss" if r.lost else "dups" if r.duplicates else "order")
    if r.p99_ms > TARGET_P99_MS:
        problems.append(f">{TARGET_P99_MS:.0f}ms")
    if node_p99 and r.p99_ms > node_p99 and not r.target.startswith("node"):
        problems.append(">node")
    return "ok" if not problems else ",".join(problems)


def print_table(results: list[RunResult]) -> None:
    w = max(24, *(len(r.target) + 2 for r in results))
    header = (
        f"{'target':<{w}}{'N':>5}{'bytes':>7}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'lost':>6}{'dup':>5}{'ord':>5}"
        f"{'srv%':>6}{'µs/msg':>7}{'cli%':>6}{'cli1%':>6}{'pub%':>6}{'mach%':>6}{'load1':>6}{'rate':>6}{'POST99':>7}{'p99/node':>9}  verdict"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        node = next(
            (x for x in results if x.target == "node" and x.screens == r.screens and x.round == r.round), None
        )
        node_p99 = node.p99_ms if node and not node.error else None
        if r.error:
            print(f"{r.target:<{w}}{r.screens:>5}  ERROR: {r.error.splitlines()[0]}")
            continue
        ratio = f"{r.p99_ms / node_p99:.2f}" if node_p99 else "-"
        print(
            f"{r.target:<{w}}{r.screens:>5}{r.payload_bytes:>7}{r.p50_ms:>8.1f}{r.p99_ms:>8.1f}{r.max_ms:>8.1f}"
            f"{r.lost:>6}{r.duplicates:>5}{r.reordered:>5}{r.server_cpu_pct:>6.0f}{r.server_us_per_msg:>7.1f}{r.clients_cpu_pct:>6.0f}"
            f"{r.client_proc_max_pct:>6.0f}{r.publisher_cpu_pct:>6.0f}{r.machine_cpu_pct:>6.0f}{r.load1:>6.2f}"
            f"{r.rate_achieved:>6.1f}{r.post_p99_ms:>7.1f}{ratio:>9}  {_verdict(r, node_p99)}"
        )
    notes = []
    for r in results:
        if r.error:
            notes.append(f"{r.target} N={r.screens}: {r.error}")
            continue
        if r.client_proc_max_pct > SATURATED_PCT:
            notes.append(
                f"{r.target} N={r.screens}: a client process used {r.client_proc_max_pct:.0f}% of a core: "
                "the load generator may be the bottleneck (add --procs or cores)"
            )
        if r.rate_achieved < 0.95 * r.rate:
            notes.append(
                f"{r.target} N={r.screens}: published at {r.rate_achieved:.1f}/s, short of {r.rate:g}/s "
                f"(lagged up to {r.publish_lag_max_ms:.0f} ms): a lighter load than asked; add --publishers"
            )
        if r.machine_cpu_pct > SATURATED_PCT:
            notes.append(
                f"{r.target} N={r.screens}: the machine was {r.machine_cpu_pct:.0f}% busy "
                f"({psutil.cpu_count()} cores): latencies include waiting for a CPU"
            )
    for note in notes:
        print(f"  note: {note}")


def print_summary(results: list[RunResult]) -> None:
    """Median p50 / p99 / max per target and N across rounds, and the p99 against Node's median."""
    ok = [r for r in results if not r.error]
    keys = sorted(dict.fromkeys((r.screens, r.target) for r in ok), key=lambda k: k[0])  # stable: run order
    w = max(24, *(len(r.target) + 2 for r in results))
    print(
        f"\nmedian over rounds\n{'target':<{w}}{'N':>5}{'runs':>5}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}"
        f"{'lost':>6}{'µs/msg':>7}{'p99/node':>9}"
    )
    for screens, target in keys:
        runs = [r for r in ok if r.screens == screens and r.target == target]
        node_runs = [r.p99_ms for r in ok if r.screens == screens and r.target == "node"]
        p99 = statistics.median(r.p99_ms for r in runs)
        ratio = f"{p99 / statistics.median(node_runs):.2f}" if node_runs else "-"
        print(
            f"{target:<{w}}{screens:>5}{len(runs):>5}{statistics.median(r.p50_ms for r in runs):>8.1f}{p99:>8.1f}"
            f"{statistics.median(r.max_ms for r in runs):>8.1f}{sum(r.lost for r in runs):>6}"
            f"{statistics.median(r.server_us_per_msg for r in runs):>7.1f}{ratio:>9}"
        )


def wait_for_quiet(max_busy_pct: float, timeout_s: float) -> float:
    """Wait (up to a deadline) until the machine is under ``max_busy_pct`` busy over one second.

    The machine is shared: a run that starts while someone else's build owns
    the CPUs measures their build.  Returns the last busy share seen.
    """
    deadline = time.monotonic() + timeout_s
    busy = psutil.cpu_percent(interval=1.0)
    while busy > max_busy_pct and time.monotonic() < deadline:
        busy = psutil.cpu_percent(interval=1.0)
    return float(busy)


def _write_json(path: Path, results: list[RunResult]) -> None:
    meta = {"argv": sys.argv, "cores": psutil.cpu_count(), "python": platform.python_version()}
    path.write_text(json.dumps({"meta": meta, "runs": [asdict(r) for r in results]}, indent=1))


def _default_targets() -> str:
    if (REPO / "server" / "__main__.py").exists():
        return "node,server:gevent,server:eventlet,server:threading"
    return "node,mini:gevent,mini:eventlet,mini:threading"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--targets", default=_default_targets(), help="comma-separated; see bench/fanout_targets.py"
    )
    parser.add_argument("--screens", default="20,200", help="comma-separated screen counts N")
    parser.add_argument("--rate", type=float, default=50.0, help="events per second R")
    parser.add_argument("--events", type=int, default=500, help="events per run (the run stops by itself)")
    parser.add_argument("--warmup", type=int, default=25, help="first events count for losses, not latency")
    parser.add_argument(
        "--publishers", type=int, default=4, help="publisher threads, one keep-alive connection each"
    )
    parser.add_argument("--procs", type=int, default=4, help="client processes the screens are spread over")
    parser.add_argument(
        "--payload", choices=get_args(Payload), default="alert", help="alert (light) or order (~1 KB)"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="repeat the whole matrix; a median table follows"
    )
    parser.add_argument(
        "--drain", type=float, default=15.0, help="seconds to wait for stragglers after the last event"
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="PCT",
        help="before each run, wait until the machine is under PCT%% busy (0 = do not wait)",
    )
    parser.add_argument(
        "--wait-idle-timeout", type=float, default=300.0, help="seconds --wait-idle waits at most"
    )
    parser.add_argument("--node-dir", default=str(Path(tempfile.gettempdir()) / "fanout-node"))
    parser.add_argument("--json", dest="json_out", help="also write every run as JSON here")
    args = parser.parse_args(argv)
    if args.warmup >= args.events:
        parser.error("--warmup must be smaller than --events")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Stop cleanly (servers and client processes we started) on SIGTERM, and on Ctrl-C
    # even when started in the background, where the shell ignores SIGINT.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    screen_counts = [int(n) for n in args.screens.split(",")]
    print(
        f"fan-out: targets={targets} N={screen_counts} R={args.rate:g}/s events={args.events} "
        f"(warm-up {args.warmup}) payload={args.payload} procs={args.procs} rounds={args.rounds}\n"
        f"machine: {psutil.cpu_count()} cores, load {os.getloadavg()}, python {platform.python_version()}",
        flush=True,
    )
    results: list[RunResult] = []
    with tempfile.TemporaryDirectory(prefix="fanout-") as tmp:
        for round_no in range(1, args.rounds + 1):
            for screens in screen_counts:
                for target in targets:
                    if args.wait_idle:
                        busy = wait_for_quiet(args.wait_idle, args.wait_idle_timeout)
                        print(f"machine {busy:.0f}% busy before the run", flush=True)
                    print(f"round {round_no}: {target} N={screens} ...", flush=True)
                    result = run_one(args, round_no, target, screens, Path(tmp))
                    results.append(result)
                    if args.json_out:  # after every run, so an interrupted session keeps what it measured
                        _write_json(Path(args.json_out), results)
                    print(
                        f"  p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, max {result.max_ms:.1f} ms, "
                        f"lost {result.lost}, load {result.load1:.2f}"
                        + (f"  ERROR {result.error}" if result.error else ""),
                        flush=True,
                    )
            print()
            print_table([r for r in results if r.round == round_no])
    if args.rounds > 1:
        print_summary(results)
    failed = [r for r in results if r.error or r.lost or r.duplicates]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
