"""``kiosk-server run``: the hub on a production WSGI server.

gevent's pywsgi is the default (measured fastest that is still maintained;
see bench/); eventlet and threading are there so the benchmark can compare.
The threading mode runs Werkzeug's development server: for comparison only.
"""

# ruff: noqa: PLC0415 (nothing may be imported before the monkey-patching)

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
from typing import Any

log = logging.getLogger("server.api")


def patch_for(async_mode: str) -> None:
    """Monkey-patch the standard library first, as Flask-SocketIO's deployment docs require."""
    if async_mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
        # python-engineio prefers gevent-websocket whenever it is importable; we serve
        # websockets with simple-websocket on every install (maintained; as fast or
        # faster in bench/fanout.py, see docs/benchmarks.md), so hide the other one.
        sys.modules["geventwebsocket"] = None  # type: ignore[assignment]
    elif async_mode == "eventlet":
        import eventlet  # type: ignore[import-untyped]

        eventlet.monkey_patch()


def run(args: argparse.Namespace) -> int:
    from server.app import create_app, device_count
    from server.db import DatabaseUnavailableError
    from server.logs import setup_logging

    setup_logging(args.log_level)
    from server.auth import admin_token_problem

    problem = admin_token_problem(os.environ.get("KIOSK_ADMIN_TOKEN") or None)
    if problem is not None:
        log.error("%s", problem)
        return 2
    from server.devices_cli import target_of

    target = target_of(args)
    if args.message_queue and target.url is None:
        log.error(
            "--message-queue joins server processes that share one PostgreSQL database: add --database-url "
            "(an SQLite file belongs to one process)"
        )
        return 2
    config = _config_from(args, target)
    _raise_open_file_limit()
    from server.cluster import ClusterUnavailableError, start_background

    try:
        app, socketio = create_app(config)
    except (DatabaseUnavailableError, ClusterUnavailableError) as exc:  # one line, not a traceback
        log.error("%s", exc)
        return 2
    from server.revocation import start_revocation_sweeper
    from server.state import server_state

    state = server_state(app)
    if state.cluster is not None:
        start_background(socketio, state.cluster, config)
    start_revocation_sweeper(socketio, state.hub, state.connections, args.revocation_check)
    from server.live_panel import start_rate_sampler

    start_rate_sampler(socketio, state.hub, state.seq_rate)
    from server.stale_orders import ClosingTime, start_stale_sweeper

    closing = None if config.closing_time is None else ClosingTime(config.closing_time)
    start_stale_sweeper(socketio, state.hub, config.auto_close_after_s, closing)
    from server.checkpointer import start_checkpointer, stop_storage

    state.run_blocking = run_blocking = _blocking_runner(args.async_mode)
    checkpointer = (
        None if target.url else start_checkpointer(socketio, state.hub, config.db_path, run_blocking)
    )
    log.info(
        "listening on http://%s:%d (db %s, async mode %s, %d device(s), keeping the last %d events)",
        args.host,
        args.port,
        target.describe(),
        args.async_mode,
        device_count(app),
        config.retention_events,
    )
    if args.async_mode == "gevent":
        _serve_gevent(app, args.host, args.port, _http_limits(args, behind_proxy=config.behind_proxies > 0))
    elif args.async_mode == "eventlet":
        socketio.run(app, host=args.host, port=args.port, log_output=False)
    else:
        print("threading mode runs Werkzeug's development server: for comparison only", file=sys.stderr)
        socketio.run(app, host=args.host, port=args.port, allow_unsafe_werkzeug=True, log_output=False)
    stop_storage(state.hub, checkpointer)  # WAL emptied into the file, connections closed
    log.info("stopped")
    return 0


def _config_from(args: argparse.Namespace, target: Any) -> Any:
    """The command line as a ServerConfig (settings not given keep their defaults)."""
    from server.config import DEFAULT_RETENTION_EVENTS, ServerConfig, default_db_path

    db_path = target.path or default_db_path()
    config = ServerConfig(
        db_path=db_path,
        database_url=target.url,
        message_queue=args.message_queue,
        behind_proxies=max(0, args.behind_proxy),
        admin_token=os.environ.get("KIOSK_ADMIN_TOKEN") or None,
        async_mode=args.async_mode,
        retention_events=args.retention_events or DEFAULT_RETENTION_EVENTS,
    )
    if args.recall_window is not None:
        config.recall_window_s = args.recall_window
    if args.max_socket_queue_bytes is not None:
        config.max_socket_queue_bytes = args.max_socket_queue_bytes
    if args.auto_close_after is not None:
        config.auto_close_after_s = args.auto_close_after * 60 if args.auto_close_after > 0 else None
    config.closing_time = args.closing_time
    if args.large_reads_burst is not None:
        config.large_reads_burst = args.large_reads_burst
    if args.large_reads_per_minute is not None:
        config.large_reads_per_minute = args.large_reads_per_minute
    return config


def _http_limits(args: argparse.Namespace, *, behind_proxy: bool = False) -> Any:
    """The connection limits; behind a balancer every connection comes from its address, so the
    per-address cap is off unless it is given (the failed-login limit still sees each screen)."""
    from server.config import HttpLimits

    defaults = HttpLimits()
    per_address = defaults.max_connections_per_address
    if behind_proxy and args.max_connections_per_address is None:
        per_address = 0
        log.info("behind a proxy: no per-address connection cap (every connection comes from the balancer)")
    return HttpLimits(
        header_timeout_s=_given(args.header_timeout, defaults.header_timeout_s),
        keepalive_timeout_s=_given(args.keepalive_timeout, defaults.keepalive_timeout_s),
        max_connections_per_address=_given(args.max_connections_per_address, per_address),
    )


def _given(value: Any, default: Any) -> Any:
    return default if value is None else value


def _raise_open_file_limit() -> None:
    """Lift the soft open-file limit to the hard one: each connection is a file descriptor.

    Outside systemd (whose unit sets LimitNOFILE) the soft limit is often 1024;
    at that limit the server stops accepting anyone.  Raising the soft limit up
    to the hard one needs no privilege.
    """
    try:
        import resource
    except ImportError:  # Windows: no such limit
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
    log.info("open-file limit %d (each connection takes one)", soft)


def _blocking_runner(async_mode: str) -> Any:
    """How this async mode runs a blocking call without stalling every connection."""
    if async_mode == "gevent":
        import gevent

        return gevent.get_hub().threadpool.apply
    if async_mode == "eventlet":
        from eventlet import tpool

        return tpool.execute
    return lambda call: call()  # threading: background tasks are threads already


def _serve_gevent(app: Any, host: str, port: int, limits: Any) -> None:
    import gevent
    from gevent import pywsgi

    from server.http_guard import guarded_handler

    log.info(
        "websockets served by simple-websocket on gevent's pywsgi; requests must arrive within %g s, "
        "idle keep-alive closed after %g s, at most %s connections per address",
        limits.header_timeout_s,
        limits.keepalive_timeout_s,
        limits.max_connections_per_address or "any number of",
    )
    server = pywsgi.WSGIServer(
        (host, port), app, handler_class=guarded_handler(limits), log=None, error_log=log
    )

    def stop() -> None:
        log.info("SIGTERM: stopping")
        server.stop(timeout=2)

    gevent.signal_handler(signal.SIGTERM, stop)
    gevent.signal_handler(signal.SIGINT, stop)
    server.serve_forever()
