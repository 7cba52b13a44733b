"""The dark theme: bundled font, large type, a style sheet that really applies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QFontInfo, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from kiosk.ui import theme


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[QApplication]:
    font, sheet = qapp.font(), qapp.styleSheet()
    theme.apply_theme(qapp)
    yield qapp
    qapp.setStyleSheet(sheet)
    qapp.setFont(font)


def test_theme_uses_dejavu_at_a_size_readable_from_two_metres(themed: QApplication, qtbot) -> None:
    label = QLabel("Pesanan T1-004")
    qtbot.addWidget(label)
    info = QFontInfo(label.font())
    assert info.family() == "DejaVu Sans"
    assert info.pointSize() >= theme.BASE_POINT_SIZE


def test_style_sheet_makes_the_background_dark(themed: QApplication, qtbot) -> None:
    label = QLabel("x")
    qtbot.addWidget(label)
    label.ensurePolished()
    background = label.palette().color(QPalette.ColorRole.Window)
    assert background.lightness() < 40, background.name()
    assert label.palette().color(QPalette.ColorRole.WindowText).lightness() > 200


def test_role_property_selects_larger_type(themed: QApplication, qtbot) -> None:
    plain, title = QLabel("A"), QLabel("A")
    title.setProperty("role", "title")
    for label in (plain, title):
        qtbot.addWidget(label)
        label.ensurePolished()
    assert title.font().pointSize() > plain.font().pointSize()
    assert title.font().bold()


def test_bundled_font_files_are_present_with_their_licence() -> None:
    fonts = Path(theme.assets_dir()) / "fonts"
    for name in theme.FONT_FILES:
        assert (fonts / name).stat().st_size > 100_000
    assert "Bitstream" in (fonts / "LICENSE-DejaVu.txt").read_text()


def test_missing_style_sheet_leaves_a_working_app(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("KIOSK_ASSETS_DIR", str(tmp_path))  # no fonts, no styles
    font, sheet = qapp.font(), qapp.styleSheet()
    try:
        theme.apply_theme(qapp)
        assert qapp.styleSheet() == sheet
        assert "Qt's default colours" in caplog.text
        assert QColor(qapp.palette().color(QPalette.ColorRole.Window)).isValid()
        assert qapp.font().pointSize() == theme.BASE_POINT_SIZE
    finally:
        qapp.setStyleSheet(sheet)
        qapp.setFont(font)
