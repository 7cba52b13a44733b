from __future__ import annotations

from kiosk.core.formatting import format_elapsed, format_rupiah


def test_rupiah_uses_dots_for_thousands() -> None:
    assert format_rupiah(50000) == "Rp 50.000"
    assert format_rupiah(0) == "Rp 0"
    assert format_rupiah(1234567) == "Rp 1.234.567"
    assert format_rupiah(-15000) == "-Rp 15.000"


def test_elapsed() -> None:
    assert format_elapsed(45) == "0:45"
    assert format_elapsed(723) == "12:03"
    assert format_elapsed(3753) == "1:02:33"
    assert format_elapsed(-3) == "0:00"
