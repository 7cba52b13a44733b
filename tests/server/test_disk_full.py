"""A full disk is answered 507 ``storage_full`` with one log line per refusal, and the server recovers.

Real: the database lives on a 4 MiB tmpfs that a filler file fills up.  It
was a generic 500 with a traceback per request, which the screens could only
call "server error" while the log filled what little space was left.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server_process import ServerProcess, order_body

pytestmark = pytest.mark.sqlite_only("a full disk under the SQLite file")


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    where = tmp_path / "tiny"
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(where)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"a small filesystem cannot be mounted here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(disk: Path) -> Path:
    """Fill the filesystem to the last byte; returns the filler to delete for space."""
    filler = disk / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_answers_507_then_recovers(tiny_disk: Path, tmp_path: Path) -> None:
    log_path = tmp_path / "server.log"  # the log on the big disk: it must still say what happened
    server = ServerProcess(tiny_disk / "kiosk.db", log_path=log_path)
    server.start()
    try:
        assert server.request("POST", "/api/orders", json=order_body()).status_code == 201
        filler = fill(tiny_disk)
        answers = [server.request("POST", "/api/orders", json=order_body()) for _ in range(40)]
        refused = [answer for answer in answers if answer.status_code != 201]
        assert refused, "40 orders fit on a full disk?"
        assert {answer.status_code for answer in refused} == {507}, [a.text for a in refused[:3]]
        error = refused[0].json()["error"]
        assert error["code"] == "storage_full"
        assert "disk" in error["message"] and "full" in error["message"]
        log = log_path.read_text()
        assert "Traceback" not in log
        assert log.count("refused 507 storage_full") == len(refused)  # one line each, no more
        filler.unlink()
        after = server.request("POST", "/api/orders", json=order_body())
        assert after.status_code == 201, after.text
        assert server.request("GET", f"/api/orders/{after.json()['id']}").status_code == 200
    finally:
        server.stop()


def test_a_read_only_database_at_start_is_one_line_not_a_traceback(tiny_disk: Path, tmp_path: Path) -> None:
    server = ServerProcess(tiny_disk / "kiosk.db", log_path=tmp_path / "first.log")
    server.start()
    server.stop()
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], check=True)
    for command in (["run", "--port", "1"], ["devices", "list"]):
        done = subprocess.run(
            [sys.executable, "-m", "server", *command, "--db", str(tiny_disk / "kiosk.db")],
            capture_output=True,
            text=True,
            timeout=30,
            env={**os.environ, "KIOSK_ADMIN_TOKEN": server.admin_token},
            check=False,
        )
        output = done.stdout + done.stderr
        assert done.returncode == 2, output
        assert "Traceback" not in output
        lines = [line for line in output.splitlines() if "cannot open the database" in line]
        assert len(lines) == 1 and str(tiny_disk / "kiosk.db") in lines[0] and "not writable" in lines[0], (
            output
        )
