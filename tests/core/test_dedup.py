"""The seen-ids set: bounded, persisted, and never fatal when its file is broken."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kiosk.core.dedup import SeenIds


def test_duplicates_are_reported_and_the_set_is_bounded() -> None:
    seen = SeenIds(max_size=3)
    assert seen.add("a") and not seen.add("a")
    for key in "bcd":
        seen.add(key)
    assert len(seen) == 3 and "a" not in seen and "d" in seen


def test_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "seen.jsonl"
    seen = SeenIds(path, max_size=100)
    seen.update(["e1", "e2", 'weird\n"id', "lone \ud800 surrogate"])
    seen.close()
    again = SeenIds(path, max_size=100)
    assert "e1" in again and 'weird\n"id' in again and "lone \ud800 surrogate" in again and len(again) == 4


def test_file_is_compacted_to_the_bound(tmp_path: Path) -> None:
    path = tmp_path / "seen.jsonl"
    seen = SeenIds(path, max_size=10)
    for n in range(100):
        seen.add(f"e{n}")
    seen.close()
    assert len(path.read_text().splitlines()) <= 20
    again = SeenIds(path, max_size=10)
    assert len(again) == 10 and "e99" in again and "e89" not in again


def test_corrupt_file_keeps_what_is_readable(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "seen.jsonl"
    path.write_bytes(b'"good"\n\xff\xfe garbage\n{"not": "a string"}\n"also-good"\n"torn')
    with caplog.at_level(logging.WARNING, logger="kiosk.sync"):
        seen = SeenIds(path)
    assert "good" in seen and "also-good" in seen and len(seen) == 2
    assert "3 unreadable line(s)" in caplog.text
    seen.close()
    assert SeenIds(path).__len__() == 2  # rewritten clean


def test_missing_file_and_unwritable_dir(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("")
    with caplog.at_level(logging.INFO, logger="kiosk.sync"):
        seen = SeenIds(blocker / "seen.jsonl")
        assert seen.add("x") and not seen.add("x")  # still filters in memory
    assert "starting empty" in caplog.text
    assert "cannot write seen-events file" in caplog.text
