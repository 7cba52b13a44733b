"""Generate the kiosk's WAV files from synthesised tones.

Licence-clean by construction (nothing recorded, nothing downloaded) and
deterministic: running it twice writes byte-identical files, so the WAVs in
``assets/sounds`` can be committed and checked against this script.

    python scripts/make_sounds.py [--out assets/sounds]
"""

from __future__ import annotations

import argparse
import math
import struct
import wave
from pathlib import Path

RATE = 44_100
AMPLITUDE = 0.45  # of full scale: loud in a kitchen, no clipping after mixing partials

# One sound per kind of event: (frequency Hz, duration s, gap after s) notes.
# A rising two-tone chime for a new order, a falling one for a cancel, a bright
# triad for a payment, and a repeated urgent beep for an alert.
SOUNDS: dict[str, list[tuple[float, float, float]]] = {
    "new_order": [(880.0, 0.18, 0.04), (1318.5, 0.32, 0.0)],
    "cancel": [(659.3, 0.18, 0.04), (440.0, 0.32, 0.0)],
    "payment": [(1046.5, 0.10, 0.02), (1318.5, 0.10, 0.02), (1568.0, 0.24, 0.0)],
    "alert": [(988.0, 0.12, 0.08), (988.0, 0.12, 0.08), (988.0, 0.12, 0.0)],
}


def _note(frequency: float, duration: float) -> list[float]:
    """A bell-like note: fundamental plus a soft octave, quick attack, exponential decay."""
    count = int(RATE * duration)
    attack = int(RATE * 0.008)
    samples = []
    for n in range(count):
        t = n / RATE
        envelope = min(1.0, n / attack) if attack else 1.0
        envelope *= math.exp(-4.0 * t / duration)
        value = 0.8 * math.sin(2 * math.pi * frequency * t) + 0.2 * math.sin(4 * math.pi * frequency * t)
        samples.append(value * envelope)
    release = int(RATE * 0.005)  # fade the tail to zero: no click at the end
    for i in range(min(release, count)):
        samples[count - 1 - i] *= i / release
    return samples


def render(notes: list[tuple[float, float, float]]) -> bytes:
    """16-bit little-endian mono PCM of the notes in order."""
    frames = bytearray()
    for frequency, duration, gap in notes:
        for value in _note(frequency, duration):
            frames += struct.pack("<h", round(value * AMPLITUDE * 32767))
        frames += b"\x00\x00" * int(RATE * gap)
    return bytes(frames)


def write_wav(path: Path, pcm: bytes) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_out = Path(__file__).resolve().parent.parent / "assets" / "sounds"
    parser.add_argument("--out", type=Path, default=default_out, help="folder for the WAV files")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, notes in SOUNDS.items():
        path = args.out / f"{name}.wav"
        write_wav(path, render(notes))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
