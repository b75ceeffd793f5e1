"""The demo library: music moodplayer makes itself, so a fresh install plays something real.

On first use :func:`ensure_demo_library` composes fourteen short pieces and four
music videos with :mod:`moodplayer.catalog.synth`, spread over the mood space
(the seven emotion words' VAD and points between them), writes them into
``MOODPLAYER_HOME/demo`` with PyAV (audio: Opus in Ogg; videos: H.264 and AAC in
MP4), tags them with mutagen (title, artist "moodplayer demo", album, genre,
comment, and the VAD in custom tags) and registers them in the library index as
``source="demo"`` items with their VAD.

A ``manifest.json`` beside the files records the generator version, each
item's recipe fingerprint, size and SHA-256; later calls only check those
(a few milliseconds), regenerate what is missing, changed or corrupt, and keep
the database rows in step. Nothing here is committed to the repository: the
files are made on the user's machine.

The videos are real music videos: the soundtrack is the piece for that mood and
the pictures move with it. Colour follows the mood (hue from valence, turning
red where low valence meets high arousal; saturation from arousal; brightness
from valence and dominance), motion speed follows arousal, a central glow
pulses on every beat, particles rise for pleasant moods and fall like rain for
unpleasant ones, and spectrum bars show the soundtrack's own energy frame by
frame.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from moodplayer import paths
from moodplayer.catalog import library
from moodplayer.catalog.library import LocalItem
from moodplayer.errors import CatalogError
from moodplayer.mood.vad import EMOTION_VAD, VAD

log = logging.getLogger(__name__)

#: Bump when the synthesiser or the file format changes: every item is made again.
DEMO_VERSION = 1
DEMO_ARTIST = "moodplayer demo"
DEMO_ALBUM = "moodplayer demo library"
MANIFEST = "manifest.json"

VIDEO_SIZE = (320, 180)
VIDEO_FPS = 24

ProgressCallback = Callable[[int, int, str], None]


class DemoError(CatalogError):
    """The demo library could not be written."""


@dataclass(frozen=True)
class DemoSpec:
    """One demo item: what it is called, the mood it is made for, how long it runs."""

    name: str
    title: str
    vad: VAD
    genre: str
    seeds: tuple[str, ...]
    duration_s: float
    video: bool = False

    @property
    def key(self) -> str:
        return f"demo:{self.name}"

    def fingerprint(self) -> str:
        """Changes whenever the recipe of this item (or the generator) changes."""
        data = json.dumps([DEMO_VERSION, asdict(self)], sort_keys=True)
        return hashlib.sha1(data.encode("utf-8")).hexdigest()[:16]


def _emotion(name: str) -> VAD:
    return EMOTION_VAD[name]


#: The demo items: the seven emotion words' VAD (Warriner et al. 2013) and
#: points between them, so every region of the mood space has something to play:
#: each of the shipped default mood clusters (data/default_clusters.json) holds at
#: least one item (tests/library/test_library_demo.py checks it).
DEMO_SPECS: tuple[DemoSpec, ...] = (
    DemoSpec("sunlit-parade", "Sunlit Parade", _emotion("happy"), "pop",
             ("happy", "cheerful", "joyous", "optimistic"), 28.0),
    DemoSpec("rain-on-the-window", "Rain on the Window", _emotion("sad"), "ambient",
             ("sad", "melancholy", "gloomy", "somber"), 30.0),
    DemoSpec("iron-teeth", "Iron Teeth", _emotion("angry"), "industrial",
             ("angry", "aggressive", "harsh", "feral"), 26.0),
    DemoSpec("footsteps-in-the-dark", "Footsteps in the Dark", _emotion("fear"), "soundtrack",
             ("scary", "ominous", "tense", "nervous"), 26.0),
    DemoSpec("sour-machine", "Sour Machine", _emotion("disgust"), "experimental",
             ("bitter", "cynical", "gritty", "sardonic"), 26.0),
    DemoSpec("confetti-cannon", "Confetti Cannon", _emotion("surprise"), "electronic",
             ("exciting", "playful", "exuberant", "energetic"), 26.0),
    DemoSpec("quiet-afternoon", "Quiet Afternoon", _emotion("neutral"), "lounge",
             ("relaxed", "mellow", "laid-back", "smooth"), 28.0),
    DemoSpec("lantern-glow", "Lantern Glow", VAD(6.8, 2.6, 5.8), "new age",
             ("peaceful", "soothing", "calm", "warm"), 30.0),
    DemoSpec("slow-dance", "Slow Dance", VAD(7.2, 4.1, 5.6), "soul",
             ("romantic", "tender", "sweet", "sentimental"), 28.0),
    DemoSpec("grey-morning", "Grey Morning", VAD(3.9, 3.0, 4.4), "folk",
             ("wistful", "bittersweet", "lonely", "reflective"), 30.0),
    DemoSpec("run-the-sky", "Run the Sky", VAD(7.0, 7.0, 6.6), "rock",
             ("energetic", "triumphant", "rousing", "driving"), 24.0),
    DemoSpec("night-drive", "Night Drive", VAD(4.4, 5.6, 5.2), "electronic",
             ("nocturnal", "brooding", "dramatic", "hypnotic"), 26.0),
    DemoSpec("empty-rooms", "Empty Rooms", VAD(2.6, 2.4, 2.8), "dark ambient",
             ("gloomy", "lonely", "somber", "macabre"), 26.0),
    DemoSpec("paper-boats", "Paper Boats", VAD(5.5, 4.2, 5.2), "indie",
             ("atmospheric", "reflective", "mellow", "nostalgic"), 24.0),
    DemoSpec("sunburst", "Sunburst", VAD(8.0, 6.4, 6.8), "pop",
             ("happy", "bright", "fun", "uplifting"), 20.0, video=True),
    DemoSpec("blue-hour", "Blue Hour", VAD(2.5, 3.1, 3.9), "ambient",
             ("sad", "melancholy", "dreamy", "introspective"), 20.0, video=True),
    DemoSpec("red-alert", "Red Alert", VAD(3.0, 6.7, 5.3), "rock",
             ("angry", "aggressive", "intense", "defiant"), 20.0, video=True),
    DemoSpec("drifting-clouds", "Drifting Clouds", VAD(6.4, 2.8, 5.9), "ambient",
             ("calm", "peaceful", "dreamy", "ethereal"), 20.0, video=True),
)


def demo_dir() -> Path:
    """Where the demo files live: ``MOODPLAYER_HOME/demo``."""
    return paths.home() / "demo"


# --------------------------------------------------------------------------- formats


@dataclass(frozen=True)
class AudioFormat:
    codec: str
    container: str
    extension: str


#: Audio formats in order of preference; the first whose encoder PyAV's FFmpeg has wins.
#: Opus is the fastest to encode of these and plays everywhere libvlc does.
AUDIO_FORMATS: tuple[AudioFormat, ...] = (
    AudioFormat("libopus", "ogg", ".opus"),
    AudioFormat("aac", "ipod", ".m4a"),
    AudioFormat("libmp3lame", "mp3", ".mp3"),
)


def audio_format() -> AudioFormat:
    import av

    for fmt in AUDIO_FORMATS:
        try:
            av.Codec(fmt.codec, "w")
        except Exception:  # PyAV raises UnknownCodecError or ValueError by version
            continue
        return fmt
    raise DemoError("This FFmpeg build has no Opus, AAC or MP3 encoder to write the demo music.")


def _file_name(spec: DemoSpec, fmt: AudioFormat | None) -> str:
    if spec.video:
        return f"{spec.name}.mp4"
    return spec.name + (fmt.extension if fmt else AUDIO_FORMATS[0].extension)


# --------------------------------------------------------------------------- manifest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_manifest(folder: Path) -> dict:
    try:
        data = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return {"version": DEMO_VERSION, "items": {}}
    if not isinstance(data, dict) or data.get("version") != DEMO_VERSION:
        old = data.get("items", {}) if isinstance(data, dict) else {}
        return {"version": DEMO_VERSION, "items": {}, "stale": old}
    if not isinstance(data.get("items"), dict):
        data["items"] = {}
    return data


def _write_manifest(folder: Path, manifest: dict) -> None:
    data = {"version": DEMO_VERSION, "items": manifest["items"]}
    tmp = folder / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), "utf-8")
    os.replace(tmp, folder / MANIFEST)


def _entry_valid(folder: Path, spec: DemoSpec, entry: object) -> bool:
    if not isinstance(entry, dict) or entry.get("fingerprint") != spec.fingerprint():
        return False
    path = folder / str(entry.get("file", ""))
    try:
        if path.stat().st_size != entry.get("size"):
            return False
        return _sha256(path) == entry.get("sha256")
    except OSError:
        return False


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One process at a time makes the demo library (the window and a command may race)."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; generation is still atomic per file
        yield
        return
    with open(folder / ".lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


# --------------------------------------------------------------------------- public API


def ensure_demo_library(
    conn: sqlite3.Connection | None = None,
    progress: ProgressCallback | None = None,
    *,
    workers: int | None = None,
) -> list[LocalItem]:
    """Make sure the demo files exist and are registered; return them as library items.

    The first call composes and writes every item (a few seconds); later calls
    check the manifest's sizes and checksums (milliseconds), regenerate only what
    is missing or corrupt, and update the database. ``progress(done, total, name)``
    is called after each item that had to be made.
    """
    own_conn = conn is None
    if conn is None:
        conn = library.connect()
    try:
        library.ensure_schema(conn)
        folder = demo_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise DemoError(f"moodplayer could not create the demo folder {folder}: {err}") from err
        with _locked(folder):
            manifest = _read_manifest(folder)
            items = manifest["items"]
            todo = [s for s in DEMO_SPECS if not _entry_valid(folder, s, items.get(s.name))]
            failed: dict[str, Exception] = {}
            if todo:
                failed = _generate(folder, todo, items, progress, workers)
            current = {s.name for s in DEMO_SPECS}
            dropped = {n: items.pop(n) for n in list(items) if n not in current or n in failed}
            stale = {**manifest.get("stale", {}), **dropped}
            if stale:
                _remove_stale(folder, stale, items)
            if todo or stale:
                _write_manifest(folder, manifest)
        result = [
            _local_item(folder, spec, items[spec.name]) for spec in DEMO_SPECS
            if spec.name in items
        ]
        _register(conn, result)
        if failed and not result:
            name, err = next(iter(failed.items()))
            raise DemoError(f"moodplayer could not make its demo music ({name}: {err}).")
        return result
    finally:
        if own_conn:
            conn.close()


def demo_items(conn: sqlite3.Connection) -> list[LocalItem]:
    """The demo items registered in the database (their files may not exist yet)."""
    return library.list_items(conn, source="demo")


# --------------------------------------------------------------------------- generation


def _generate(
    folder: Path,
    todo: list[DemoSpec],
    items: dict,
    progress: ProgressCallback | None,
    workers: int | None,
) -> dict[str, Exception]:
    """Make ``todo`` (two at a time), filling ``items``; returns the items that failed."""
    started = time.perf_counter()
    fmt = audio_format()
    workers = workers or min(2, os.cpu_count() or 1)
    # Longest first, so two workers finish together.
    order = sorted(todo, key=lambda s: -(s.duration_s * (4 if s.video else 1)))
    failed: dict[str, Exception] = {}
    done = 0
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="demo") as pool:
        futures = {pool.submit(generate_item, folder, spec, fmt): spec for spec in order}
        for future in futures:
            spec = futures[future]
            try:
                items[spec.name] = future.result()
            except Exception as err:  # one broken item must not cost the others
                log.warning("could not make the demo item %s: %s", spec.name, err)
                failed[spec.name] = err
            done += 1
            if progress is not None:
                progress(done, len(todo), spec.name)
    log.info("demo library: made %d items in %.1f s", len(todo) - len(failed),
             time.perf_counter() - started)
    return failed


def generate_item(folder: Path, spec: DemoSpec, fmt: AudioFormat | None = None) -> dict:
    """Compose, encode and tag one item into ``folder``; return its manifest entry."""
    from moodplayer.catalog import synth

    fmt = fmt or audio_format()
    started = time.perf_counter()
    cpu_started = time.thread_time()
    rendered = synth.render(spec.vad, spec.duration_s, synth.seed_for(spec.name))
    name = _file_name(spec, fmt)
    target = folder / name
    partial = folder / f".{spec.name}.partial{Path(name).suffix}"
    try:
        if spec.video:
            _write_video(partial, spec, rendered)
            _tag_mp4(partial, spec)
        else:
            _write_audio(partial, rendered, fmt)
            _tag_audio(partial, spec, fmt)
        os.replace(partial, target)
    except Exception as err:
        with contextlib.suppress(OSError):
            partial.unlink()
        if isinstance(err, OSError):
            raise DemoError(f"moodplayer could not write the demo file {target}: {err}") from err
        raise
    p = rendered.params
    return {
        "file": name,
        "size": target.stat().st_size,
        "sha256": _sha256(target),
        "fingerprint": spec.fingerprint(),
        "duration_s": round(rendered.duration_s, 3),
        "seconds_to_make": round(time.perf_counter() - started, 3),
        "cpu_seconds_to_make": round(time.thread_time() - cpu_started, 3),
        "music": {
            "bpm": p.bpm, "mode": p.mode, "progression": list(p.progression),
            "root_midi": p.root_midi, "brightness": round(p.brightness, 3),
            "dissonance": p.dissonance, "loudness_db": p.loudness_db, "drums": p.drums,
            "lead": p.lead,
        },
    }


def _audio_frames(audio, chunk: int):  # -> Iterator[av.AudioFrame]
    import av
    import numpy as np

    from moodplayer.catalog.synth import SAMPLE_RATE

    for start in range(0, audio.shape[1], chunk):
        block = np.ascontiguousarray(audio[:, start : start + chunk], dtype=np.float32)
        frame = av.AudioFrame.from_ndarray(block, format="fltp", layout="stereo")
        frame.sample_rate = SAMPLE_RATE
        frame.pts = start
        yield frame


def _write_audio(path: Path, rendered, fmt: AudioFormat) -> None:
    import av

    from moodplayer.catalog.synth import SAMPLE_RATE

    with av.open(str(path), "w", format=fmt.container) as out:
        options = {"aac_coder": "fast"} if fmt.codec == "aac" else {}
        stream = out.add_stream(fmt.codec, rate=SAMPLE_RATE, layout="stereo", options=options)
        stream.bit_rate = 112_000 if fmt.codec == "libopus" else 160_000
        if fmt.codec == "libopus":  # level 5 of 10: 40 % less time, no audible difference here
            stream.codec_context.options = {"compression_level": "5"}
        for frame in _audio_frames(rendered.audio, 4800):
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def _vad_comment(spec: DemoSpec) -> str:
    v, a, d = spec.vad.as_tuple()
    return (
        f"moodplayer demo, made for the mood valence={v:.2f} arousal={a:.2f} "
        f"dominance={d:.2f} (1-9 scale); seeds: {', '.join(spec.seeds)}"
    )


def _tag_audio(path: Path, spec: DemoSpec, fmt: AudioFormat) -> None:
    v, a, d = (f"{x:.2f}" for x in spec.vad.as_tuple())
    if fmt.extension == ".m4a":
        _tag_mp4(path, spec)
        return
    if fmt.extension == ".mp3":
        from mutagen.id3 import COMM, ID3, TALB, TCON, TIT2, TPE1, TXXX

        tags = ID3()
        tags.add(TIT2(encoding=3, text=spec.title))
        tags.add(TPE1(encoding=3, text=DEMO_ARTIST))
        tags.add(TALB(encoding=3, text=DEMO_ALBUM))
        tags.add(TCON(encoding=3, text=spec.genre))
        tags.add(COMM(encoding=3, lang="eng", desc="", text=_vad_comment(spec)))
        for key, value in (("VALENCE", v), ("AROUSAL", a), ("DOMINANCE", d)):
            tags.add(TXXX(encoding=3, desc=key, text=value))
        tags.save(path)
        return
    from mutagen.oggopus import OggOpus

    audio = OggOpus(path)
    audio["title"] = spec.title
    audio["artist"] = DEMO_ARTIST
    audio["album"] = DEMO_ALBUM
    audio["genre"] = spec.genre
    audio["comment"] = _vad_comment(spec)
    audio["valence"] = v
    audio["arousal"] = a
    audio["dominance"] = d
    audio["mood_tags"] = ", ".join(spec.seeds)
    audio.save()


def _tag_mp4(path: Path, spec: DemoSpec) -> None:
    from mutagen.mp4 import MP4, MP4FreeForm

    media = MP4(path)
    if media.tags is None:
        media.add_tags()
    tags = media.tags
    tags["\xa9nam"] = [spec.title]
    tags["\xa9ART"] = [DEMO_ARTIST]
    tags["\xa9alb"] = [DEMO_ALBUM]
    tags["\xa9gen"] = [spec.genre]
    tags["\xa9cmt"] = [_vad_comment(spec)]
    for key, value in zip(("VALENCE", "AROUSAL", "DOMINANCE"), spec.vad.as_tuple()):
        tags[f"----:org.moodplayer:{key}"] = [MP4FreeForm(f"{value:.2f}".encode())]
    media.save()


# --------------------------------------------------------------------------- video


def _hsv(h: float, s: float, v: float):  # -> np.ndarray (3,) float32 RGB in [0, 1]
    import colorsys

    import numpy as np

    return np.array(colorsys.hsv_to_rgb(h % 1.0, min(1.0, s), min(1.0, v)), np.float32)


class _Painter:
    """Draws the frames of a music video for one mood, in step with its soundtrack."""

    LOW = (54, 96)  # the background field is computed small and scaled up (soft, cheap)

    def __init__(self, spec: DemoSpec, rendered, size: tuple[int, int], fps: int):
        import numpy as np

        from moodplayer.catalog.synth import SAMPLE_RATE

        self.np = np
        self.w, self.h = size
        self.fps = fps
        v, a, d = spec.vad.clamp().as_tuple()
        v01, a01, d01 = (v - 1) / 8, (a - 1) / 8, (d - 1) / 8
        tension = min(1.0, max(0.0, (5 - v) / 2.5)) * min(1.0, max(0.0, (a - 4.2) / 2.0))
        # Blue for low valence, through teal and green to gold and orange for high.
        hue = float(np.interp(v, (1.0, 3.5, 5.5, 7.0, 9.0), (0.66, 0.6, 0.4, 0.22, 0.08)))
        # Tension (low valence, high arousal) turns it, through magenta, to red
        # where dominance is high (anger) and to violet where it is low (fear).
        target = 0.8 + 0.19 * min(1.0, max(0.0, (d - 3.0) / 2.0))
        hue = hue + (target - hue) * min(1.0, 1.25 * tension)
        sat = 0.35 + 0.6 * min(1.0, a01 * 1.3)
        val = 0.5 + 0.3 * v01 + 0.15 * d01
        self.dark = _hsv(hue - 0.05 if v > 6.5 else hue + 0.03, sat, 0.10 + 0.15 * v01)
        self.main = _hsv(hue, sat, val)
        accent_shift = 0.5 if (a > 5.5 and v > 5.5) else 0.09
        self.accent = _hsv(hue + accent_shift, min(1.0, sat + 0.1), min(1.0, val + 0.15))
        self.light = 0.55 * _hsv(hue, sat * 0.4, 1.0) + 0.45
        self.speed = 0.25 + 2.6 * a01
        self.rising = v >= 5.0
        self.title = spec.title
        self.beats = np.asarray(rendered.beat_times, np.float32)
        self.bars = np.asarray(rendered.bar_times, np.float32)
        from moodplayer.catalog.synth import seed_for

        rng = np.random.default_rng(seed_for(spec.name) + 1)
        count = 28 + int(30 * a01)
        self.px = rng.uniform(0, self.w, count).astype(np.float32)
        self.py = rng.uniform(0, self.h, count).astype(np.float32)
        self.pv = rng.uniform(0.5, 1.5, count).astype(np.float32) * (10 + 70 * a01)
        self.pr = rng.integers(1, 4, count)
        self.pphase = rng.uniform(0, 2 * math.pi, count).astype(np.float32)
        ly, lx = self.LOW
        yy, xx = np.mgrid[0:ly, 0:lx].astype(np.float32)
        self.gx = xx / lx * 6.0
        self.gy = yy / ly * 3.4
        self.centre = np.sqrt(((self.gx - 3.0) / 6.0 * lx / ly) ** 2 + ((self.gy - 1.7) / 3.4) ** 2)
        r2 = ((xx - lx / 2) / (lx / 2)) ** 2 + ((yy - ly / 2) / (ly / 2)) ** 2
        self.vignette = (1.0 - 0.45 * np.clip(r2, 0, 1.6) / 1.6)[..., None].astype(np.float32)
        # The soundtrack's energy in 16 bands, one row per video frame.
        mono = rendered.audio.mean(axis=0)
        hop = SAMPLE_RATE / fps
        frames = int(math.ceil(mono.shape[0] / hop))
        win = 2048
        padded = np.concatenate([mono, np.zeros(win, np.float32)])
        starts = (np.arange(frames) * hop).astype(np.int64)
        windows = padded[starts[:, None] + np.arange(win)[None, :]] * np.hanning(win)
        spec_mag = np.abs(np.fft.rfft(windows, axis=1))
        edges = np.unique(np.geomspace(2, win // 2, 17).astype(int))
        bands = np.stack(
            [spec_mag[:, a_:b_].mean(axis=1) for a_, b_ in zip(edges[:-1], edges[1:])], axis=1
        )
        bands = np.log1p(bands * 20.0)
        self.bands = np.clip(bands / (np.percentile(bands, 98, axis=0) + 1e-6), 0, 1.2)
        level = np.sqrt((windows**2).mean(axis=1))
        self.level = np.clip(level / (np.percentile(level, 95) + 1e-6), 0, 1.3)

    def frame(self, index: int):  # -> np.ndarray (h, w, 3) uint8 RGB
        import cv2

        np = self.np
        t = index / self.fps
        s = self.speed * t
        past = self.beats[self.beats <= t]
        since_beat = t - float(past[-1]) if past.size else 10.0
        pulse = math.exp(-since_beat / 0.13)
        bars_past = self.bars[self.bars <= t]
        since_bar = t - float(bars_past[-1]) if bars_past.size else 10.0
        bar_pulse = math.exp(-since_bar / 0.35)
        level = float(self.level[min(index, self.level.shape[0] - 1)])
        cx = 3.0 + 1.6 * math.sin(0.31 * s)
        cy = 1.7 + 0.8 * math.cos(0.23 * s)
        field = (
            np.sin(self.gx * 1.1 + s)
            + np.sin(self.gy * 1.7 - 0.8 * s)
            + np.sin((self.gx + self.gy) * 0.8 + 0.6 * s)
            + np.sin(np.sqrt((self.gx - cx) ** 2 + (self.gy - cy) ** 2) * 2.2 - 1.3 * s)
        )
        f = (field + 4.0) / 8.0
        low = self.dark + f[..., None] * (self.main - self.dark)
        low = low + (f**4)[..., None] * self.accent * (0.35 + 0.4 * bar_pulse)
        # The glow: a soft disc in the middle, swelling on every beat.
        radius = 0.16 + 0.1 * pulse + 0.06 * level
        glow = np.clip(1.0 - self.centre / radius, 0.0, 1.0) ** 1.5 * (0.35 + 0.5 * pulse)
        low = low + glow[..., None] * self.light
        low = (np.clip(low * self.vignette, 0.0, 1.0) * 255.0).astype(np.uint8)
        out = cv2.resize(low, (self.w, self.h), interpolation=cv2.INTER_CUBIC)
        # Spectrum bars along the bottom: the soundtrack's own energy.
        bands = self.bands[min(index, self.bands.shape[0] - 1)]
        n = bands.shape[0]
        bar_w = self.w / (n * 1.6)
        colour = tuple(int(c * 255) for c in np.clip(self.accent * 0.6 + self.light * 0.4, 0, 1))
        for k, e in enumerate(bands):
            x0 = int(self.w * 0.2 + k * self.w * 0.6 / n)
            height = int(4 + e * self.h * 0.22)
            cv2.rectangle(out, (x0, self.h - 6 - height), (int(x0 + bar_w), self.h - 6),
                          colour, -1)
        # Particles: rising bubbles for pleasant moods, falling rain for unpleasant ones.
        direction = -1.0 if self.rising else 1.0
        ys = (self.py + direction * self.pv * t) % self.h
        xs = (self.px + 6.0 * np.sin(self.pphase + t * (0.5 + self.speed))) % self.w
        shine = tuple(int(c * 255) for c in np.clip(self.light * (0.7 + 0.3 * pulse), 0, 1))
        for x, y, r in zip(xs, ys, self.pr):
            if self.rising:
                cv2.circle(out, (int(x), int(y)), int(r + pulse), shine, -1, cv2.LINE_AA)
            else:
                cv2.line(out, (int(x), int(y)), (int(x - 1), int(y + 4 + 2 * r)), shine, 1,
                         cv2.LINE_AA)
        # Title card for the first seconds.
        if t < 4.0:
            alpha = min(1.0, t / 0.6, (4.0 - t) / 0.8)
            card = out.copy()
            font = cv2.FONT_HERSHEY_DUPLEX
            scale = 0.9
            (tw, th), _ = cv2.getTextSize(self.title, font, scale, 2)
            org = ((self.w - tw) // 2, self.h // 2 - 10)
            cv2.putText(card, self.title, org, font, scale, (255, 255, 255), 2, cv2.LINE_AA)
            sub = DEMO_ARTIST
            (sw, _), _ = cv2.getTextSize(sub, font, 0.45, 1)
            cv2.putText(card, sub, ((self.w - sw) // 2, self.h // 2 + 16), font, 0.45,
                        (235, 235, 235), 1, cv2.LINE_AA)
            out = cv2.addWeighted(card, alpha, out, 1.0 - alpha, 0.0)
        return out


def _video_codec() -> str:
    """H.264 (libx264, bundled with PyAV's wheels); MPEG-4 part 2 where a build lacks it."""
    import av

    for name in ("libx264", "mpeg4"):
        try:
            av.Codec(name, "w")
        except Exception:  # PyAV raises UnknownCodecError or ValueError by version
            continue
        return name
    raise DemoError("This FFmpeg build has no H.264 or MPEG-4 encoder to write the demo videos.")


def _write_video(path: Path, spec: DemoSpec, rendered) -> None:
    import av

    from moodplayer.catalog.synth import SAMPLE_RATE

    width, height = VIDEO_SIZE
    painter = _Painter(spec, rendered, VIDEO_SIZE, VIDEO_FPS)
    audio = rendered.audio
    total = audio.shape[1]
    frames = int(math.ceil(total / SAMPLE_RATE * VIDEO_FPS))
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        codec = _video_codec()
        video = out.add_stream(codec, rate=VIDEO_FPS)
        video.width, video.height = width, height
        video.pix_fmt = "yuv420p"
        if codec == "libx264":
            # One encoder thread each: the items are made two at a time already.
            video.options = {"preset": "superfast", "crf": "25", "tune": "animation",
                             "threads": "1"}
        else:
            video.bit_rate = 600_000
        # FFmpeg's "fast" AAC coder: a quarter of the default's time, the same bitrate.
        sound = out.add_stream(
            "aac", rate=SAMPLE_RATE, layout="stereo", options={"aac_coder": "fast"}
        )
        sound.bit_rate = 128_000
        chunks = _audio_frames(audio, 1024)
        written = 0
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(painter.frame(i), format="rgb24")
            frame.pts = i
            out.mux(video.encode(frame))
            # Keep the sound a little ahead of the pictures, so the file interleaves.
            until = min(total, int((i + 1) / VIDEO_FPS * SAMPLE_RATE))
            while written < until:
                chunk = next(chunks)
                out.mux(sound.encode(chunk))
                written += chunk.samples
        for chunk in chunks:
            out.mux(sound.encode(chunk))
        out.mux(video.encode(None))
        out.mux(sound.encode(None))


# --------------------------------------------------------------------------- registration


def _local_item(folder: Path, spec: DemoSpec, entry: dict) -> LocalItem:
    mode = entry.get("music", {}).get("mode", "")
    bpm = entry.get("music", {}).get("bpm")
    how = f" ({mode.replace('_', ' ')}, {bpm:.0f} bpm)" if mode and bpm else ""
    return LocalItem(
        key=spec.key,
        path=str(folder / entry["file"]),
        title=spec.title,
        artist=DEMO_ARTIST,
        album=DEMO_ALBUM,
        genre=spec.genre,
        duration_s=entry.get("duration_s"),
        vad=spec.vad,
        is_video=spec.video,
        source="demo",
        matched_track_id=None,
        estimated=False,
        seeds=list(spec.seeds),
        reason=f"Made by moodplayer for this mood{how}.",
        match_score=None,
    )


def _register(conn: sqlite3.Connection, items: list[LocalItem]) -> None:
    """Bring the database's demo rows in line with ``items`` (writes only on a change)."""
    current = {i.key: i for i in library.list_items(conn, source="demo")}
    wanted = {i.key for i in items}
    changed = [i for i in items if current.get(i.key) != i]
    gone = [(k,) for k in current if k not in wanted]
    if not changed and not gone:
        return
    with conn:
        conn.executemany("DELETE FROM library_items WHERE key = ?", gone)
        for item in changed:
            # A library row for the same path would clash with the UNIQUE path: demo wins.
            conn.execute(
                "DELETE FROM library_items WHERE path = ? AND key != ?", (item.path, item.key)
            )
            library.upsert_item(conn, item, comment="moodplayer demo")


def _remove_stale(folder: Path, stale: dict, items: dict) -> None:
    """Delete files this module made for items that are gone (never anything else)."""
    keep = {e.get("file") for e in items.values() if isinstance(e, dict)}
    for entry in stale.values():
        name = entry.get("file") if isinstance(entry, dict) else None
        if not name or name in keep:
            continue
        path = folder / Path(str(name)).name
        with contextlib.suppress(OSError):
            path.unlink()
            log.info("removed old demo file %s", path)
    for partial in folder.glob(".*.partial.*"):
        with contextlib.suppress(OSError):
            partial.unlink()
