#!/usr/bin/env bash
# Regenerates the encoded fixtures of cli/tests/formats.rs (Debian: flac, lame, vorbis-tools).
# The source: 3 s of a 997 Hz sine at -20 dBFS peak, mono, 16 kHz, 16-bit, written by Python's
# standard library; BS.1770 reads it at -23.0 LUFS (a mono sine reads 3.01 dB below its peak).
set -euo pipefail
cd "$(dirname "$0")"
python3 - <<'PY'
import math, struct, wave
rate, secs, amp = 16000, 3.0, 10 ** (-20 / 20)
frames = b"".join(
    struct.pack("<h", round(32767 * amp * math.sin(2 * math.pi * 997 * n / rate)))
    for n in range(int(rate * secs))
)
with wave.open("sine-997-20dbfs.wav", "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate); w.writeframes(frames)
PY
flac -s -f --best -o sine-997-20dbfs.flac sine-997-20dbfs.wav
lame --quiet -b 64 sine-997-20dbfs.wav sine-997-20dbfs.mp3
oggenc -Q -q 3 -o sine-997-20dbfs.ogg sine-997-20dbfs.wav
rm sine-997-20dbfs.wav
