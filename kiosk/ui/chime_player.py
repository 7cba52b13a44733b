"""One chime (a short WAV) played through its own QAudioSink, entirely on the GUI thread.

Why not QSoundEffect: from Qt 6.10 on, QSoundEffect mixes its "voices" in a
real-time engine on the audio backend's thread, and when that thread holds the
last reference to a finished voice it destroys it there.  Each voice owns a
QSocketNotifier (an eventfd) that belongs to the GUI thread, so Qt logs
"Socket notifiers cannot be enabled or disabled from another thread", closes
the eventfd under the GUI thread's poll and then spins on
"QSocketNotifier: Invalid socket N ... disabling..." about 20 000 times a
second: the screen froze at 100 % CPU and ignored SIGTERM.  It depends on
timing only, so it struck more often on a loaded kitchen PC with a desktop
PulseAudio (suspend-on-idle) and a burst of orders; a gdb backtrace of the
pulse thread shows ``~QSocketNotifier`` under ``QRtAudioEngine::audioCallback``.

A QAudioSink in pull mode has no such object on the audio thread: the sink,
its stream and every notifier are created, used and destroyed on the GUI
thread, which reads the QBuffer into the stream's ring buffer; the audio thread
only drains that ring buffer.  Our chimes are half-second 16-bit WAVs that we
make ourselves (scripts/make_sounds.py), so Python's ``wave`` reads them and no
decoder (FFmpeg) is needed either.
"""

from __future__ import annotations

import logging
import wave
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, Signal
from PySide6.QtMultimedia import QAudioDevice, QAudioFormat, QAudioSink, QtAudio

log = logging.getLogger("kiosk.sound")

_SAMPLE_FORMATS = {
    1: QAudioFormat.SampleFormat.UInt8,
    2: QAudioFormat.SampleFormat.Int16,
    4: QAudioFormat.SampleFormat.Int32,
}


class ChimeFileError(ValueError):
    """The WAV cannot be played: not a PCM WAV, or a sample width Qt has no format for."""


def read_chime(path: Path) -> tuple[QAudioFormat, bytes]:
    """The audio format and PCM frames of a WAV file (raises ChimeFileError, never wave.Error)."""
    try:
        with wave.open(str(path), "rb") as wav:
            sample_format = _SAMPLE_FORMATS.get(wav.getsampwidth())
            if sample_format is None:
                raise ChimeFileError(f"{path.name}: {wav.getsampwidth() * 8}-bit samples are not supported")
            audio_format = QAudioFormat()
            audio_format.setSampleRate(wav.getframerate())
            audio_format.setChannelCount(wav.getnchannels())
            audio_format.setSampleFormat(sample_format)
            frames = wav.readframes(wav.getnframes())
    except (OSError, EOFError, wave.Error) as exc:
        raise ChimeFileError(f"{path.name}: {exc}") from exc
    if not frames:
        raise ChimeFileError(f"{path.name}: no audio frames")
    return audio_format, frames


class ChimePlayer(QObject):
    """Plays one chime on demand; a new ``play()`` restarts it from the start.

    The sink is made at the first play and stopped when the buffer has run out,
    so no audio stream stays open between chimes (PulseAudio can suspend the
    speaker).  ``failed`` says, once, why this chime cannot be heard.
    """

    failed = Signal(str)

    def __init__(self, name: str, path: Path, device: QAudioDevice, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._device = device
        self._sink: QAudioSink | None = None
        self._buffer = QBuffer(self)
        self.error: str | None = None
        self.started_count = 0
        self._finished_ms = 0  # what the output consumed of the last chime, kept after its stream closed
        try:
            self._format, frames = read_chime(path)
        except ChimeFileError as exc:
            self._fail(str(exc))
            return
        if not device.isFormatSupported(self._format):
            self._fail(f"{path.name}: the audio output {device.description()!r} cannot play its format")
            return
        self._buffer.setData(QByteArray(frames))

    @property
    def playing(self) -> bool:
        return self._sink is not None and self._sink.state() == QtAudio.State.ActiveState

    @property
    def processed_ms(self) -> int:
        """Milliseconds of this chime the audio output has consumed since the last start."""
        if self._sink is not None and self._sink.state() != QtAudio.State.StoppedState:
            return self._sink.processedUSecs() // 1000
        return self._finished_ms

    def play(self) -> bool:
        """Start the chime from its beginning; False when it cannot be played (see ``error``)."""
        if self.error is not None:
            return False
        if self._sink is None:
            self._sink = QAudioSink(self._device, self._format, self)
            # no argument: PySide 6.11 cannot convert QtAudio.State for a Python slot
            self._sink.stateChanged.connect(self._on_state_changed)
        self._sink.stop()
        self._finished_ms = 0
        self._buffer.close()
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._sink.start(self._buffer)
        if self._sink.error() is not QtAudio.Error.NoError:
            self._fail(
                f"{self.objectName()}: the audio output refused the stream ({self._sink.error().name})"
            )
            return False
        self.started_count += 1
        return True

    def stop(self) -> None:
        if self._sink is not None:
            self._sink.stop()

    def _on_state_changed(self) -> None:
        sink = self._sink
        if sink is None:
            return
        state = sink.state()
        if state == QtAudio.State.IdleState:
            self._finished_ms = sink.processedUSecs() // 1000
            sink.stop()  # the whole chime was handed over: close the stream until the next one
        elif state == QtAudio.State.StoppedState and sink.error() not in (
            QtAudio.Error.NoError,
            QtAudio.Error.UnderrunError,  # the end of a chime in some backends
        ):
            self._fail(f"{self.objectName()}: playback failed ({sink.error().name})")

    def _fail(self, why: str) -> None:
        if self.error is None:
            self.error = why
            self.failed.emit(why)
