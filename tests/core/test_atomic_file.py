"""Whole-file replacement: old or new content, never half, durable, with the final permissions from the start."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import kiosk
from kiosk.core.atomic_file import replace_file
from tests.support.source_scan import calls_where, method_name, receiver_name


def test_the_content_is_replaced_with_the_mode_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "kiosk.toml"
    replace_file(path, b"token = 'old'\n", mode=0o600)
    replace_file(path, [b"token = ", b"'new'\n"], mode=0o600)
    assert path.read_bytes() == b"token = 'new'\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(path.parent.iterdir()) == [path]  # no temporary left


def test_a_failed_write_keeps_the_old_content_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "actions-display.jsonl"
    replace_file(path, b"old\n")

    def chunks() -> Iterator[bytes]:
        yield b"half of the new"
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        replace_file(path, chunks())
    assert path.read_bytes() == b"old\n"
    assert list(tmp_path.iterdir()) == [path]


def test_the_file_is_on_disk_before_it_takes_the_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The power-cut case: fsync of the temporary must come before the rename (one writer of five did it)."""
    steps: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (steps.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (steps.append("replace"), real_replace(a, b))[1])
    replace_file(tmp_path / "state-display.json", b'{"seq": 7}')
    assert steps == ["fsync", "replace"]


def test_every_whole_file_write_of_the_kiosk_goes_through_the_helper() -> None:
    """One writer, not five: a new os.replace elsewhere would skip the fsync and the permissions."""
    callers = calls_where(
        Path(kiosk.__file__).parent,
        lambda call: receiver_name(call) == "os" and method_name(call) in ("replace", "rename"),
    )
    assert [where.split(":")[0] for where in callers] == ["core/atomic_file.py"]
