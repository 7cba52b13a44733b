"""Logs support can read: a rotating file in the platform log dir, plus Qt's own messages.

Qt reports font, plugin and style-sheet problems through its message handler,
which by default goes to stderr and is lost on a kiosk with no terminal;
routing it into Python logging (logger ``kiosk.qt``) puts it in the same file,
with the same timestamps, as ``kiosk.net`` and ``kiosk.sync``.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

from kiosk.core.config import log_dir
from kiosk.core.log_throttle import throttle

LOG_FILE = "kiosk.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

qt_log = logging.getLogger("kiosk.qt")

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


# Platform plugins that cannot do what only a real window manager does say so
# on every show(); true, harmless, and noise in a support log.
# Qt warnings that are expected on a kiosk and would only mislead support:
# offscreen/xcb plugin limits; PipeWire probed before PulseAudio; and the
# bundle's missing FFmpeg media backend, which the chimes do not need
# (they play through QAudioSink, which needs none).
_HARMLESS = (
    "This plugin does not support",
    "Couldn't load pipewire",
    "Couldn't resolve pipewire",
    "No QtMultimedia backends found",
)


def qt_message_handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    where = f" ({context.category})" if context.category and context.category != "default" else ""
    level = _QT_LEVELS.get(kind, logging.WARNING)
    if message.startswith(_HARMLESS):
        level = logging.DEBUG
    qt_log.log(level, "%s%s", message, where)


def setup_logging(level: str = "INFO", *, directory: Path | None = None, console: bool = True) -> Path:
    """Configure the root logger once; returns the log file path (told to the user at start)."""
    directory = directory or log_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / LOG_FILE
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_kiosk", False):
            root.removeHandler(handler)
            handler.close()
    file_handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    file_handler.setFormatter(logging.Formatter(FORMAT))
    file_handler._kiosk = True  # type: ignore[attr-defined]
    throttle(file_handler)  # a line repeated 20 000 times a second must not push the rest out
    root.addHandler(file_handler)
    if console:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(logging.Formatter(FORMAT))
        stream._kiosk = True  # type: ignore[attr-defined]
        throttle(stream)
        root.addHandler(stream)
    root.setLevel(level)
    qInstallMessageHandler(qt_message_handler)
    return path
