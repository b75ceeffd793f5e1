"""Helpers for the library tests: real media files made here, tags, a small catalog."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import wave
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import numpy as np

SR = 48_000


def _tone(seconds: float, freq: float, rate: int = SR) -> np.ndarray:
    t = np.arange(int(seconds * rate), dtype=np.float32) / rate
    mono = 0.3 * np.sin(2 * np.pi * freq * t) * np.minimum(1.0, t / 0.02)
    return np.stack([mono, mono * 0.8]).astype(np.float32)


def _encode_audio(container, stream, audio: np.ndarray, rate: int) -> None:
    import av

    for start in range(0, audio.shape[1], 1024):
        block = np.ascontiguousarray(audio[:, start : start + 1024])
        frame = av.AudioFrame.from_ndarray(block, format="fltp", layout="stereo")
        frame.sample_rate = rate
        frame.pts = start
        frame.time_base = Fraction(1, rate)
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))


_AUDIO = {  # suffix: (container format, codec, sample rate)
    ".mp3": ("mp3", "libmp3lame", 44_100),
    ".flac": ("flac", "flac", 44_100),
    ".ogg": ("ogg", "libopus", 48_000),
    ".opus": ("ogg", "libopus", 48_000),
    ".m4a": ("ipod", "aac", 44_100),
}
_VIDEO = {  # suffix: (container format, video codec, audio codec)
    ".mp4": ("mp4", "libx264", "aac"),
    ".mkv": ("matroska", "libx264", "libopus"),
    ".webm": ("webm", "libvpx", "libopus"),
}


def write_media(path: Path, seconds: float = 1.0, freq: float = 440.0,
                metadata: dict[str, str] | None = None) -> Path:
    """A real audio or video file of ``seconds`` with a tone (and moving colours for video)."""
    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".wav":
        audio = _tone(seconds, freq, 22_050)
        pcm = (audio.T * 32767).astype("<i2")
        with wave.open(str(path), "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(22_050)
            w.writeframes(pcm.tobytes())
        return path
    if suffix in _AUDIO:
        fmt, codec, rate = _AUDIO[suffix]
        audio = _tone(seconds, freq, rate)
        with av.open(str(path), "w", format=fmt) as out:
            stream = out.add_stream(codec, rate=rate, layout="stereo")
            _encode_audio(out, stream, audio, rate)
        return path
    fmt, vcodec, acodec = _VIDEO[suffix]
    rate = 48_000
    with av.open(str(path), "w", format=fmt) as out:
        if metadata:  # containers mutagen cannot tag get their tags from FFmpeg
            for key, value in metadata.items():
                out.metadata[key] = value
        video = out.add_stream(vcodec, rate=12)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        sound = out.add_stream(acodec, rate=rate, layout="stereo")
        for i in range(int(seconds * 12)):
            img = np.zeros((48, 64, 3), np.uint8)
            img[..., 0] = (i * 20) % 255
            img[:, : (i * 5) % 64, 1] = 200
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        _encode_audio(out, sound, _tone(seconds, freq, rate), rate)
    return path


def tag(path: Path, *, title: str | None = None, artist: str | None = None,
        album: str | None = None, genre: str | None = None, comment: str | None = None) -> None:
    """Write tags with mutagen, the way a tagger program would."""
    suffix = path.suffix.lower()
    values = {"title": title, "artist": artist, "album": album, "genre": genre,
              "comment": comment}
    values = {k: v for k, v in values.items() if v is not None}
    if suffix in (".mp3", ".wav"):
        from mutagen.id3 import COMM, TALB, TCON, TIT2, TPE1

        if suffix == ".mp3":
            from mutagen.id3 import ID3, ID3NoHeaderError

            try:
                tags = ID3(path)
            except ID3NoHeaderError:
                tags = ID3()
            holder = None
        else:
            from mutagen.wave import WAVE

            holder = WAVE(path)
            if holder.tags is None:
                holder.add_tags()
            tags = holder.tags
        frames = {"title": TIT2, "artist": TPE1, "album": TALB, "genre": TCON}
        for key, value in values.items():
            if key == "comment":
                tags.add(COMM(encoding=3, lang="eng", desc="", text=value))
            else:
                tags.add(frames[key](encoding=3, text=value))
        if holder is None:
            tags.save(path)
        else:
            holder.save()
        return
    if suffix in (".m4a", ".mp4"):
        from mutagen.mp4 import MP4

        media = MP4(path)
        if media.tags is None:
            media.add_tags()
        keys = {"title": "\xa9nam", "artist": "\xa9ART", "album": "\xa9alb",
                "genre": "\xa9gen", "comment": "\xa9cmt"}
        for key, value in values.items():
            media.tags[keys[key]] = [value]
        media.save()
        return
    import mutagen

    media = mutagen.File(path)  # FLAC, Ogg Opus: Vorbis comments
    if media.tags is None:
        media.add_tags()
    for key, value in values.items():
        media[key] = value
    media.save()


def add_catalog(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """Catalog rows ``(artist, track, genre, seeds, valence, arousal, dominance[, tags])``."""
    import json

    with conn:
        for row in rows:
            artist, track, genre, seeds, v, a, d, *rest = row
            conn.execute(
                "INSERT INTO tracks (uid, track, artist, genre, seeds, number_of_emotion_tags, "
                "valence, arousal, dominance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (f"{artist}|{track}", track, artist, genre, json.dumps(list(seeds)),
                 int(rest[0]) if rest else 5, v, a, d),
            )


#: A small catalog: accents, articles, apostrophes and genres to estimate from.
CATALOG = [
    ("Beyoncé", "Crazy in Love", "r&b", ["sexy", "energetic"], 7.1, 5.9, 6.2),
    ("Sigur Rós", "Hoppípolla", "post-rock", ["ethereal", "uplifting"], 6.6, 4.0, 5.7),
    ("The Beatles", "Hey Jude", "rock", ["sentimental", "warm"], 6.9, 4.1, 5.9),
    ("Queen", "Don't Stop Me Now", "rock", ["happy", "energetic"], 7.8, 6.3, 6.9),
    ("Radiohead", "Exit Music (For a Film)", "alternative", ["melancholy", "dark"],
     2.9, 3.8, 4.2),
    ("Adele", "Someone Like You", "pop", ["sad", "melancholy"], 2.6, 3.3, 4.0),
    ("Metallica", "St. Anger", "metal", ["aggressive", "angry"], 3.1, 6.2, 5.4),
    ("Slayer", "Angel of Death", "metal", ["aggressive", "dark"], 2.4, 6.6, 5.0),
]


def folder_snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under ``folder``: files by content hash, size and mtime; folders by mtime."""
    out: dict[str, tuple] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            p = Path(root, name)
            out[str(p.relative_to(folder)) + "/"] = ("dir", p.stat().st_mtime_ns)
        for name in files:
            p = Path(root, name)
            st = p.stat()
            digest = hashlib.sha256(p.read_bytes()).hexdigest()
            out[str(p.relative_to(folder))] = (digest, st.st_size, st.st_mtime_ns, st.st_mode)
    return out
