"""The PostgreSQL side of server/database.py and ``db upgrade``, against a real throwaway server."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from server import db
from server.database import (
    DatabaseTarget,
    IntegrityError,
    OperationalError,
    in_list,
    redact,
    to_psycopg,
)
from server.schema import open_database, upgrade_database


def test_placeholders_become_psycopgs_and_percent_signs_survive() -> None:
    assert to_psycopg("SELECT ? WHERE a = ?") == "SELECT %s WHERE a = %s"
    assert to_psycopg("x = :room AND y = :after") == "x = %(room)s AND y = %(after)s"
    assert to_psycopg("SELECT 10 % 3, '{}'::json WHERE a = ?") == "SELECT 10 %% 3, '{}'::json WHERE a = %s"


def test_an_empty_in_list_matches_nothing_instead_of_failing() -> None:
    assert in_list([]) == ("(NULL)", [])
    assert in_list([3, 1]) == ("(?, ?)", [3, 1])


def test_passwords_never_reach_a_message() -> None:
    assert redact("postgresql://kiosk:s3cret@db:5432/kiosk") == "postgresql://kiosk:***@db:5432/kiosk"
    assert redact("postgresql://kiosk@db/kiosk") == "postgresql://kiosk@db/kiosk"
    assert DatabaseTarget(url="postgresql://a:b@h/d").describe() == "postgresql://a:***@h/d"


def test_rows_by_index_and_name_and_errors_under_sqlites_names(database_url: str) -> None:
    upgrade_database(DatabaseTarget(url=database_url))
    conn = open_database(DatabaseTarget(url=database_url))
    try:
        row = conn.execute("SELECT key, value FROM meta WHERE key = ?", ("schema_version",)).fetchone()
        assert row[0] == row["key"] == "schema_version" and row["value"] == str(db.SCHEMA_VERSION)
        with pytest.raises(IntegrityError):
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ("seq", "1"))
        with pytest.raises(OperationalError, match=r"lost|terminat|closed|connection"):
            conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        # The next statement outside a transaction connects again.
        assert conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()[0] == "0"
    finally:
        conn.close()


def test_a_database_without_the_schema_is_refused_with_the_command_to_run(database_url: str) -> None:
    with pytest.raises(db.SchemaError, match="db upgrade --database-url"):
        open_database(DatabaseTarget(url=database_url))


def test_a_bad_url_is_one_line_without_the_password() -> None:
    with pytest.raises(db.DatabaseUnavailableError) as raised:
        open_database(DatabaseTarget(url="postgresql://kiosk:s3cret@127.0.0.1:1/none"))
    assert "s3cret" not in str(raised.value) and "cannot connect" in str(raised.value)


def test_upgrades_at_once_run_one_after_the_other(database_url: str) -> None:
    results: list[str] = []
    errors: list[BaseException] = []

    def upgrade() -> None:
        try:
            results.append(upgrade_database(DatabaseTarget(url=database_url)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=upgrade) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sum("created the schema" in line for line in results) == 1, results
    assert sum("already at schema version" in line for line in results) == 3, results


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server", *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_the_cli_upgrades_then_manages_devices_on_postgresql(database_url: str) -> None:
    first = _cli("db", "upgrade", "--database-url", database_url)
    assert first.returncode == 0 and "created the schema" in first.stdout, first.stderr
    added = _cli(
        "devices", "add", "--database-url", database_url, "--name", "kitchen-2", "--rooms", "display"
    )
    assert added.returncode == 0, added.stderr
    listed = _cli("devices", "list", "--database-url", database_url)
    assert "kitchen-2\trooms=display" in listed.stdout
    revoked = _cli("devices", "revoke", "--database-url", database_url, "--name", "kitchen-2")
    assert revoked.returncode == 0 and "revoked" in revoked.stdout
    again = _cli("db", "upgrade", "--database-url", database_url)
    assert "already at schema version" in again.stdout


def test_run_refuses_an_empty_database_naming_db_upgrade(database_url: str) -> None:
    refused = _cli("run", "--port", "1", "--database-url", database_url)
    assert refused.returncode == 2
    assert "kiosk-server db upgrade --database-url" in refused.stderr + refused.stdout


def test_a_message_queue_needs_postgresql(tmp_path: Path) -> None:
    refused = _cli(
        "run", "--port", "1", "--db", str(tmp_path / "k.db"), "--message-queue", "redis://127.0.0.1:1/0"
    )
    assert refused.returncode == 2
    assert "add --database-url" in refused.stderr + refused.stdout


def test_db_upgrade_on_an_sqlite_file_says_what_it_did(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    made = _cli("db", "upgrade", "--db", str(path))
    assert made.returncode == 0 and f"created {path}" in made.stdout
    again = _cli("db", "upgrade", "--db", str(path))
    assert "already at schema version" in again.stdout
