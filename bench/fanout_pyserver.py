"""A minimal Flask-SocketIO server that does exactly what the Node yardstick does.

``join`` (room, ack ``{ok: true}``) and ``POST /publish {room, event, data}``,
nothing else: no auth, no SQLite, no validation.  Benchmarked beside the real
server it separates what the framework and its async mode cost from what our
application adds, and it lets the levers (async mode, websocket
implementation, JSON encoder) be measured one at a time.

    python bench/fanout_pyserver.py PORT --async-mode gevent --ws simple --json orjson [--nagle]

The async mode's monkey patching must happen before anything else is
imported, hence the imports inside ``main``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

WS_CHOICES = ("auto", "simple", "gevent-websocket")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("port", type=int)
    parser.add_argument("--async-mode", choices=("gevent", "eventlet", "threading"), default="gevent")
    parser.add_argument(
        "--ws",
        choices=WS_CHOICES,
        default="auto",
        help="websocket implementation under gevent: auto = gevent-websocket if installed "
        "(what engineio itself does), simple = simple-websocket",
    )
    parser.add_argument(
        "--nagle",
        action="store_true",
        help="gevent: keep Nagle on (gevent's default). pywsgi sends headers and body in two writes, so a "
        "keep-alive REST call then waits ~40 ms for the peer's delayed ACK; by default the listener gets TCP_NODELAY",
    )
    parser.add_argument("--json", choices=("std", "orjson"), default="std", help="Socket.IO packet encoder")
    return parser.parse_args(argv)


class OrjsonForSocketIO:
    """The ``json`` module shape python-socketio/engineio call: ``dumps`` returns str, takes kwargs."""

    @staticmethod
    def dumps(obj: Any, **_kwargs: Any) -> str:
        import orjson

        return orjson.dumps(obj).decode()

    @staticmethod
    def loads(text: str | bytes, **_kwargs: Any) -> Any:
        import orjson

        return orjson.loads(text)


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    if args.async_mode == "gevent":
        if args.ws == "simple":
            # engineio picks gevent-websocket whenever it can import it; hide it.
            sys.modules["geventwebsocket"] = None  # type: ignore[assignment]
        from gevent import monkey

        monkey.patch_all()
    elif args.async_mode == "eventlet":
        import eventlet  # type: ignore[import-untyped]

        eventlet.monkey_patch()

    from flask import Flask, request
    from flask_socketio import SocketIO, join_room

    app = Flask("fanout-mini")
    json_module: Any = OrjsonForSocketIO if args.json == "orjson" else None
    sio = SocketIO(app, async_mode=args.async_mode, json=json_module, cors_allowed_origins="*")

    @app.post("/publish")
    def publish() -> dict[str, bool]:
        body = request.get_json(force=True)
        sio.emit(body["event"], body["data"], to=body["room"])
        return {"ok": True}

    @sio.on("join")  # type: ignore[untyped-decorator]
    def join(room: str) -> dict[str, bool]:
        join_room(room)
        return {"ok": True}

    print(f"fanout mini server: async_mode={args.async_mode} ws={args.ws} json={args.json}", flush=True)
    if args.async_mode == "gevent":
        from gevent import pywsgi

        handler: Any = pywsgi.WSGIHandler
        if args.ws != "simple":
            try:
                from geventwebsocket.handler import WebSocketHandler

                handler = WebSocketHandler
            except ImportError:
                pass
        import socket

        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if not args.nagle:  # accepted sockets inherit it on Linux
            listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        listener.bind(("127.0.0.1", args.port))
        listener.listen(1024)
        pywsgi.WSGIServer(listener, app, handler_class=handler, log=None).serve_forever()
    else:
        import logging

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log, like the others
        sio.run(app, host="127.0.0.1", port=args.port, log_output=False, allow_unsafe_werkzeug=True)


if __name__ == "__main__":
    main()
