"""A small music synthesiser: a point in VAD space in, a short piece of music out.

Used to make the demo library (:mod:`moodplayer.catalog.demo`), so a fresh
install plays real, royalty-free music before the user adds any. Everything is
made here with numpy; nothing is sampled or copied.

How the mood shapes the music (the usual findings of music-emotion research:
tempo and loudness follow arousal, mode and consonance follow valence,
brightness and weight follow arousal and dominance):

* **tempo** rises with arousal, from about 70 bpm (calm) to about 140 bpm;
* **mode** follows valence: major (ionian) for high valence, mixolydian and
  dorian in the middle, natural minor for low valence, phrygian or harmonic
  minor when low valence meets high arousal (anger, fear);
* **consonance**: low valence with high arousal adds dissonance (a minor second
  or a tritone in the chords, detuned voices that beat, distortion);
* **timbre**: brightness (how many harmonics the instruments keep) and the
  choice of lead (soft sine, piano-like pluck, saw lead, distorted lead) follow
  arousal and dominance; loudness follows arousal and dominance;
* **rhythm**: no drums when calm, a soft pulse in the middle, a full kit with
  eighth or sixteenth hats at high arousal, a "heartbeat" kick for fearful
  (high arousal, low dominance) moods; the melody gets denser with arousal;
* **space**: more reverb for low arousal.

Each piece has a chord progression (one chord a bar), a bass line, a melody
built from a two-bar motif that is repeated and varied, drums, ADSR envelopes,
an intro, a second section and a final chord.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from moodplayer.mood.vad import VAD

SAMPLE_RATE = 48_000
_TABLE = 2048

SCALES: dict[str, tuple[int, ...]] = {
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "ionian": (0, 2, 4, 5, 7, 9, 11),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "aeolian": (0, 2, 3, 5, 7, 8, 10),
    "harmonic_minor": (0, 2, 3, 5, 7, 8, 11),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
}

#: Chord progressions (scale degrees from 0, one chord a bar) that suit each mode.
PROGRESSIONS: dict[str, tuple[tuple[int, ...], ...]] = {
    "lydian": ((0, 1, 0, 4), (0, 1, 5, 4)),
    "ionian": ((0, 4, 5, 3), (0, 5, 3, 4), (0, 3, 4, 3)),
    "mixolydian": ((0, 6, 3, 0), (0, 3, 6, 3)),
    "dorian": ((0, 3, 0, 3), (0, 2, 3, 0), (0, 3, 6, 4)),
    "aeolian": ((0, 3, 5, 4), (0, 5, 3, 4), (0, 3, 0, 4)),
    "harmonic_minor": ((0, 3, 4, 0), (0, 5, 3, 4)),
    "phrygian": ((0, 1, 0, 6), (0, 1, 6, 0)),
}


def _clip01(x: float) -> float:
    return min(1.0, max(0.0, x))


@dataclass(frozen=True)
class MusicParams:
    """The musical choices made from a VAD point (see the module doc)."""

    bpm: float
    mode: str
    progression: tuple[int, ...]
    root_midi: int
    brightness: float  # 0 dull .. 1 bright
    dissonance: float  # 0 consonant .. 1 harsh
    loudness_db: float  # target RMS in dBFS
    drums: str  # none | soft | kit | drive | heartbeat
    lead: str  # sine | pluck | saw | distorted
    density: float  # melody notes per beat, roughly
    reverb: float  # 0 dry .. 1 wet
    sevenths: bool

    @staticmethod
    def from_vad(vad: VAD, seed: int = 0) -> MusicParams:
        v, a, d = vad.clamp().as_tuple()
        rng = np.random.default_rng(seed)
        tension = _clip01((5.0 - v) / 2.5) * _clip01((a - 4.2) / 2.0)
        if v >= 7.8 and a >= 6.3:
            mode = "lydian"
        elif v >= 6.3:
            mode = "ionian"
        elif v >= 5.3:
            mode = "mixolydian"
        elif v >= 4.5:
            mode = "dorian"
        elif tension > 0.45:
            mode = "phrygian" if d >= 3.7 else "harmonic_minor"
        else:
            mode = "aeolian"
        choices = PROGRESSIONS[mode]
        progression = choices[int(rng.integers(len(choices)))]
        bpm = 50.0 + 12.5 * (a - 1.0)
        brightness = _clip01(0.75 * (a - 2.0) / 5.0 + 0.25 * (d - 3.0) / 5.0)
        if tension > 0.45 and d >= 3.7:
            lead = "distorted"
        elif brightness > 0.62:
            lead = "saw"
        elif brightness > 0.3 or v < 4.5:
            lead = "pluck"  # dull and slow, a soft piano: the sad end of the calm moods
        else:
            lead = "sine"
        if a < 3.8:
            drums = "none" if a < 3.0 or v < 4.0 else "soft"
        elif a < 5.0:
            drums = "soft"
        elif tension > 0.45 and d < 3.7:
            drums = "heartbeat"
        elif a >= 6.0:
            drums = "drive"
        else:
            drums = "kit"
        loudness = min(-11.0, max(-24.0, -24.0 + 2.3 * (a - 1.0) + 0.8 * (d - 5.0)))
        # Keys: brighter moods sit a little higher.
        root = 45 + int(round(2 * (v - 1.0) / 8.0 * 3)) + int(rng.integers(0, 3))
        return MusicParams(
            bpm=round(bpm, 1),
            mode=mode,
            progression=progression,
            root_midi=root,
            brightness=brightness,
            dissonance=round(tension, 3),
            loudness_db=round(loudness, 2),
            drums=drums,
            lead=lead,
            density=0.8 + 1.6 * _clip01((a - 2.5) / 4.5),
            reverb=round(0.15 + 0.55 * _clip01((6.5 - a) / 4.0), 3),
            sevenths=4.5 <= v < 7.8 and a < 6.0,
        )


@dataclass
class Rendered:
    """A rendered piece: stereo float32 samples in [-1, 1], shape (2, n)."""

    audio: np.ndarray
    params: MusicParams
    beat_times: list[float] = field(default_factory=list)
    bar_times: list[float] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return self.audio.shape[1] / SAMPLE_RATE


# --------------------------------------------------------------------------- oscillators


@lru_cache(maxsize=64)
def _wavetable(kind: str, brightness_step: int) -> np.ndarray:
    """One period of a band-limited waveform (2048 samples, peak 1)."""
    b = brightness_step / 10.0
    n = np.arange(1, 33, dtype=np.float64)
    if kind == "saw":
        amps = 1.0 / n
    elif kind == "square":
        amps = np.where(n % 2 == 1, 1.0 / n, 0.0)
    elif kind == "triangle":
        amps = np.where(n % 2 == 1, 1.0 / n**2, 0.0)
    elif kind == "organ":
        amps = np.where(np.isin(n, (1, 2, 3, 4, 6, 8)), 1.0 / n, 0.0)
    else:  # sine
        amps = np.where(n == 1, 1.0, 0.0)
    amps = amps * np.exp(-(n - 1) / (0.6 + 12.0 * b))
    x = np.arange(_TABLE) / _TABLE
    table = (amps[:, None] * np.sin(2 * np.pi * n[:, None] * x[None, :])).sum(axis=0)
    table /= np.abs(table).max()
    return table.astype(np.float32)


_TABLE_BITS = 11
_RAMP = np.arange(60 * SAMPLE_RATE, dtype=np.uint32)


def _ramp(n: int) -> np.ndarray:
    return _RAMP[:n] if n <= _RAMP.shape[0] else np.arange(n, dtype=np.uint32)


def _phase(freq: float, n: int, vibrato: float = 0.0, rate: float = 5.0) -> np.ndarray:
    """Table indices of an oscillator: a 32-bit phase accumulator (wraps by itself)."""
    if vibrato:
        t = np.arange(n, dtype=np.float32) / SAMPLE_RATE
        inst = freq * (1.0 + vibrato * np.sin(2 * np.pi * rate * t))
        cycles = np.cumsum(inst / SAMPLE_RATE, dtype=np.float64)
        return ((cycles % 1.0) * _TABLE).astype(np.int32)
    step = np.uint32(int(freq / SAMPLE_RATE * 2**32) & 0xFFFFFFFF)
    return (_ramp(n) * step) >> np.uint32(32 - _TABLE_BITS)


def _osc(table: np.ndarray, index: np.ndarray) -> np.ndarray:
    return table[index]


def _adsr(n: int, attack: float, decay: float, sustain: float, release: float) -> np.ndarray:
    """An ADSR envelope over ``n`` samples; the release takes the last ``release`` seconds."""
    sr = SAMPLE_RATE
    nr = min(int(release * sr), int(n * 0.6))
    hold = n - nr
    na = min(int(attack * sr), hold) if hold > 0 else 0
    nd = max(0, min(int(decay * sr), hold - na))
    ns = hold - na - nd
    level = sustain if nd or ns else 1.0
    parts = (
        np.linspace(0.0, 1.0, na, endpoint=False, dtype=np.float32),
        np.linspace(1.0, sustain, nd, endpoint=False, dtype=np.float32),
        np.full(ns, sustain, np.float32),
        np.linspace(level, 0.0, nr, dtype=np.float32),
    )
    return np.concatenate(parts)


def _midi_hz(m: float) -> float:
    return 440.0 * 2.0 ** ((m - 69) / 12.0)


def _add(buf: np.ndarray, start: int, sig: np.ndarray, gain: float = 1.0) -> None:
    if start >= buf.shape[-1] or start + sig.shape[-1] <= 0:
        return
    s0 = max(0, start)
    s1 = min(buf.shape[-1], start + sig.shape[-1])
    buf[..., s0:s1] += gain * sig[..., s0 - start : s1 - start]


# --------------------------------------------------------------------------- instruments


def _voice(kind: str, brightness: float, freq: float, n: int, env: np.ndarray,
           detune_cents: float = 0.0, vibrato: float = 0.0) -> np.ndarray:
    table = _wavetable(kind, int(round(brightness * 10)))
    out = _osc(table, _phase(freq, n, vibrato))
    if detune_cents:
        out = 0.5 * (out + _osc(table, _phase(freq * 2 ** (detune_cents / 1200), n, vibrato)))
    return out * env


def _pluck(freq: float, n: int, brightness: float, decay: float) -> np.ndarray:
    """A piano/guitar-like tone: bright at the attack, mellowing as it decays."""
    t = np.arange(n, dtype=np.float32) / SAMPLE_RATE
    ph = _phase(freq, n)
    bright = _osc(_wavetable("saw", int(round(min(1.0, brightness + 0.3) * 10))), ph)
    dull = _osc(_wavetable("triangle", 2), ph)
    attack = np.minimum(1.0, t / 0.004)
    tail = np.minimum(1.0, (n / SAMPLE_RATE - t) / 0.05)
    return attack * tail * (bright * np.exp(-t / (0.12 + 0.2 * brightness))
                            + 0.8 * dull * np.exp(-t / decay))


def _kick(rng: np.random.Generator, punch: float) -> np.ndarray:
    n = int(0.38 * SAMPLE_RATE)
    t = np.arange(n, dtype=np.float32) / SAMPLE_RATE
    f = 46.0 + (90.0 + 60.0 * punch) * np.exp(-t / 0.035)
    ph = np.cumsum(f / SAMPLE_RATE)
    body = np.sin(2 * np.pi * ph) * np.exp(-t / (0.16 + 0.08 * punch))
    click = rng.standard_normal(n).astype(np.float32) * np.exp(-t / 0.003) * 0.3
    return (body + click).astype(np.float32)


def _highpass(x: np.ndarray) -> np.ndarray:
    return np.diff(x, prepend=np.float32(0.0))


def _fade_tail(x: np.ndarray, seconds: float = 0.01) -> np.ndarray:
    """Fade a one-shot's last ``seconds`` out, so cutting it off does not click."""
    n = min(x.shape[-1], int(seconds * SAMPLE_RATE))
    x = x.copy()
    x[-n:] *= np.linspace(1.0, 0.0, n, dtype=np.float32)
    return x


