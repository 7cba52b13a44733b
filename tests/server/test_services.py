"""The throwaway PostgreSQL and Redis servers the storage tests stand on, tested themselves.

If these fixtures lied (a database shared between tests, a "killed" Redis still
answering, a restart on another port), the tests built on them would pass for
the wrong reasons; so each promise is checked against the real servers here.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
import redis

from tests.support.postgres_service import PostgresCluster
from tests.support.redis_service import RedisServer
from tests.support.service_fixtures import missing_service


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


# -- skip or fail ------------------------------------------------------------
def test_missing_service_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no redis-server"):
        missing_service("no redis-server")


@pytest.mark.parametrize("value", ["false", "0", ""])
def test_missing_service_skips_when_ci_is_not_true(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception):
        missing_service("no PostgreSQL")


@pytest.mark.parametrize("value", ["true", "TRUE", "True"])
def test_missing_service_fails_under_ci(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="no PostgreSQL"):
        missing_service("no PostgreSQL")


def test_available_names_what_is_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KIOSK_TEST_PG_BIN", str(tmp_path))
    reason = PostgresCluster.available()
    assert reason is not None
    assert "initdb" in reason
    assert str(tmp_path) in reason
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("tests.support.redis_service._FALLBACK_BINARY", tmp_path / "redis-server")
    assert "redis-server" in (RedisServer.available() or "")


# -- PostgreSQL ----------------------------------------------------------------
def test_cluster_accepts_connections(postgres_cluster: PostgresCluster) -> None:
    assert postgres_cluster.url().startswith(f"postgresql://{postgres_cluster.user}@127.0.0.1:")
    with psycopg.connect(postgres_cluster.url(), connect_timeout=5) as conn:
        row = conn.execute("SELECT current_user, version()").fetchone()
    assert row is not None
    assert row[0] == postgres_cluster.user
    assert "PostgreSQL" in row[1]


def test_databases_are_independent(postgres_cluster: PostgresCluster) -> None:
    first, second = postgres_cluster.create_database(), postgres_cluster.create_database()
    try:
        assert first != second
        with psycopg.connect(first, autocommit=True) as conn:
            conn.execute("CREATE TABLE orders (id int PRIMARY KEY)")
            conn.execute("INSERT INTO orders VALUES (1)")
        with psycopg.connect(second, autocommit=True) as conn:
            tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
            assert tables == (0,)
            conn.execute("CREATE TABLE orders (id int PRIMARY KEY)")  # the same name: no clash
        with psycopg.connect(first) as conn:
            assert conn.execute("SELECT id FROM orders").fetchall() == [(1,)]
    finally:
        postgres_cluster.drop_database(_name(first))
        postgres_cluster.drop_database(_name(second))


def test_drop_database_even_with_a_connection_open(postgres_cluster: PostgresCluster) -> None:
    url = postgres_cluster.create_database("kiosk_drop_me")
    assert url.endswith("/kiosk_drop_me")
    lingering = psycopg.connect(url)
    try:
        postgres_cluster.drop_database("kiosk_drop_me")
        with psycopg.connect(postgres_cluster.url()) as conn:
            rows = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'kiosk_drop_me'").fetchall()
        assert rows == []
        with pytest.raises(psycopg.OperationalError, match="does not exist"):
            psycopg.connect(url, connect_timeout=5).close()
    finally:
        lingering.close()
    postgres_cluster.drop_database("kiosk_drop_me")  # already gone: teardown must not fail on that


def test_database_names_are_checked(postgres_cluster: PostgresCluster) -> None:
    with pytest.raises(ValueError, match="plain database name"):
        postgres_cluster.create_database('x"; DROP DATABASE postgres; --')


def test_database_url_fixture_is_empty_and_writable(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)
        conn.execute("CREATE TABLE t (v text)")
        conn.execute("INSERT INTO t VALUES ('ä漢')")  # UTF8, as initdb was told
        assert conn.execute("SELECT v FROM t").fetchone() == ("ä漢",)


def test_own_cluster_starts_and_stops_cleanly() -> None:
    """A second cluster of its own: start, stop twice, nothing left (not even the port or the files)."""
    if reason := PostgresCluster.available():
        missing_service(reason)
    cluster = PostgresCluster()
    started = time.monotonic()
    cluster.start()
    took = time.monotonic() - started
    root = cluster._root
    assert root is not None
    assert root.is_dir()
    assert _listening(cluster.port)
    assert "ready to accept connections" in cluster.log_tail()
    cluster.stop()
    cluster.stop()
    assert not root.exists()
    assert not _listening(cluster.port)
    assert took < 15, f"start took {took:.1f} s"


# -- Redis -----------------------------------------------------------------------
def test_redis_answers(redis_server: RedisServer) -> None:
    assert redis_server.running()
    assert redis_server.url == f"redis://127.0.0.1:{redis_server.port}/0"
    client = redis.Redis.from_url(redis_server.url)
    assert client.ping()
    client.set("order:1", "new")
    assert client.get("order:1") == b"new"
    client.close()


def test_redis_kill_and_restart_on_the_same_port(redis_server: RedisServer) -> None:
    port = redis_server.port
    client = redis_server.client()
    client.set("order:1", "new")
    redis_server.kill()
    assert not redis_server.running()
    assert not _listening(port)
    with pytest.raises(redis.ConnectionError):
        client.ping()
    redis_server.restart()
    assert redis_server.running()
    assert redis_server.port == port
    fresh = redis_server.client()
    assert fresh.ping()
    assert fresh.get("order:1") is None  # --save "": a crashed server comes back empty
    fresh.close()
    client.close()


def test_redis_restart_while_running_and_stop_twice() -> None:
    if reason := RedisServer.available():
        missing_service(reason)
    server = RedisServer()
    server.start()
    port = server.port
    server.restart()  # a running server is killed first
    assert server.port == port
    assert server.client().ping()
    server.stop()
    server.stop()
    assert not server.running()
    assert not _listening(port)
    server.restart()  # after stop too: same port, a new temp dir
    try:
        assert server.port == port
        assert server.client().ping()
    finally:
        server.stop()


def test_redis_on_a_taken_port_fails_with_the_log(redis_server: RedisServer) -> None:
    """Given a port somebody else serves, start() must not mistake the other server's PONG for its own."""
    intruder = RedisServer(port=redis_server.port)
    try:
        with pytest.raises(RuntimeError, match="Address already in use"):
            intruder.start(timeout=1)
        assert not intruder.running()
    finally:
        intruder.stop()
    assert redis_server.client().ping()
