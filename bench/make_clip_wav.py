#!/usr/bin/env python3
"""Writes the clip that bench/run uploads: 1 s of 16 kHz mono PCM16 WAV, a 440 Hz tone
with a slow chirp and seeded noise at about -20 dBFS, the same bytes every time.

    bench/make_clip_wav.py OUT.wav [SECONDS]
"""
import math
import random
import struct
import sys
import wave

RATE = 16000


def samples(seconds):
    rng = random.Random(16000)
    n = int(RATE * seconds)
    for i in range(n):
        t = i / RATE
        tone = 0.08 * math.sin(2 * math.pi * (440 + 300 * t) * t)
        noise = 0.02 * rng.uniform(-1.0, 1.0)
        yield max(-32768, min(32767, int(round((tone + noise) * 32767))))


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    seconds = float(sys.argv[2]) if len(sys.argv) == 3 else 1.0
    with wave.open(sys.argv[1], "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples(seconds)))


if __name__ == "__main__":
    main()