def _smooth(x: np.ndarray, width: int) -> np.ndarray:
    return np.convolve(x, np.full(width, 1.0 / width, np.float32), mode="same")


def _snare(rng: np.random.Generator, brightness: float) -> np.ndarray:
    n = int(0.25 * SAMPLE_RATE)
    t = np.arange(n, dtype=np.float32) / SAMPLE_RATE
    noise = _smooth(_highpass(rng.standard_normal(n).astype(np.float32)), 3) * 1.2
    tone = np.sin(2 * np.pi * 185.0 * t) * np.exp(-t / 0.06)
    return (noise * np.exp(-t / (0.07 + 0.06 * brightness)) + 0.6 * tone).astype(np.float32)


def _hat(rng: np.random.Generator, open_: bool) -> np.ndarray:
    n = int((0.3 if open_ else 0.06) * SAMPLE_RATE)
    t = np.arange(n, dtype=np.float32) / SAMPLE_RATE
    noise = _smooth(_highpass(rng.standard_normal(n).astype(np.float32)), 2) * 0.4
    return (noise * np.exp(-t / (0.12 if open_ else 0.018))).astype(np.float32)


def _shaker(rng: np.random.Generator) -> np.ndarray:
    n = int(0.09 * SAMPLE_RATE)
    t = np.arange(n, dtype=np.float32) / SAMPLE_RATE
    noise = _highpass(rng.standard_normal(n).astype(np.float32)) * 0.25
    env = np.minimum(1.0, t / 0.015) * np.exp(-t / 0.03)
    return (noise * env).astype(np.float32)


