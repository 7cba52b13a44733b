"""Placeholders are filled in one pass: a value from the wire is never read as a placeholder itself."""

from __future__ import annotations

import ast
from pathlib import Path

import kiosk
from kiosk.ui.i18n import fill
from tests.support.source_scan import calls_where, method_name


def test_a_value_holding_a_placeholder_stays_as_it_came() -> None:
    # chained .replace("%1", ...).replace("%2", ...) gave "Order T1-why? was not changed: why?"
    assert fill("Order %1 was not changed: %2", "T1-%2", "why?") == "Order T1-%2 was not changed: why?"


def test_translators_may_reorder_placeholders_and_a_missing_value_leaves_the_placeholder() -> None:
    assert fill("%2 untuk pesanan %1", "T1-001", "Rp 15.000") == "Rp 15.000 untuk pesanan T1-001"
    assert fill("page %1 of %2", "1") == "page 1 of %2"


def test_no_screen_fills_placeholders_with_chained_replace() -> None:
    """Written once: every %N of the screens goes through ``fill``."""

    def placeholder_replace(call: ast.Call) -> bool:
        first = call.args[0] if call.args else None
        return (
            method_name(call) == "replace"
            and isinstance(first, ast.Constant)
            and isinstance(first.value, str)
            and first.value.startswith("%")
        )

    assert calls_where(Path(kiosk.__file__).parent / "ui", placeholder_replace) == []
