"""JSON through orjson, for REST answers and for Socket.IO packets.

python-socketio takes a module-like ``json`` object whose ``dumps`` returns
``str``; orjson is several times faster than the standard library on the
order snapshots every event carries.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from flask import Response


class OrjsonModule:
    """The ``json=`` argument of python-socketio: dumps/loads with the stdlib's signatures."""

    @staticmethod
    def dumps(obj: Any, *args: Any, **kwargs: Any) -> str:
        try:
            return orjson.dumps(obj).decode()
        except orjson.JSONEncodeError:
            # orjson stops at 64-bit integers; the stdlib writes any (a Socket.IO peer on it may send them)
            return json.dumps(obj, separators=(",", ":"))

    @staticmethod
    def loads(text: str | bytes, *args: Any, **kwargs: Any) -> Any:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            # Clients on the stdlib encoder may send NaN/Infinity; decode them like python-socketio's
            # default would, so the handler can refuse the value with an ack instead of the packet
            # being dropped with a traceback.  Invalid JSON still raises.
            return json.loads(text)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status=status, mimetype="application/json", headers=headers)
