"""Fixtures of the field tests: where their figures and logs are kept for a person to read."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.conftest import ARTIFACTS


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
