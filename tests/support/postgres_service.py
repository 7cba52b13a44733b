"""A real, throwaway PostgreSQL server on a free loopback port, for tests.

Why a real server and not a mock: what a PostgreSQL backend gets wrong (locking,
transactions, types, ``max_connections``) only shows against PostgreSQL itself.
Why throwaway: each test run gets its own cluster under a temp dir, with fsync
and the like off, so it starts in about a second and leaves nothing behind.

Tests run as root in CI and postgres refuses to run as root, so the server's
programs run as the ``postgres`` OS user (``runuser``) whenever euid is 0.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, LiteralString
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:  # imported where used: without psycopg, available() says so instead of conftest failing
    import psycopg

_OWNER = "postgres"  # the OS user the server runs as when we are root
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_BIND_FAILED = ("could not bind", "Address already in use", "could not create any TCP/IP sockets")


def free_port() -> int:
    """A loopback port nobody listens on right now (the OS picks it, so it is free at this moment)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pg_bin_dir() -> Path | None:
    """``KIOSK_TEST_PG_BIN`` if set, else the newest ``/usr/lib/postgresql/*/bin`` (Debian's layout)."""
    configured = os.environ.get("KIOSK_TEST_PG_BIN")
    if configured:
        return Path(configured)
    versions = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if p.parent.name.isdigit()]
    return max(versions, key=lambda p: int(p.parent.name)) if versions else None


def _as_root() -> bool:
    return os.geteuid() == 0


