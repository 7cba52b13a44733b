"""Qt's own messages reach Python logging; expected ones do not alarm support."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import QMessageLogContext, QtMsgType

from kiosk.ui.logging_setup import qt_message_handler


@pytest.mark.parametrize(
    "message",
    [
        "No QtMultimedia backends found. Only QMediaDevices, QAudioDevice, QSoundEffect, QAudioSink, "
        "and QAudioSource are available.",
        "Couldn't load pipewire-0.3 library",
        "This plugin does not support propagateSizeHints()",
    ],
)
def test_expected_qt_warnings_are_logged_at_debug(message: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="kiosk.qt"):
        qt_message_handler(QtMsgType.QtWarningMsg, QMessageLogContext(), message)
    assert [(r.name, r.levelno) for r in caplog.records] == [("kiosk.qt", logging.DEBUG)]


def test_other_qt_warnings_stay_warnings(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="kiosk.qt"):
        qt_message_handler(
            QtMsgType.QtWarningMsg, QMessageLogContext(), "QPainter::begin: Paint device returned engine == 0"
        )
    assert [(r.name, r.levelno) for r in caplog.records] == [("kiosk.qt", logging.WARNING)]
    assert "QPainter::begin" in caplog.records[0].getMessage()
