"""The app factory: Flask + Socket.IO + the hub, usable in-process and by ``run``."""

from __future__ import annotations

import logging

from flask import Flask, request
from flask_socketio import SocketIO
from werkzeug.exceptions import NotFound
from werkzeug.middleware.proxy_fix import ProxyFix

from kiosk.protocol.requests import MAX_BODY_BYTES
from server import auth, db
from server.auth_throttle import FailedAuthLimiter
from server.broadcast import Broadcaster
from server.cluster import attach, client_manager
from server.command_routes import commands_api
from server.config import MAX_SOCKET_MESSAGE_BYTES, PING_INTERVAL_S, PING_TIMEOUT_S, ServerConfig
from server.console_routes import console, favicon
from server.device_routes import devices_api
from server.errors import register_error_handlers
from server.hub import Hub
from server.jsonio import OrjsonModule
from server.packet_guard import guard_packets
from server.pairing_routes import pairing_api
from server.routes import api
from server.schema import open_database
from server.sequencer import Part
from server.sockets import Connections, register_socket_handlers
from server.state import ServerState, install, server_state
from server.web import identify, prune_idempotency

log = logging.getLogger("server.api")


def create_app(config: ServerConfig) -> tuple[Flask, SocketIO]:
    manager = client_manager(config)  # before anything is opened: a missing extra is one line
    conn = open_database(config.database)
    with db.transaction(conn):
        auth.ensure_admin_token(conn, config.admin_token)

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.json.sort_keys = False  # type: ignore[attr-defined]

    socketio = SocketIO(
        app,
        async_mode=config.async_mode,
        json=OrjsonModule,
        max_http_buffer_size=MAX_SOCKET_MESSAGE_BYTES,
        ping_interval=PING_INTERVAL_S,
        ping_timeout=PING_TIMEOUT_S,
        logger=False,
        engineio_logger=False,
        **({} if manager is None else {"client_manager": manager}),
    )
    guard_packets(socketio.server)
    hub = Hub(conn, config.clock, retention_events=config.retention_events)
    broadcaster = Broadcaster(socketio, config.max_socket_queue_bytes)
    if config.async_mode == "gevent":
        broadcaster.serve_websockets()

    def emit(_seq: int, parts: list[Part]) -> None:
        # One emit per event: encoded and framed once, each socket once even if it is in several rooms.
        for name, envelope, rooms in parts:
            broadcaster.emit(name, envelope, rooms)

    hub.emitter = emit
    with hub.write() as tx:
        prune_idempotency(tx)

    connections = Connections()
    cluster = None
    if config.database_url is not None:
        if manager is not None:  # python-socketio starts a manager at the first connection: now, here
            socketio.server.manager_initialized = True
            manager.initialize()
        cluster = attach(
            socketio, hub, broadcaster=broadcaster, connections=connections, config=config, manager=manager
        )
    auth_limiter = FailedAuthLimiter(config.clock)
    install(
        app,
        ServerState(
            config=config,
            hub=hub,
            connections=connections,
            auth_limiter=auth_limiter,
            broadcaster=broadcaster,
            started=config.clock.monotonic(),
            cluster=cluster,
        ),
    )
    app.before_request(refuse_encoded_slashes)  # first: nothing else runs for such a path
    app.before_request(identify)
    app.register_blueprint(api)
    app.register_blueprint(devices_api)
    app.register_blueprint(pairing_api)
    app.register_blueprint(commands_api)
    app.register_blueprint(console)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
    register_error_handlers(app)
    register_socket_handlers(socketio, hub, connections, auth_limiter, server_state(app).refusals)
    if config.behind_proxies:
        # Outside Flask-SocketIO's middleware, so Socket.IO's requests get the screen's address too.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=config.behind_proxies, x_proto=config.behind_proxies
        )
    return app, socketio


# The raw request target, as each server we run on names it (PATH_INFO is already decoded).
_RAW_TARGET_KEYS = ("RAW_URI", "REQUEST_URI", "RAW_PATH_INFO")  # gevent (ours) / werkzeug, uWSGI, eventlet
_ENCODED_SEPARATORS = ("%2f", "%5c")


def refuse_encoded_slashes() -> None:
    """404 for a path with a percent-encoded slash or backslash (``%2F``, ``%5C``) in it.

    The WSGI servers put the *decoded* path in PATH_INFO, so ``/api%2Forders``
    was routed as ``/api/orders`` and ``/api/orders/1%2F..%2Fpayments`` as
    ``/api/orders/1/../payments``: an encoded slash inside one path segment
    reached another route.  No route of ours has a slash inside a segment, so
    such a request is answered as an unknown endpoint.  Only the path counts;
    the query string (Socket.IO's ``?EIO=4&sid=...``) may hold anything.
    """
    environ = request.environ
    raw = next((environ[key] for key in _RAW_TARGET_KEYS if environ.get(key)), "")
    path = str(raw).split("?", 1)[0].lower()
    if any(separator in path for separator in _ENCODED_SEPARATORS):
        raise NotFound()


def device_count(app: Flask) -> int:
    hub = server_state(app).hub
    with hub.read() as conn:
        return auth.count_devices(conn)
