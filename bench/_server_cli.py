"""The command lines that start our server and make its device tokens, for benches that spawn it themselves.

Most benches use ``tests.support.server_process.ServerProcess``; the ones
that must choose the working directory of each call (``--server-dir`` /
``server:<mode>@DIR``: the server package is taken from the cwd, so a scratch
copy of another tree can be measured), their own log file or their own wait,
build the argv here, so that every bench starts the server the same way.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path


def server_run_argv(port: int, db: Path, *extra: str) -> list[str]:
    """``python -m server run`` on loopback ``port`` with the SQLite file ``db``."""
    return [
        sys.executable,
        "-m",
        "server",
        "run",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--db",
        str(db),
        *extra,
    ]


def devices_add_argv(db: Path, name: str, rooms: Sequence[str]) -> list[str]:
    """``python -m server devices add``: the token is the last line of its stdout."""
    return [
        sys.executable,
        "-m",
        "server",
        "devices",
        "add",
        "--db",
        str(db),
        "--name",
        name,
        "--rooms",
        ",".join(rooms),
    ]