class PostgresCluster:
    """``initdb`` + ``pg_ctl start`` in a temp dir; databases are made and dropped on demand.

    One cluster serves a whole test session and each test gets its own database
    (``create_database``), because a database costs milliseconds and a cluster a second.
    """

    host = "127.0.0.1"
    user = "kiosk"

    def __init__(self, base_dir: Path | None = None, *, durable: bool = False) -> None:
        self.base_dir = base_dir
        self.durable = durable  # fsync and synchronous commits on, as in production (the benchmarks)
        self.port = 0
        self._root: Path | None = None  # our temp dir: data/, sock/, postgres.log
        self._external: str | None = None  # the URL of a server we did not start (see ``attach``)
        self._admin: psycopg.Connection[tuple[object, ...]] | None = None
        self._lock = threading.Lock()  # the admin connection is shared; psycopg connections are not

    @classmethod
    def attach(cls, url: str) -> PostgresCluster:
        """A server somebody else runs (``KIOSK_TEST_DATABASE_URL``): databases on it, never stop it."""
        parts = urlsplit(url)
        cluster = cls()
        cluster._external = url
        cluster.host = parts.hostname or "localhost"
        cluster.port = parts.port or 5432
        cluster.user = parts.username or os.environ.get("PGUSER", "postgres")
        return cluster

    @staticmethod
    def available() -> str | None:
        """None if a cluster can be started here, else why not (so a fixture can skip with a reason)."""
        if importlib.util.find_spec("psycopg") is None:
            return "the psycopg package is not installed (pip install 'psycopg[binary]')"
        bin_dir = pg_bin_dir()
        if bin_dir is None:
            return "no PostgreSQL server binaries: no /usr/lib/postgresql/*/bin (set KIOSK_TEST_PG_BIN)"
        missing = [name for name in ("initdb", "pg_ctl", "postgres") if not (bin_dir / name).is_file()]
        if missing:
            return f"no {', '.join(missing)} in {bin_dir}"
        if _as_root():
            try:
                pwd.getpwnam(_OWNER)
            except KeyError:
                return f"running as root but there is no {_OWNER!r} OS user to run PostgreSQL as"
            if shutil.which("runuser") is None:
                return "running as root but there is no runuser to run PostgreSQL as another user"
        return None

    # -- lifecycle -------------------------------------------------------
    def start(self, timeout: float = 30) -> None:
        """initdb and start; fails with the server's log tail, so a CI failure says why."""
        if self._external is not None or self._root is not None:
            raise RuntimeError("this cluster is already started (or attached)")
        reason = self.available()
        if reason is not None:
            raise RuntimeError(f"cannot start PostgreSQL: {reason}")
        root = Path(tempfile.mkdtemp(prefix="kiosk-pg-", dir=self.base_dir))
        self._root = root
        atexit.register(self.stop)  # a run that ends without teardown still leaves no server behind
        try:
            root.chmod(0o755)  # the postgres user must reach data/ and write the log
            (root / "sock").mkdir()
            if _as_root():
                self._check_reachable(root)
                for path in (root, root / "sock"):
                    shutil.chown(path, _OWNER, _OWNER)
            initdb = ["initdb", "-N", "-A", "trust", "-U", self.user, "--encoding", "UTF8", "--locale", "C"]
            self._run([*initdb, "-D", str(root / "data")], timeout)
            for _attempt in range(3):  # another process may take the port between free_port() and bind
                self.port = free_port()
                try:
                    self._pg_ctl_start(timeout)
                    return
                except RuntimeError:
                    if not any(marker in self.log_tail(20) for marker in _BIND_FAILED):
                        raise
            raise RuntimeError(f"PostgreSQL could not bind a free port three times:\n{self.log_tail()}")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop at once (``-m immediate``: nothing to keep) and delete everything; safe to call twice."""
        with self._lock:
            if self._admin is not None:
                with contextlib.suppress(Exception):  # a broken connection: closing it is all we want
                    self._admin.close()
                self._admin = None
        root, self._root = self._root, None
        if root is None:
            return
        atexit.unregister(self.stop)
        data = root / "data"
        if (data / "postmaster.pid").exists():
            try:
                self._run(["pg_ctl", "stop", "-m", "immediate", "-w", "-D", str(data)], 15)
            except RuntimeError:  # pg_ctl could not stop it: the postmaster's pid is on the file's first line
                with contextlib.suppress(OSError, ValueError, IndexError):
                    os.kill(int((data / "postmaster.pid").read_text().split()[0]), signal.SIGKILL)
        shutil.rmtree(root, ignore_errors=True)

    @property
    def postmaster_pid(self) -> int | None:
        """The server's main process (its backends are its children), for CPU accounting in benchmarks."""
        if self._root is None:
            return None
        try:
            return int((self._root / "data" / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    # -- databases -------------------------------------------------------
    def url(self, database: str = "postgres") -> str:
        if self._external is not None:
            parts = urlsplit(self._external)
            return urlunsplit(parts._replace(path=f"/{database}"))
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """A new empty database and its URL; a unique name if none is given (tests may share a server)."""
        name = name or f"kiosk_test_{uuid.uuid4().hex[:12]}"
        # template0 is never connected to, so copying it cannot fail on "source database is being accessed";
        # PostgreSQL 15's default WAL_LOG strategy measured ~25 ms here, FILE_COPY (two checkpoints) ~40 ms.
        self._execute("CREATE DATABASE {} TEMPLATE template0", name)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop even while a test's connections are still open (FORCE), so teardown never hangs on them."""
        self._execute("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)

    def log_tail(self, lines: int = 40) -> str:
        if self._root is None or not (self._root / "postgres.log").exists():
            return "(no PostgreSQL log)"
        text = (self._root / "postgres.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    # -- internals -------------------------------------------------------
    @staticmethod
    def _valid(name: str) -> str:
        if not _NAME.fullmatch(name):
            raise ValueError(f"not a plain database name (lower case, digits, _): {name!r}")
        return name

    def _execute(self, template: LiteralString, name: str) -> None:
        """One autocommit connection for every CREATE/DROP: a new connection per call would cost more."""
        import psycopg
        from psycopg import sql

        statement = sql.SQL(template).format(sql.Identifier(self._valid(name)))
        with self._lock:
            if self._admin is None or self._admin.closed:
                if self._external is None and self._root is None:
                    raise RuntimeError("the cluster is not started")
                self._admin = psycopg.connect(self.url("postgres"), autocommit=True, connect_timeout=10)
            self._admin.execute(statement)

    def _pg_ctl_start(self, timeout: float) -> None:
        assert self._root is not None
        options = (
            f"-p {self.port} -k {self._root / 'sock'} -c listen_addresses={self.host} -c max_connections=300"
            + ("" if self.durable else " -F -c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        )
        data, log = str(self._root / "data"), str(self._root / "postgres.log")
        wait = str(max(1, round(timeout)))
        self._run(["pg_ctl", "-w", "-t", wait, "-D", data, "-o", options, "-l", log, "start"], timeout + 5)

    def _run(self, argv: list[str], timeout: float) -> None:
        """A server program, as the postgres user when we are root; a failure carries its output and the log."""
        bin_dir = pg_bin_dir()
        assert bin_dir is not None
        command = [str(bin_dir / argv[0]), *argv[1:]]
        if _as_root():
            command = ["runuser", "-u", _OWNER, "--", *command]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(
                f"{argv[0]} took over {timeout:.0f} s\n--- log ---\n{self.log_tail()}"
            ) from exc
        if done.returncode != 0:
            raise RuntimeError(
                f"{argv[0]} failed (exit {done.returncode}): {done.stdout}{done.stderr}\n"
                f"--- log ---\n{self.log_tail()}"
            )

    @staticmethod
    def _check_reachable(root: Path) -> None:
        """The postgres user needs search (x) on every parent; say so rather than let initdb fail obscurely."""
        for parent in root.parents:
            if parent.stat().st_mode & 0o001 == 0:
                raise RuntimeError(
                    f"{parent} is not searchable by the {_OWNER!r} user; pass another base_dir"
                )