# --------------------------------------------------------------------------- composition


def _degree_midi(root: int, scale: tuple[int, ...], degree: int) -> int:
    octave, step = divmod(degree, 7)
    return root + 12 * octave + scale[step]


def _chord_notes(p: MusicParams, degree: int, low: int, high: int) -> list[int]:
    scale = SCALES[p.mode]
    degrees = [degree, degree + 2, degree + 4] + ([degree + 6] if p.sevenths else [])
    notes = []
    for d in degrees:
        m = _degree_midi(p.root_midi, scale, d)
        while m < low:
            m += 12
        while m > high:
            m -= 12
        notes.append(m)
    return sorted(set(notes))


def _motif(rng: np.random.Generator, p: MusicParams, beats: int) -> list[tuple[float, float, int]]:
    """A phrase: (start beat, length in beats, scale degree) with rests left out."""
    if p.density < 1.2:
        palette, weights = (2.0, 1.0, 1.5, 0.5), (0.3, 0.4, 0.2, 0.1)
    elif p.density < 1.9:
        palette, weights = (1.0, 0.5, 1.5, 2.0), (0.4, 0.4, 0.1, 0.1)
    else:
        palette, weights = (0.5, 0.25, 1.0, 0.75), (0.5, 0.25, 0.15, 0.1)
    rest_p = 0.25 if p.density < 1.2 else 0.12
    notes = []
    pos = 0.0
    degree = int(rng.choice((0, 2, 4)))
    while pos < beats - 1e-6:
        length = float(rng.choice(palette, p=np.array(weights) / sum(weights)))
        length = min(length, beats - pos)
        if pos > 0 and rng.random() < rest_p:
            pos += length
            continue
        if pos == 0:
            pass
        elif rng.random() < 0.75:
            degree += int(rng.choice((-1, 1, -2, 2), p=(0.35, 0.35, 0.15, 0.15)))
        else:
            degree += int(rng.choice((-4, -3, 3, 4)))
        degree = max(-2, min(9, degree))
        notes.append((pos, length, degree))
        pos += length
    return notes


