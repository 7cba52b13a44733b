"""Sound per kind of event, never a pile of overlapping chimes.

A kitchen gets bursts: twenty orders land in the same second after a
reconnect or a rush.  Twenty chimes on top of each other tell the cook nothing
that one chime does not, so each sound is debounced on the injected clock: a
sound that started less than ``debounce_s`` ago is not started again.  The
optional repeat of the new-order chime ("nobody looked yet") is driven by the
same clock through ``tick()``, so both are tested exactly without sleeping.

Each sound is a ChimePlayer (kiosk/ui/chime_player.py: a QAudioSink on the
GUI thread; its docstring says why not QSoundEffect, which froze screens).
Without an audio device, or with a WAV that cannot be played, a player reports
why; the board says so once on ``kiosk.sound`` and keeps counting what it
would have played (the state dump reports it), so a kiosk without speakers
works exactly like one with them, only silently.

QtMultimedia is loaded at the first sound that is really started (or when
someone asks whether audio is available), not at start-up: importing it and
opening the audio backend costs ~29 MiB of RSS, which a screen with sound
switched off, or a quiet one, never needs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.core.clock import Clock
from kiosk.paths import asset
from kiosk.protocol import Event

if TYPE_CHECKING:
    from kiosk.ui.chime_player import ChimePlayer

log = logging.getLogger("kiosk.sound")

NEW_ORDER = "new_order"
CANCEL = "cancel"
PAYMENT = "payment"
ALERT = "alert"

# Kinds a screen plays by itself, from what it sees on its own clock (no envelope carries them).
ORDER_READY = "order_ready"  # the customer board: a number was called
ORDER_RELEASED = "order_released"  # a scheduled order's time came: new work on the rail

# Envelope type (or a screen's own kind) -> WAV (without .wav).  Several kinds share one sound: a cook
# needs to tell "new work", "work gone", "money" and "attention" apart, no more.
SOUND_FOR_KIND: Mapping[str, str] = {
    Event.ORDER_CREATED.type: NEW_ORDER,
    Event.ORDER_CANCELLED.type: CANCEL,
    Event.ORDER_ITEMS_ADDED.type: NEW_ORDER,  # an add-on is new work; a line's status or a rush is not news
    Event.PAYMENT_PROCESSED.type: PAYMENT,
    Event.PAYMENT_REFUNDED.type: CANCEL,
    Event.QR_SCANNED.type: PAYMENT,
    Event.ALERT.type: ALERT,
    Event.NOTIFICATION.type: PAYMENT,
    ORDER_READY: PAYMENT,  # the bright rising triad, as for a pick-up
    ORDER_RELEASED: NEW_ORDER,
}

DEBOUNCE_S = 2.0  # longer than every chime, so two plays of one sound never overlap


class SoundBoard(QObject):
    """Plays the WAV for an event kind, debounced, mutable, with an optional repeat.

    ``played_count`` counts the sounds the board started (or would have started
    on a machine without an audio device); muted or debounced calls do not count.
    The players (and the audio backend under them) are made at the first
    started sound, so a muted or silent board never loads QtMultimedia.
    """

    played = Signal(str)  # the sound name, after a play was started

    def __init__(
        self,
        clock: Clock,
        enabled: bool,
        parent: QObject | None = None,
        *,
        repeat_chime_s: float = 0,
        debounce_s: float = DEBOUNCE_S,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._muted = not enabled
        self._debounce_s = debounce_s
        self.repeat_chime_s = repeat_chime_s  # the console may push a new one (MainWindow.apply_settings)
        self._last_started: dict[str, float] = {}
        self._repeat_due: float | None = None
        self._players: dict[str, ChimePlayer] = {}
        self._error_logged = False
        self.played_count = 0
        self._device_ok: bool | None = None  # None: not probed yet (QtMultimedia not loaded)
        self._player_failed = False
        # The repeat check runs on a coarse Qt timer but decides on the injected
        # clock; tests call tick() directly after advancing a FakeClock.
        self._repeat_timer = QTimer(self)
        self._repeat_timer.setInterval(1000)
        self._repeat_timer.timeout.connect(self.tick)

    # -- public API ---------------------------------------------------------

    @property
    def muted(self) -> bool:
        return self._muted

    @muted.setter
    def muted(self, value: bool) -> None:
        self._muted = bool(value)
        if self._muted:
            for player in self._players.values():  # none yet if nothing was ever played
                player.stop()
        log.info("sound %s", "muted" if self._muted else "unmuted")

    @property
    def audio_available(self) -> bool:
        """False once we know sounds cannot be heard (no device, or a playback error).

        Asking probes the audio output (loading QtMultimedia) if no sound has done so yet.
        """
        return self._probe_device() and not self._player_failed

    @property
    def heard_count(self) -> int:
        """Chimes really handed to the audio output (``played_count`` also counts silent ones)."""
        return sum(player.started_count for player in self._players.values())

    @property
    def repeat_pending(self) -> bool:
        return self._repeat_due is not None

    def player(self, sound: str) -> ChimePlayer:
        """The player behind a sound name (for tests and diagnostics); makes the players if needed."""
        self._load_players()
        return self._players[sound]

    def play(self, kind: str) -> bool:
        """Play the sound for an envelope type; True when a sound was started."""
        sound = SOUND_FOR_KIND.get(kind)
        if sound is None:
            log.debug("no sound for event kind %r", kind)
            return False
        if self._muted:
            return False
        now = self._clock.monotonic()
        last = self._last_started.get(sound)
        if last is not None and now - last < self._debounce_s:
            return False
        self._start(sound, now)
        if sound == NEW_ORDER and self.repeat_chime_s > 0:
            self._repeat_due = now + self.repeat_chime_s
            if not self._repeat_timer.isActive():
                self._repeat_timer.start()
        return True

    def acknowledge(self) -> None:
        """Someone has seen the new order: stop repeating its chime."""
        if self._repeat_due is not None:
            log.info("new-order chime acknowledged")
        self._repeat_due = None
        self._repeat_timer.stop()

    def tick(self) -> bool:
        """Replay the new-order chime when its repeat is due; True when it played."""
        if self._repeat_due is None or self._muted:
            return False
        now = self._clock.monotonic()
        if now < self._repeat_due:
            return False
        self._start(NEW_ORDER, now)
        self._repeat_due = now + self.repeat_chime_s
        return True

    # -- internals ----------------------------------------------------------

    def _start(self, sound: str, now: float) -> None:
        self._last_started[sound] = now
        self.played_count += 1
        self._load_players()
        if self._device_ok:
            self._players[sound].play()
        self.played.emit(sound)

    def _probe_device(self) -> bool:
        if self._device_ok is None:
            from PySide6.QtMultimedia import QMediaDevices  # noqa: PLC0415 - lazy: see the module docstring

            self._device_ok = bool(QMediaDevices.audioOutputs())
            if not self._device_ok:
                self._log_unavailable("no audio output device found")
        return self._device_ok

    def _load_players(self) -> None:
        if self._players:
            return
        device_ok = self._probe_device()
        from PySide6.QtMultimedia import QMediaDevices  # noqa: PLC0415 - lazy, loaded by now

        from kiosk.ui.chime_player import ChimePlayer  # noqa: PLC0415 - imports QtMultimedia

        device = QMediaDevices.defaultAudioOutput()
        for name in sorted(set(SOUND_FOR_KIND.values())):
            player = ChimePlayer(name, asset("sounds", f"{name}.wav"), device, self)
            # a bound slot (not a lambda): Qt drops the connection when the board is deleted
            player.failed.connect(self._on_player_failed)
            if player.error is not None and device_ok:
                self._on_player_failed(player.error)
            self._players[name] = player

    def _on_player_failed(self, why: str) -> None:
        # only that chime is silent; the others still play
        self._player_failed = True
        self._log_unavailable(f"cannot play {why}")

    def _log_unavailable(self, why: str) -> None:
        if self._error_logged:
            return
        self._error_logged = True
        log.warning(
            "%s; the kiosk carries on without sound (check the speaker/PulseAudio "
            "and that the WAV files in assets/sounds are readable)",
            why,
        )
