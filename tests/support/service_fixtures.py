"""pytest fixtures for real PostgreSQL and Redis servers (loaded as a plugin by tests/conftest.py).

A machine without the servers skips these tests with the reason, so a laptop
without PostgreSQL still runs the rest; under CI (``CI=true``) the same is a
failure, so a CI image that lost its servers can never go silently green.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import NoReturn
from urllib.parse import urlsplit

import pytest

from tests.support.postgres_service import PostgresCluster
from tests.support.redis_service import RedisServer

EXTERNAL_DATABASE_ENV = "KIOSK_TEST_DATABASE_URL"


def missing_service(reason: str) -> NoReturn:
    """Skip for want of a service, or fail when ``CI`` is ``true`` (set by GitHub Actions, GitLab, …)."""
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{reason} (CI=true: a missing test service is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def _print_log_on_failure(request: pytest.FixtureRequest, title: str, tail: str) -> None:
    """The server's log next to a failed test's report (tests/conftest.py keeps ``rep_call``)."""
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(f"\n----- {title} -----\n{tail}")


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One cluster for the run (a start costs ~1 s, a database ~25 ms); or the server in
    ``KIOSK_TEST_DATABASE_URL`` if set, on which only databases are created and dropped."""
    external = os.environ.get(EXTERNAL_DATABASE_ENV)
    if external:
        if urlsplit(external).scheme not in ("postgresql", "postgres"):
            pytest.fail(f"{EXTERNAL_DATABASE_ENV} is not a postgresql:// URL: {external!r}", pytrace=False)
        cluster = PostgresCluster.attach(external)
        yield cluster
        cluster.stop()  # closes our admin connection; the server is not ours to stop
        return
    reason = PostgresCluster.available()
    if reason is not None:
        missing_service(reason)
    cluster = PostgresCluster()
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture
def database_url(postgres_cluster: PostgresCluster, request: pytest.FixtureRequest) -> Iterator[str]:
    """A new empty database per test, dropped afterwards (with FORCE: the test's connections may linger)."""
    url = postgres_cluster.create_database()
    yield url
    postgres_cluster.drop_database(urlsplit(url).path.lstrip("/"))
    _print_log_on_failure(request, "PostgreSQL log (tail)", postgres_cluster.log_tail())


@pytest.fixture
def redis_server(request: pytest.FixtureRequest) -> Iterator[RedisServer]:
    """A Redis per test (it starts in ~20 ms), since tests kill and restart it."""
    reason = RedisServer.available()
    if reason is not None:
        missing_service(reason)
    server = RedisServer()
    server.start()
    yield server
    _print_log_on_failure(request, "redis-server log (tail)", server.log_tail())  # stop() deletes it
    server.stop()