def _snap_to_chord(degree: int, chord_degree: int) -> int:
    tones = {(chord_degree + k) % 7 for k in (0, 2, 4)}
    for delta in (0, -1, 1, -2, 2):
        if (degree + delta) % 7 in tones:
            return degree + delta
    return degree


def render(vad: VAD, duration_s: float = 30.0, seed: int = 0) -> Rendered:
    """Compose and render about ``duration_s`` seconds of music for ``vad``."""
    p = MusicParams.from_vad(vad, seed)
    rng = np.random.default_rng(seed)
    sr = SAMPLE_RATE
    beat = 60.0 / p.bpm
    bar = 4 * beat
    bars = max(6, int(round((duration_s - 2.0) / bar)))
    tail = 2.5
    n = int((bars * bar + tail) * sr)
    scale = SCALES[p.mode]

    drums = np.zeros(n, np.float32)
    hats = np.zeros(n, np.float32)
    bass = np.zeros(n, np.float32)
    pad_l = np.zeros(n, np.float32)
    pad_r = np.zeros(n, np.float32)
    lead = np.zeros(n, np.float32)

    def at(beats_from_start: float, jitter: float = 0.0) -> int:
        t = beats_from_start * beat + (rng.normal(0.0, jitter) if jitter else 0.0)
        return int(max(0.0, t) * sr)

    # Chords: one a bar, the last bar resolves to the tonic.
    chords = [p.progression[i % len(p.progression)] for i in range(bars)]
    chords[-1] = 0
    detune = 4.0 + 22.0 * p.dissonance
    pad_kind = "saw" if p.brightness > 0.45 else ("organ" if p.brightness > 0.2 else "triangle")
    prev: list[int] = []
    for i, degree in enumerate(chords):
        notes = _chord_notes(p, degree, p.root_midi + 7, p.root_midi + 21)
        if p.dissonance > 0.3 and i % 2 == 1:
            notes.append(notes[0] + (1 if p.dissonance > 0.6 else 6))
        length = bar * (2.0 if i == bars - 1 else 1.0) + 0.35
        count = int(length * sr)
        env = _adsr(count, 0.04 + 0.5 * (1 - p.brightness), 0.3, 0.7, 0.35)
        for k, m in enumerate(notes):
            gain = 0.16 / math.sqrt(len(notes))
            sig = _voice(pad_kind, p.brightness * 0.8, _midi_hz(m), count, env, detune)
            pan = 0.5 + 0.35 * ((k % 2) * 2 - 1) * (0.5 + 0.5 * k / max(1, len(notes) - 1))
            start = at(4 * i)
            _add(pad_l, start, sig, gain * math.cos(pan * math.pi / 2))
            _add(pad_r, start, sig, gain * math.sin(pan * math.pi / 2))
        prev = notes
    del prev

    # Bass: root each bar; pulses and octaves as arousal rises.
    bass_kind = "saw" if p.lead in ("saw", "distorted") else "triangle"
    bass_gain = 0.22 if p.density < 1.2 else 0.3  # long low notes need less level
    if p.density < 1.2:
        pattern = [(0.0, 2.0, 0), (2.0, 2.0, 0)]
    elif p.density < 1.9:
        pattern = [(0.0, 1.5, 0), (1.5, 0.5, 0), (2.0, 1.0, 4), (3.0, 1.0, 0)]
    else:
        pattern = [(b * 0.5, 0.5, 7 if b % 4 == 3 else 0) for b in range(8)]
    for i, degree in enumerate(chords):
        root = _degree_midi(p.root_midi - 12, scale, degree)
        steps = [(0.0, 4.0, 0)] if i == bars - 1 else pattern
        for start, length, interval in steps:
            m = root + (interval if interval != 4 else scale[4] - scale[0])
            count = int(length * beat * sr)
            env = _adsr(count, 0.005, 0.15, 0.6, min(0.08, length * beat * 0.3))
            sig = _voice(bass_kind, 0.3 + 0.4 * p.brightness, _midi_hz(m), count, env)
            if p.lead == "distorted":
                sig = np.tanh(3.0 * sig) * 0.7
            _add(bass, at(4 * i + start, 0.004), sig, bass_gain)

    # Melody: motif A, repeated with a changed ending, motif B in the second half.
    intro_bars = 1 if p.density > 1.9 else 2
    motif_a = _motif(rng, p, 8)
    motif_b = _motif(rng, p, 8)
    lead_gain = {"sine": 0.34, "pluck": 0.28, "saw": 0.26, "distorted": 0.22}[p.lead]
    phrase = 0
    bar_i = intro_bars
    while bar_i + 2 <= bars - 1:
        second_half = bar_i >= bars // 2
        motif = motif_b if second_half else motif_a
        octave = 7 if (second_half and p.density > 1.5) else 0
        for k, (start, length, degree) in enumerate(motif):
            chord_degree = chords[bar_i + int(start // 4)]
            if start % 4 == 0:
                degree = _snap_to_chord(degree, chord_degree)
            if phrase % 2 == 1 and k == len(motif) - 1:
                degree = _snap_to_chord(0, chord_degree)
            m = _degree_midi(p.root_midi + 12, scale, degree + octave)
            dur = length * beat
            count = int((dur + 0.25) * sr)
            freq = _midi_hz(m)
            velocity = 0.8 + 0.2 * rng.random() if start % 1 else 1.0
            if p.lead == "pluck":
                sig = _pluck(freq, count, p.brightness, 0.35 + 0.8 * dur)
            else:
                kind = {"sine": "triangle", "saw": "saw", "distorted": "saw"}[p.lead]
                env = _adsr(count, 0.01 if p.lead != "sine" else 0.06, 0.1, 0.75, 0.25)
                sig = _voice(kind, p.brightness, freq, count, env,
                             vibrato=0.004 if dur > 0.4 else 0.0)
                if p.lead == "distorted":
                    sig = np.tanh(4.0 * sig) * 0.6
            _add(lead, at(4 * bar_i + start, 0.006), sig, lead_gain * velocity)
        bar_i += 2
        phrase += 1

    # Drums.
    kick = _fade_tail(_kick(rng, p.brightness))
    snare = _fade_tail(_snare(rng, p.brightness))
    hat = _fade_tail(_hat(rng, False)) * 1.6
    ohat = _fade_tail(_hat(rng, True)) * 1.6
    shaker = _fade_tail(_shaker(rng))
    for i in range(bars - 1):
        fill_in = i < intro_bars and p.drums in ("kit", "drive")
        for b in range(4):
            pos = 4 * i + b
            if p.drums == "soft":
                _add(hats, at(pos, 0.006), shaker, 0.5 if b % 2 else 0.3)
                if b == 0:
                    _add(drums, at(pos), kick, 0.35)
            elif p.drums == "heartbeat":
                if b in (0, 2):
                    _add(drums, at(pos), kick, 0.5)
                    _add(drums, at(pos + 0.3), kick, 0.3)
                _add(hats, at(pos + 0.5, 0.004), hat, 0.18)
            elif p.drums in ("kit", "drive"):
                if not fill_in and (b in (0, 2) or (p.drums == "drive" and p.bpm > 110)):
                    _add(drums, at(pos), kick, 0.5)
                if not fill_in and b in (1, 3):
                    _add(drums, at(pos, 0.003), snare, 0.22)
                subdivisions = 4 if p.drums == "drive" and p.brightness > 0.7 else 2
                for s in range(subdivisions):
                    accent = 1.0 if s == 0 else 0.6
                    _add(hats, at(pos + s / subdivisions, 0.004), hat, 0.3 * accent)
                if b == 3 and i % 4 == 3:
                    _add(hats, at(pos + 0.5), ohat, 0.25)
    if p.drums != "none":
        _add(drums, at(4 * (bars - 1)), kick, 0.7)
        if p.drums in ("kit", "drive"):
            _add(hats, at(4 * (bars - 1)), ohat, 0.35)

    # Mix: stereo placement, reverb on a send, loudness, limiter, fade-out.
    left = pad_l + 0.92 * bass + 0.85 * drums + 0.55 * hats + 0.8 * lead
    right = pad_r + 0.92 * bass + 0.85 * drums + 0.8 * hats + 0.55 * lead
    send_l = pad_l + 0.6 * lead
    send_r = pad_r + 0.6 * lead
    wet_l, wet_r = _reverb(np.stack([send_l, send_r]), rng, 0.6 + 1.8 * p.reverb)
    mix = np.stack([left + p.reverb * wet_l, right + p.reverb * wet_r])
    rms = float(np.sqrt(np.mean(mix[:, : int(bars * bar * sr)] ** 2))) + 1e-9
    mix *= 10 ** (p.loudness_db / 20.0) / rms
    mix = np.tanh(mix * 1.2) / 1.2  # a gentle soft-clipping limiter
    fade = int(1.2 * sr)
    mix[:, -fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32) ** 2
    mix[:, :64] *= np.linspace(0.0, 1.0, 64, dtype=np.float32)
    peak = float(np.abs(mix).max())
    if peak > 0.98:
        mix *= 0.98 / peak
    beats_t = [k * beat for k in range(bars * 4)]
    bars_t = [k * bar for k in range(bars)]
    return Rendered(mix.astype(np.float32), p, beats_t, bars_t)


def _reverb(x: np.ndarray, rng: np.random.Generator, seconds: float) -> tuple[np.ndarray, ...]:
    """A mono send convolved with two decaying noise tails (one per side) by FFT.

    Runs at a sixth of the sample rate (a reverb tail is dark anyway), which
    makes the FFTs about forty times cheaper than at full rate.
    """
    q = 6
    n = x.shape[1] // q * q
    low = x[:, :n].mean(axis=0).reshape(-1, q).mean(axis=1)
    sr = SAMPLE_RATE / q
    m = int(seconds * sr)
    t = np.arange(m, dtype=np.float32) / sr
    env = np.exp(-6.9 * t / seconds) * np.minimum(1.0, t / 0.01)
    size = 1 << int(math.ceil(math.log2(low.shape[0] + m)))
    send = np.fft.rfft(low, size)
    ramp = np.arange(q, dtype=np.float32) / q
    out = []
    for _ in range(2):
        ir = rng.standard_normal(m).astype(np.float32) * env
        ir /= np.sqrt(np.sum(ir**2)) + 1e-9
        wet = np.fft.irfft(send * np.fft.rfft(ir, size), size)[: low.shape[0] + 1]
        wet = wet.astype(np.float32)
        # Linear interpolation back to the full rate.
        up = (wet[:-1, None] + np.diff(wet)[:, None] * ramp[None, :]).ravel()
        full = np.zeros(x.shape[1], np.float32)
        full[: up.shape[0]] = up
        out.append(full * 0.7)
    return tuple(out)


def seed_for(name: str) -> int:
    """A stable seed for a piece's name."""
    return zlib.crc32(name.encode("utf-8"))
