"""Several real server processes on one throwaway PostgreSQL database, optionally with a real Redis."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from tests.support.postgres_service import PostgresCluster
from tests.support.server_process import ServerProcess

ClusterFactory = Callable[..., list[ServerProcess]]


@pytest.fixture
def cluster_url(postgres_cluster: PostgresCluster) -> str:
    """A new database with the schema made by ``kiosk-server db upgrade`` (as an admin would)."""
    from tests.support.backend import new_database_url

    return new_database_url(postgres_cluster)


@pytest.fixture
def cluster(tmp_path: Path, cluster_url: str, request: pytest.FixtureRequest) -> Iterator[ClusterFactory]:
    """``cluster(n, queue=redis_url, env=…)``: n server processes on one database, started."""
    made: list[ServerProcess] = []

    def start(
        count: int,
        *,
        queue: str | None = None,
        extra_args: Sequence[str] = (),
        env: dict[str, str] | None = None,
        started: bool = True,
    ) -> list[ServerProcess]:
        processes = []
        for _ in range(count):
            index = len(made)
            args = [*(("--message-queue", queue) if queue else ()), *extra_args]
            process = ServerProcess(
                tmp_path / f"unused-{index}.db",
                database_url=cluster_url,
                extra_args=args,
                log_path=tmp_path / f"server-{index}.log",
                env=env,
            )
            made.append(process)
            processes.append(process)
        if started:
            for process in processes:
                process.start()
        return processes

    yield start
    for process in made:
        process.stop()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for index, process in enumerate(made):
            print(f"\n----- server {index} log ({process.log_path}) -----\n{process.log_tail(80)}")
