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
import socket
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
    from server.config import DEFAULT_RETENTION_EVENTS, ServerConfig, default_db_path
    from server.db import DatabaseUnavailableError
    from server.logs import setup_logging

    setup_logging(args.log_level)
    from server.auth import admin_token_problem

    problem = admin_token_problem(os.environ.get("KIOSK_ADMIN_TOKEN") or None)
    if problem is not None:
        log.error("%s", problem)
        return 2
    db_path = args.db or default_db_path()
    config = ServerConfig(
        db_path=db_path,
        admin_token=os.environ.get("KIOSK_ADMIN_TOKEN") or None,
        async_mode=args.async_mode,
        retention_events=args.retention_events or DEFAULT_RETENTION_EVENTS,
    )
    if args.recall_window is not None:
        config.recall_window_s = args.recall_window
    try:
        app, socketio = create_app(config)
    except DatabaseUnavailableError as exc:  # a newer schema, a read-only disk: one line, not a traceback
        log.error("%s", exc)
        return 2
    from server.revocation import start_revocation_sweeper

    start_revocation_sweeper(
        socketio,
        app.extensions["kiosk_hub"],
        app.extensions["kiosk_connections"],
        args.revocation_check,
    )
    from server.checkpointer import start_checkpointer

    start_checkpointer(socketio, app.extensions["kiosk_hub"], db_path, _blocking_runner(args.async_mode))
    log.info(
        "listening on http://%s:%d (db %s, async mode %s, %d device(s), keeping the last %d events)",
        args.host,
        args.port,
        db_path,
        args.async_mode,
        device_count(app),
        config.retention_events,
    )
    if args.async_mode == "gevent":
        _serve_gevent(app, args.host, args.port)
    elif args.async_mode == "eventlet":
        socketio.run(app, host=args.host, port=args.port, log_output=False)
    else:
        print("threading mode runs Werkzeug's development server: for comparison only", file=sys.stderr)
        socketio.run(app, host=args.host, port=args.port, allow_unsafe_werkzeug=True, log_output=False)
    log.info("stopped")
    return 0


def _blocking_runner(async_mode: str) -> Any:
    """How this async mode runs a blocking call without stalling every connection."""
    if async_mode == "gevent":
        import gevent

        return gevent.get_hub().threadpool.apply
    if async_mode == "eventlet":
        from eventlet import tpool

        return tpool.execute
    return lambda call: call()  # threading: background tasks are threads already


def _serve_gevent(app: Any, host: str, port: int) -> None:
    import gevent
    from gevent import pywsgi

    log.info("websockets served by simple-websocket on gevent's pywsgi")
    server = pywsgi.WSGIServer(
        (host, port), app, handler_class=_no_delay(pywsgi.WSGIHandler), log=None, error_log=log
    )

    def stop() -> None:
        log.info("SIGTERM: stopping")
        server.stop(timeout=2)

    gevent.signal_handler(signal.SIGTERM, stop)
    gevent.signal_handler(signal.SIGINT, stop)
    server.serve_forever()


def _no_delay(handler: Any) -> Any:
    """A handler that turns Nagle off on each connection, and rate-limits pywsgi's error lines.

    pywsgi sends the headers and the body in two writes; with Nagle on, the
    body then waits for the client's delayed ACK: 40 ms added to every
    keep-alive REST call (measured: 44 ms → 1 ms per request), and the same
    stall can hit websocket frames.
    """

    from server.packet_guard import malformed_requests

    class NoDelayHandler(handler):  # type: ignore[misc]
        def handle(self) -> None:
            with contextlib.suppress(OSError):
                self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().handle()

        def log_error(self, msg: str, *args: object) -> None:
            # "Invalid HTTP method" and friends: anyone can send them, so rate-limited, one line
            text = msg % args if args else msg
            malformed_requests.seen(self.client_address[0] if self.client_address else None, text)

    return NoDelayHandler
