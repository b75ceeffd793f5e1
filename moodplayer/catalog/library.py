"""The user's own music (and the demo library) as playable items with a mood.

A user adds folders; :func:`scan` walks them, reads each audio or video file's
tags (mutagen, PyAV for containers mutagen does not read), and gives every file
a point in valence-arousal-dominance space:

* **matched**: the file's artist and title match a MuSe catalog track (after
  normalisation, fuzzily, see :func:`normalise_artist`, :func:`normalise_title`
  and :data:`MATCH_THRESHOLD`), and the file takes that track's VAD and seed tags;
* **estimated**: otherwise the VAD is the mean of the catalog tracks of the
  file's genre, else of the catalog tracks carrying seed tags named in the file's
  genre or comment, else the catalog mean (else neutral, when no catalog is
  imported yet). The reason is stored and shown.

moodplayer only ever reads the user's folders: files are opened read-only and
nothing (tags, covers, caches) is written beside them. Rescans compare each
file's size and modification time with the index and re-read only what changed;
files that disappeared from a folder that is still there are dropped from the
index. When the catalog changes, the next scan (or :func:`rematch`) matches the
indexed files again from their stored tags without re-reading them.

The index lives in the moodplayer database in the tables ``library_folders``,
``library_items`` and ``library_meta`` (see :func:`ensure_schema`). The MuSe
catalog is read from the ``tracks`` table of :mod:`moodplayer.catalog.store`.
"""

from __future__ import annotations

import ast
import difflib
import json
import logging
import os
import re
import sqlite3
import threading
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from moodplayer.errors import CatalogError
from moodplayer.mood.vad import NEUTRAL_VAD, VAD

log = logging.getLogger(__name__)

AUDIO_EXTENSIONS: frozenset[str] = frozenset({".mp3", ".flac", ".ogg", ".opus", ".m4a", ".wav"})
VIDEO_EXTENSIONS: frozenset[str] = frozenset({".mp4", ".mkv", ".webm"})
MEDIA_EXTENSIONS: frozenset[str] = AUDIO_EXTENSIONS | VIDEO_EXTENSIONS

#: A file matches a catalog track when both its normalised artist and its
#: normalised title are at least this similar to the track's (similarity is the
#: larger of difflib's ratio on the strings and on their sorted words, so word
#: order does not matter). 0.85 lets through a typo or a dropped word in a
#: typical 10-20 character name ("Beatles" / "The Beatles" after the article is
#: dropped, "Dont Stop Me Now" / "Don't Stop Me Now") and keeps apart different
#: songs whose names share most letters only by chance ("Yesterday" /
#: "Yesterday Once More" scores 0.64).
MATCH_THRESHOLD = 0.85

#: Weight of the title in a match's score; the artist has the rest.
TITLE_WEIGHT = 0.6

#: How often a scan commits, in files: a cancelled or crashed scan keeps what it indexed.
COMMIT_EVERY = 25

SCHEMA_VERSION = 1

ProgressCallback = Callable[[int, int, str], None]
CancelToken = Callable[[], bool] | threading.Event | None


class LibraryError(CatalogError):
    """A library folder could not be added, read or removed."""


# --------------------------------------------------------------------------- values


@dataclass
class LocalItem:
    """A playable file on this machine: one of the user's own, or a demo item.

    ``key`` is ``"file:<absolute path>"`` for the user's files and
    ``"demo:<name>"`` for demo items. ``estimated`` is True when the VAD was
    estimated rather than taken from a matched catalog track; ``reason`` says how
    the VAD was found, in a sentence.
    """

    key: str
    path: str
    title: str
    artist: str
    album: str
    genre: str
    duration_s: float | None
    vad: VAD
    is_video: bool
    source: str
    matched_track_id: int | None
    estimated: bool
    seeds: list[str] = field(default_factory=list)
    reason: str = ""
    match_score: float | None = None

    def exists(self) -> bool:
        return os.path.isfile(self.path)

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "path": self.path,
            "title": self.title,
            "artist": self.artist,
            "album": self.album,
            "genre": self.genre,
            "duration_s": None if self.duration_s is None else round(self.duration_s, 2),
            "valence": round(self.vad.valence, 3),
            "arousal": round(self.vad.arousal, 3),
            "dominance": round(self.vad.dominance, 3),
            "is_video": self.is_video,
            "source": self.source,
            "matched_track_id": self.matched_track_id,
            "match_score": None if self.match_score is None else round(self.match_score, 3),
            "estimated": self.estimated,
            "seeds": list(self.seeds),
            "reason": self.reason,
        }


@dataclass
class ScanReport:
    """What a scan did. ``errors`` holds ``(path, message)`` for files that could not be read."""

    folders: list[str] = field(default_factory=list)
    seen: int = 0
    added: int = 0
    updated: int = 0
    rematched: int = 0
    unchanged: int = 0
    removed: int = 0
    matched: int = 0
    estimated: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    missing_folders: list[str] = field(default_factory=list)
    cancelled: bool = False
    elapsed_s: float = 0.0

    def summary(self) -> str:
        state = "cancelled" if self.cancelled else "done"
        parts = [
            f"Scan {state}: {self.seen} media files in {len(self.folders)} folder(s)",
            f"{self.added} new, {self.updated} changed, {self.removed} removed, "
            f"{self.unchanged} unchanged",
        ]
        if self.rematched:
            parts.append(f"{self.rematched} matched again against the new catalog")
        if self.added or self.updated or self.rematched:
            parts.append(
                f"of those: {self.matched} matched to catalog songs, "
                f"{self.estimated} with an estimated mood"
            )
        if self.errors:
            parts.append(f"{len(self.errors)} unreadable")
        if self.missing_folders:
            parts.append(f"{len(self.missing_folders)} folder(s) missing, their files kept")
        return "; ".join(parts) + f" ({self.elapsed_s:.1f} s)."

    def to_json(self) -> dict:
        return {
            "folders": self.folders,
            "seen": self.seen,
            "added": self.added,
            "updated": self.updated,
            "rematched": self.rematched,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "matched": self.matched,
            "estimated": self.estimated,
            "errors": [{"path": p, "message": m} for p, m in self.errors],
            "missing_folders": self.missing_folders,
            "cancelled": self.cancelled,
            "elapsed_s": round(self.elapsed_s, 3),
        }


# --------------------------------------------------------------------------- schema

_SCHEMA = """
CREATE TABLE IF NOT EXISTS library_folders (
    path TEXT PRIMARY KEY,
    added_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS library_items (
    key TEXT PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL CHECK (source IN ('library', 'demo')),
    title TEXT NOT NULL,
    artist TEXT NOT NULL DEFAULT '',
    album TEXT NOT NULL DEFAULT '',
    genre TEXT NOT NULL DEFAULT '',
    comment TEXT NOT NULL DEFAULT '',
    duration_s REAL,
    valence REAL NOT NULL,
    arousal REAL NOT NULL,
    dominance REAL NOT NULL,
    is_video INTEGER NOT NULL DEFAULT 0,
    matched_track_id INTEGER,
    match_score REAL,
    estimated INTEGER NOT NULL DEFAULT 1,
    reason TEXT NOT NULL DEFAULT '',
    seeds TEXT NOT NULL DEFAULT '[]',
    mtime_ns INTEGER,
    size INTEGER,
    catalog_sig TEXT NOT NULL DEFAULT '',
    scanned_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS library_items_source ON library_items (source);
CREATE TABLE IF NOT EXISTS library_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the library tables if they are missing (safe to call every time).

    When they exist this is one read, so it never commits a caller's open transaction.
    """
    try:
        row = conn.execute(
            "SELECT value FROM library_meta WHERE name = 'schema_version'"
        ).fetchone()
    except sqlite3.OperationalError:
        row = None
    if row is not None and row[0] == str(SCHEMA_VERSION):
        return
    conn.executescript(_SCHEMA)
    conn.execute(
        "INSERT OR IGNORE INTO library_meta (name, value) VALUES ('schema_version', ?)",
        (str(SCHEMA_VERSION),),
    )
    conn.commit()


def connect(path: Path | None = None) -> sqlite3.Connection:
    """The moodplayer database with the library tables (the catalog store's when present)."""
    try:
        from moodplayer.catalog import store
    except ImportError:
        store = None
    if store is not None and hasattr(store, "connect"):
        conn = store.connect(path)
    else:  # until the catalog store exists: a plain WAL database at the same place
        from moodplayer import paths

        target = path or paths.database_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(target)
        conn.execute("PRAGMA journal_mode=WAL")
    ensure_schema(conn)
    return conn


# --------------------------------------------------------------------------- folders


def _folder_path(folder: str | os.PathLike[str]) -> Path:
    return Path(folder).expanduser().resolve()


def add_folder(conn: sqlite3.Connection, folder: str | os.PathLike[str]) -> Path:
    """Register ``folder`` for scanning and return its absolute path (does not scan)."""
    ensure_schema(conn)
    path = _folder_path(folder)
    if not path.exists():
        raise LibraryError(f"The folder {path} does not exist.")
    if not path.is_dir():
        raise LibraryError(f"{path} is a file, not a folder: add the folder that holds it.")
    if not os.access(path, os.R_OK | os.X_OK):
        raise LibraryError(f"moodplayer may not read the folder {path}: check its permissions.")
    with conn:
        conn.execute(
            "INSERT OR IGNORE INTO library_folders (path, added_at) VALUES (?, ?)",
            (str(path), time.time()),
        )
    log.info("library folder added: %s", path)
    return path


def list_folders(conn: sqlite3.Connection) -> list[Path]:
    ensure_schema(conn)
    return [Path(r[0]) for r in conn.execute("SELECT path FROM library_folders ORDER BY path")]


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def remove_folder(conn: sqlite3.Connection, folder: str | os.PathLike[str]) -> int:
    """Forget ``folder`` and the files indexed from it; return how many items went.

    Files also inside another registered folder stay. The files themselves are
    never touched.
    """
    ensure_schema(conn)
    path = str(_folder_path(folder))
    known = [str(p) for p in list_folders(conn)]
    if path not in known:
        # The folder may be gone from disk, so also accept the stored spelling.
        raw = str(Path(folder).expanduser().absolute())
        if raw not in known:
            raise LibraryError(f"The folder {path} is not in the library.")
        path = raw
    others = [f for f in known if f != path]
    rows = conn.execute(
        "SELECT key, path FROM library_items WHERE source = 'library'"
    ).fetchall()
    gone = [
        (key,)
        for key, item_path in rows
        if _under(item_path, path) and not any(_under(item_path, o) for o in others)
    ]
    with conn:
        conn.execute("DELETE FROM library_folders WHERE path = ?", (path,))
        conn.executemany("DELETE FROM library_items WHERE key = ?", gone)
    log.info("library folder removed: %s (%d items)", path, len(gone))
    return len(gone)


# --------------------------------------------------------------------------- items


_ITEM_COLUMNS = (
    "key, path, title, artist, album, genre, duration_s, valence, arousal, dominance, "
    "is_video, source, matched_track_id, estimated, seeds, reason, match_score"
)


def _item_from_row(row: tuple) -> LocalItem:
    (key, path, title, artist, album, genre, duration, v, a, d, is_video, source, track_id,
     estimated, seeds, reason, score) = row
    return LocalItem(
        key=key,
        path=path,
        title=title,
        artist=artist,
        album=album,
        genre=genre,
        duration_s=duration,
        vad=VAD(v, a, d),
        is_video=bool(is_video),
        source=source,
        matched_track_id=track_id,
        estimated=bool(estimated),
        seeds=_parse_seeds(seeds),
        reason=reason,
        match_score=score,
    )


def list_items(conn: sqlite3.Connection, source: str | None = None) -> list[LocalItem]:
    """Every indexed item (library and demo, or only ``source``), whether or not its file exists."""
    ensure_schema(conn)
    sql = f"SELECT {_ITEM_COLUMNS} FROM library_items"
    args: tuple = ()
    if source is not None:
        sql += " WHERE source = ?"
        args = (source,)
    sql += " ORDER BY source DESC, artist COLLATE NOCASE, title COLLATE NOCASE, path"
    return [_item_from_row(r) for r in conn.execute(sql, args)]


def playable_items(conn: sqlite3.Connection) -> list[LocalItem]:
    """Every library and demo item whose file exists on disk now."""
    return [item for item in list_items(conn) if item.exists()]


def get_item(conn: sqlite3.Connection, key: str) -> LocalItem | None:
    ensure_schema(conn)
    row = conn.execute(
        f"SELECT {_ITEM_COLUMNS} FROM library_items WHERE key = ?", (key,)
    ).fetchone()
    return None if row is None else _item_from_row(row)


def upsert_item(
    conn: sqlite3.Connection,
    item: LocalItem,
    *,
    comment: str = "",
    mtime_ns: int | None = None,
    size: int | None = None,
    catalog_sig: str = "",
) -> None:
    """Insert or replace one item (the caller commits)."""
    conn.execute(
        "INSERT OR REPLACE INTO library_items (key, path, source, title, artist, album, genre, "
        "comment, duration_s, valence, arousal, dominance, is_video, matched_track_id, "
        "match_score, estimated, reason, seeds, mtime_ns, size, catalog_sig, scanned_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            item.key,
            item.path,
            item.source,
            item.title,
            item.artist,
            item.album,
            item.genre,
            comment,
            item.duration_s,
            float(item.vad.valence),
            float(item.vad.arousal),
            float(item.vad.dominance),
            int(item.is_video),
            item.matched_track_id,
            item.match_score,
            int(item.estimated),
            item.reason,
            json.dumps(list(item.seeds)),
            mtime_ns,
            size,
            catalog_sig,
            time.time(),
        ),
    )


def _parse_seeds(text: object) -> list[str]:
    """Seed tags from JSON (``["sad", "dark"]``), a Python-style list string or a comma list."""
    if text is None:
        return []
    if isinstance(text, list | tuple):
        return [str(s).strip() for s in text if str(s).strip()]
    raw = str(text).strip()
    if not raw:
        return []
    if raw.startswith("["):
        for parse in (json.loads, ast.literal_eval):
            try:
                value = parse(raw)
            except (ValueError, SyntaxError, TypeError):
                continue
            if isinstance(value, list | tuple):
                return [str(s).strip() for s in value if str(s).strip()]
        raw = raw.strip("[]")
    return [s.strip(" '\"") for s in raw.split(",") if s.strip(" '\"")]


# --------------------------------------------------------------------------- normalisation

_SPECIAL_LETTERS = str.maketrans(
    {"ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "đ": "d", "Đ": "d",
     "ł": "l", "Ł": "l", "ħ": "h", "ı": "i", "þ": "th", "ð": "d"}
)
_BRACKETED = re.compile(r"[\(\[\{][^\)\]\}]*[\)\]\}]")
_FEAT = re.compile(r"\s(?:feat|ft|featuring)\b\.?.*$")
_VERSION_WORDS = (
    r"remaster(?:ed)?|live|version|edit|mix|remix|mono|stereo|demo|acoustic|radio|single|"
    r"bonus|instrumental|original|extended|deluxe|explicit|clean|take|session|mtv|unplugged"
)
_DASH_SUFFIX = re.compile(rf"\s+[-–—]\s+[^-–—]*\b(?:{_VERSION_WORDS})\b[^-–—]*$")
_APOSTROPHES = re.compile(r"['’‘`´]")
_NON_ALNUM = re.compile(r"[\W_]+")  # keeps letters and digits of every script


def _fold(text: str) -> str:
    """Case-folded text without accents: ``"Beyoncé"`` -> ``"beyonce"``.

    Accents are dropped from Latin, Greek and Cyrillic letters only; marks that
    are part of other scripts (Japanese voicing marks, Hangul syllables) stay.
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL_LETTERS))
    kept = []
    base = 0
    for ch in decomposed:
        if unicodedata.combining(ch):
            if base < 0x0530:
                continue
        else:
            base = ord(ch)
        kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)).casefold()


def _collapse(text: str) -> str:
    if "&" in text or "+" in text:
        text = text.replace("&", " and ").replace("+", " and ")
    if "'" in text or "’" in text or "‘" in text or "`" in text or "´" in text:
        text = _APOSTROPHES.sub("", text)
    return _NON_ALNUM.sub(" ", text).strip()


def _strip_extras(text: str) -> str:
    if "(" in text or "[" in text or "{" in text:
        text = _BRACKETED.sub(" ", text)
    if " f" in text:
        text = _FEAT.sub("", text)
    return text


def normalise_title(title: str) -> str:
    """A title reduced for matching.

    Case and accents are folded; bracketed parts (``"(Remastered 2011)"``,
    ``"[Live]"``, ``"(feat. X)"``), a trailing ``"feat. X"`` / ``"ft. X"`` /
    ``"featuring X"`` and a trailing ``" - 2011 Remaster"``-style version note
    are removed; ``&`` becomes ``and``; apostrophes go and other punctuation
    becomes single spaces. Letters of every script are kept.
    """
    folded = _fold(title)
    text = _strip_extras(folded)
    if " -" in text or "–" in text or "—" in text:
        text = _DASH_SUFFIX.sub("", text)
    out = _collapse(text)
    return out or _collapse(folded)


def normalise_artist(artist: str) -> str:
    """An artist name reduced for matching: as :func:`normalise_title`, minus a leading "the"."""
    folded = _fold(artist)
    out = _collapse(_strip_extras(folded))
    if out.startswith("the ") and len(out) > 4:
        out = out[4:]
    return out or _collapse(folded)


def similarity(a: str, b: str, floor: float = 0.0) -> float:
    """Similarity of two normalised names in [0, 1]: difflib's ratio, word order ignored.

    With ``floor``, pairs that cannot reach it return 0 early (difflib's cheap
    upper bounds), which keeps matching against a large catalog fast.
    """
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    sa, sb = " ".join(sorted(a.split())), " ".join(sorted(b.split()))
    if sa == sb:
        return 0.99
    best = 0.0
    for x, y in ((a, b), (sa, sb)):
        matcher = difflib.SequenceMatcher(None, x, y, autojunk=False)
        if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
            continue
        best = max(best, matcher.ratio())
    return best


# --------------------------------------------------------------------------- catalog view


def catalog_signature(conn: sqlite3.Connection) -> str:
    """A string that changes whenever the catalog's tracks change ("" without a catalog).

    The catalog store's generation number (set by every import) when there is
    one, which costs a lookup; else a checksum over the ``tracks`` table.
    """
    if not _has_tracks_table(conn):
        return ""
    count = conn.execute("SELECT count(*) FROM tracks").fetchone()[0]
    if not count:
        return ""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'catalog_generation'").fetchone()
    except sqlite3.DatabaseError:
        row = None
    if row and str(row[0]) not in ("", "0"):
        return f"g{row[0]}:{count}"
    row = conn.execute(
        "SELECT coalesce(max(id), 0), round(total(valence + 2 * arousal + 3 * dominance), 3) "
        "FROM tracks"
    ).fetchone()
    return f"{count}:{row[0]}:{row[1]}"


def rematch_if_stale(conn: sqlite3.Connection) -> int:
    """:func:`rematch` when the catalog changed since the library was matched (cheap check)."""
    ensure_schema(conn)
    stale = conn.execute(
        "SELECT 1 FROM library_items WHERE source = 'library' AND catalog_sig != ? LIMIT 1",
        (catalog_signature(conn),),
    ).fetchone()
    return rematch(conn) if stale else 0


def _has_tracks_table(conn: sqlite3.Connection) -> bool:
    return _tracks_columns(conn) >= {"id", "track", "artist", "valence", "arousal", "dominance"}


def _tracks_columns(conn: sqlite3.Connection) -> set[str]:
    try:
        return {r[1] for r in conn.execute("PRAGMA table_info(tracks)")}
    except sqlite3.DatabaseError:
        return set()


@dataclass
class CatalogTrack:
    id: int
    track: str
    artist: str
    genre: str
    seeds: list[str]
    vad: VAD
    tags: int


@dataclass
class Match:
    track: CatalogTrack
    score: float


class CatalogView:
    """The MuSe catalog as needed for matching files and estimating moods.

    Reads the catalog store's ``tracks`` table (id, track, artist, genre, seeds,
    valence, arousal, dominance, number_of_emotion_tags) lazily, once; rows are
    kept as plain tuples and turned into :class:`CatalogTrack` only when used.
    """

    _MAX_TOKEN_ARTISTS = 3000  # a word shared by more artists than this is no clue

    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn
        self.signature = catalog_signature(conn)
        self._rows: list[tuple] | None = None
        self._exact: dict[tuple[str, str], int] = {}
        self._by_artist: dict[str, list[tuple[str, int]]] = {}
        self._by_title: dict[str, list[int]] = {}
        self._artist_tokens: dict[str, set[str]] = {}
        self._prefixes: dict[str, list[str]] | None = None
        self._genres: dict[str, tuple[VAD, int]] | None = None
        self._seed_index: dict[str, list[int]] | None = None
        self._seed_cache: dict[str, list[str]] = {}
        self._mean: tuple[VAD, int] | None = None

    @property
    def available(self) -> bool:
        return bool(self.signature)

    def rows(self) -> list[tuple]:
        """``(id, track, artist, genre, seeds text, valence, arousal, dominance, tags)`` rows."""
        if self._rows is None:
            self._load()
        assert self._rows is not None
        return self._rows

    def track(self, index: int) -> CatalogTrack:
        tid, track, artist, genre, seeds, v, a, d, n = self.rows()[index]
        return CatalogTrack(
            int(tid), track or "", artist or "", genre or "", self._seeds(seeds),
            VAD(float(v), float(a), float(d)), int(n or 0),
        )

    def _seeds(self, text: object) -> list[str]:
        key = str(text)
        if key not in self._seed_cache:
            self._seed_cache[key] = _parse_seeds(text)
        return list(self._seed_cache[key])

    def _load(self) -> None:
        self._rows = []
        if not self.available:
            return
        started = time.perf_counter()
        cols = _tracks_columns(self._conn)
        genre = "genre" if "genre" in cols else "''"
        seeds = "seeds" if "seeds" in cols else "'[]'"
        tags = "number_of_emotion_tags" if "number_of_emotion_tags" in cols else "0"
        self._rows = rows = self._conn.execute(
            f"SELECT id, track, artist, {genre}, {seeds}, valence, arousal, dominance, {tags} "
            "FROM tracks WHERE valence IS NOT NULL AND arousal IS NOT NULL "
            "AND dominance IS NOT NULL"
        ).fetchall()
        exact = self._exact
        best_tags: dict[tuple[str, str], int] = {}
        by_artist = self._by_artist
        by_title = self._by_title
        for index, row in enumerate(rows):
            na, nt = normalise_artist(row[2] or ""), normalise_title(row[1] or "")
            key = (na, nt)
            n = row[8] or 0
            if key not in exact or n > best_tags[key]:
                exact[key] = index
                best_tags[key] = n
            by_artist.setdefault(na, []).append((nt, index))
            by_title.setdefault(nt, []).append(index)
        for na in by_artist:
            for token in set(na.split()):
                self._artist_tokens.setdefault(token, set()).add(na)
        log.info(
            "catalog loaded for matching: %d tracks in %.2f s",
            len(rows), time.perf_counter() - started,
        )

    # -- matching

    def match(self, artist: str, title: str) -> Match | None:
        """The catalog track for a file's artist and title, or None (:data:`MATCH_THRESHOLD`)."""
        rows = self.rows()
        if not rows:
            return None
        na, nt = normalise_artist(artist), normalise_title(title)
        if not nt:
            return None
        exact = self._exact.get((na, nt))
        if exact is not None:
            return Match(self.track(exact), 1.0)
        if not na:
            # No artist: accept a title only when exactly one catalog song has it.
            same = self._by_title.get(nt, [])
            return Match(self.track(same[0]), TITLE_WEIGHT) if len(same) == 1 else None
        best: tuple[float, int, int] | None = None  # (score, tags, index)
        for cand_artist, artist_score in self._candidate_artists(na):
            for cand_title, index in self._by_artist[cand_artist]:
                title_score = similarity(nt, cand_title, MATCH_THRESHOLD)
                if title_score < MATCH_THRESHOLD:
                    continue
                score = TITLE_WEIGHT * title_score + (1 - TITLE_WEIGHT) * artist_score
                candidate = (score, int(rows[index][8] or 0), -index)
                if best is None or candidate > best:
                    best = candidate
        return None if best is None else Match(self.track(-best[2]), best[0])

    def _candidate_artists(self, na: str) -> Iterable[tuple[str, float]]:
        if na in self._by_artist:
            yield na, 1.0
        pool: set[str] = set()
        tokens = sorted(set(na.split()), key=lambda t: len(self._artist_tokens.get(t, ())))
        for token in tokens:
            found = self._artist_tokens.get(token, set())
            if len(found) <= self._MAX_TOKEN_ARTISTS or not pool:
                pool |= found
        if not pool:
            # A typo in every word: artists with a word that starts like one of ours.
            prefixes = self._token_prefixes()
            for token in tokens:
                for similar in prefixes.get(token[:3], ()):
                    found = self._artist_tokens[similar]
                    if len(found) <= self._MAX_TOKEN_ARTISTS:
                        pool |= found
        pool.discard(na)
        for cand in pool:
            score = similarity(na, cand, MATCH_THRESHOLD)
            if score >= MATCH_THRESHOLD:
                yield cand, score

    def _token_prefixes(self) -> dict[str, list[str]]:
        if self._prefixes is None:
            prefixes: dict[str, list[str]] = defaultdict(list)
            for token in self._artist_tokens:
                prefixes[token[:3]].append(token)
            self._prefixes = dict(prefixes)
        return self._prefixes

    # -- mood statistics

    def mean(self) -> tuple[VAD, int]:
        if self._mean is None:
            rows = self.rows()
            self._mean = (_mean_rows(rows), len(rows))
        return self._mean

    def genre_mean(self, genre: str) -> tuple[VAD, int, str] | None:
        """Mean VAD of the catalog tracks of ``genre`` (or of its parts: "rock/pop")."""
        if self._genres is None:
            groups: dict[str, list[tuple]] = defaultdict(list)
            for row in self.rows():
                if row[3]:
                    groups[_collapse(_fold(row[3]))].append(row)
            self._genres = {g: (_mean_rows(r), len(r)) for g, r in groups.items()}
        whole = _collapse(_fold(genre))
        names = [whole] if whole in self._genres else []
        if not names:
            names = [
                p for p in (_collapse(_fold(x)) for x in re.split(r"[/;,|]", genre))
                if p in self._genres
            ]
        if not names:
            return None
        total = sum(self._genres[n][1] for n in names)
        vad = _weighted([(self._genres[n][0], self._genres[n][1]) for n in names])
        return vad, total, ", ".join(names)

    def seed_mean(self, text: str) -> tuple[VAD, int, list[str]] | None:
        """Mean VAD of catalog tracks whose seed tags are named in ``text`` (genre, comment)."""
        if self._seed_index is None:
            index: dict[str, list[int]] = defaultdict(list)
            for i, row in enumerate(self.rows()):
                for seed in self._seeds(row[4]):
                    index[_collapse(_fold(seed))].append(i)
            self._seed_index = dict(index)
        words = _collapse(_fold(text)).split()
        phrases = set(words) | {" ".join(p) for p in zip(words, words[1:])}
        tags = sorted(p for p in phrases if p in self._seed_index)
        if not tags:
            return None
        members = sorted({i for tag in tags for i in self._seed_index[tag]})
        rows = self.rows()
        return _mean_rows([rows[i] for i in members]), len(members), tags


def _mean_rows(rows: list[tuple]) -> VAD:
    """Mean VAD of catalog rows (valence, arousal, dominance at 5, 6, 7)."""
    if not rows:
        return NEUTRAL_VAD
    n = len(rows)
    return VAD(
        sum(r[5] for r in rows) / n, sum(r[6] for r in rows) / n, sum(r[7] for r in rows) / n
    )


def _weighted(points: list[tuple[VAD, int]]) -> VAD:
    total = sum(w for _, w in points) or 1
    return VAD(
        sum(p.valence * w for p, w in points) / total,
        sum(p.arousal * w for p, w in points) / total,
        sum(p.dominance * w for p, w in points) / total,
    )


@dataclass
class MoodResult:
    vad: VAD
    estimated: bool
    reason: str
    seeds: list[str]
    track_id: int | None = None
    score: float | None = None


def assign_mood(catalog: CatalogView, tags: FileTags) -> MoodResult:
    """The VAD of a file: its matched catalog track's, else an estimate (see module doc)."""
    if catalog.available:
        found = catalog.match(tags.artist, tags.title)
        if found is not None:
            t = found.track
            how = "exactly" if found.score >= 1.0 else f"with similarity {found.score:.2f}"
            return MoodResult(
                t.vad, False,
                f"Matched {how} to the catalog song '{t.track}' by {t.artist}.",
                list(t.seeds), t.id, found.score,
            )
        if tags.genre:
            by_genre = catalog.genre_mean(tags.genre)
            if by_genre is not None:
                vad, n, names = by_genre
                return MoodResult(
                    vad, True,
                    f"Not in the catalog; mood estimated from the mean of {n} catalog "
                    f"songs in the genre '{names}'.",
                    [],
                )
        by_seeds = catalog.seed_mean(f"{tags.genre} {tags.comment}")
        if by_seeds is not None:
            vad, n, seeds = by_seeds
            return MoodResult(
                vad, True,
                f"Not in the catalog; mood estimated from {n} catalog songs tagged "
                + ", ".join(f"'{s}'" for s in seeds) + ".",
                seeds,
            )
        vad, n = catalog.mean()
        about = (
            f"and neither is its genre '{tags.genre}'" if tags.genre else "and it has no genre tag"
        )
        return MoodResult(
            vad, True,
            f"Not in the catalog, {about}; mood set to the mean of all {n} catalog songs.",
            [],
        )
    return MoodResult(
        NEUTRAL_VAD, True,
        "No catalog imported yet; a neutral mood is assumed until the next scan after import.",
        [],
    )


# --------------------------------------------------------------------------- tags


@dataclass
class FileTags:
    title: str
    artist: str
    album: str = ""
    genre: str = ""
    comment: str = ""
    duration_s: float | None = None
    from_filename: bool = False


_TRACK_NUMBER = re.compile(r"^\s*(?:\d{1,3}|[a-d]\d{1,2})(?:\s*[-._)]\s*|\s+)(?=\S)", re.I)


def tags_from_filename(path: str | os.PathLike[str]) -> tuple[str, str]:
    """``(artist, title)`` from a file name such as ``"03 - Artist - Title.mp3"``."""
    stem = Path(path).stem.replace("_", " ").strip()
    stem = _TRACK_NUMBER.sub("", stem, count=1) or stem
    if " - " in stem:
        artist, title = stem.split(" - ", 1)
        if artist.strip() and title.strip():
            return artist.strip(), title.strip()
    return "", stem


def _first_text(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "genres"):  # ID3 TCON: resolves "(17)" style genres
        genres = value.genres
        return str(genres[0]).strip() if genres else ""
    if hasattr(value, "text"):
        text = value.text
        return str(text[0]).strip() if text else ""
    if isinstance(value, list | tuple):
        return _first_text(value[0]) if value else ""
    return str(value).strip()


def _mutagen_tags(path: str) -> FileTags | None:
    import mutagen
    from mutagen.id3 import ID3
    from mutagen.mp4 import MP4Tags

    try:
        audio = mutagen.File(path)
    except Exception as err:  # mutagen raises many types for broken files
        log.debug("mutagen could not read %s: %s", path, err)
        return None
    if audio is None:
        return None
    duration = getattr(audio.info, "length", None) if audio.info else None
    tags = audio.tags
    values = {"title": "", "artist": "", "album": "", "genre": "", "comment": ""}
    if isinstance(tags, ID3):
        values["title"] = _first_text(tags.get("TIT2"))
        values["artist"] = _first_text(tags.get("TPE1")) or _first_text(tags.get("TPE2"))
        values["album"] = _first_text(tags.get("TALB"))
        values["genre"] = _first_text(tags.get("TCON"))
        comments = tags.getall("COMM")
        values["comment"] = " ".join(_first_text(c) for c in comments)
    elif isinstance(tags, MP4Tags):
        values["title"] = _first_text(tags.get("\xa9nam"))
        values["artist"] = _first_text(tags.get("\xa9ART")) or _first_text(tags.get("aART"))
        values["album"] = _first_text(tags.get("\xa9alb"))
        values["genre"] = _first_text(tags.get("\xa9gen"))
        values["comment"] = _first_text(tags.get("\xa9cmt"))
    elif tags is not None and hasattr(tags, "keys"):  # Vorbis comments, APE, ...
        # VComment is a list of (key, value) pairs: iterate its keys(), not itself.
        lower = {str(k).lower(): k for k in list(tags.keys())}
        for name, keys in (
            ("title", ("title",)),
            ("artist", ("artist", "albumartist", "album artist")),
            ("album", ("album",)),
            ("genre", ("genre",)),
            ("comment", ("comment", "description")),
        ):
            for k in keys:
                if k in lower:
                    values[name] = _first_text(tags[lower[k]])
                    if values[name]:
                        break
    return FileTags(duration_s=float(duration) if duration else None, **values)


def _pyav_tags(path: str) -> FileTags | None:
    import av

    try:
        with av.open(path, metadata_errors="ignore") as container:
            if not container.streams.audio and not container.streams.video:
                return None
            meta = {str(k).lower(): str(v) for k, v in container.metadata.items()}
            for stream in container.streams:
                for k, v in stream.metadata.items():
                    meta.setdefault(str(k).lower(), str(v))
            duration = container.duration / 1_000_000 if container.duration else None
            if not duration and not _decodes(container):
                return None
    except Exception as err:  # PyAV raises FFmpeg errors of many kinds
        log.debug("PyAV could not read %s: %s", path, err)
        return None
    return FileTags(
        title=meta.get("title", "").strip(),
        artist=(meta.get("artist") or meta.get("album_artist") or "").strip(),
        album=meta.get("album", "").strip(),
        genre=meta.get("genre", "").strip(),
        comment=(meta.get("comment") or meta.get("description") or "").strip(),
        duration_s=duration,
    )


def _decodes(container) -> bool:
    """Whether the first audio or video stream yields a frame (for files without a duration)."""
    streams = list(container.streams.audio[:1]) or list(container.streams.video[:1])
    if not streams:
        return False
    for _frame in container.decode(streams[0]):
        return True
    return False


def read_tags(path: str | os.PathLike[str]) -> FileTags:
    """Title, artist, album, genre, comment and duration of a media file (opened read-only).

    mutagen first, PyAV for containers mutagen does not read (mkv, webm) or when
    mutagen finds no duration; a missing title or artist comes from the file name
    (``"Artist - Title.ext"``). Raises :class:`LibraryError` when the file is
    not readable audio or video.
    """
    path = os.fspath(path)
    try:
        if os.path.getsize(path) == 0:
            raise LibraryError(f"{path} is empty.")
    except OSError as err:
        raise LibraryError(f"{path} could not be read: {err.strerror or err}.") from err
    tags = _mutagen_tags(path)
    if tags is None or not tags.duration_s:
        fallback = _pyav_tags(path)
        if tags is None:
            tags = fallback
        elif fallback is not None:
            tags.duration_s = fallback.duration_s
    if tags is None:
        raise LibraryError(f"{path} could not be read as audio or video.")
    name_artist, name_title = tags_from_filename(path)
    if not tags.title:
        tags.title = name_title
        tags.from_filename = True
        if not tags.artist:
            tags.artist = name_artist
    elif not tags.artist and name_artist and normalise_title(name_title) == normalise_title(
        tags.title
    ):
        tags.artist = name_artist
    return tags


# --------------------------------------------------------------------------- scanning


def _cancel_checker(cancel: CancelToken) -> Callable[[], bool]:
    if cancel is None:
        return lambda: False
    if isinstance(cancel, threading.Event):
        return cancel.is_set
    return lambda: bool(cancel())


def _walk(folder: Path, is_cancelled: Callable[[], bool]) -> dict[str, tuple[int, int]] | None:
    """``{path: (mtime_ns, size)}`` of media files under ``folder``; None when cancelled."""
    found: dict[str, tuple[int, int]] = {}

    def on_error(err: OSError) -> None:
        log.warning("could not read %s: %s", getattr(err, "filename", folder), err)

    for root, dirs, files in os.walk(folder, onerror=on_error, followlinks=False):
        if is_cancelled():
            return None
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or os.path.splitext(name)[1].lower() not in MEDIA_EXTENSIONS:
                continue
            path = os.path.join(root, name)
            try:
                st = os.stat(path)
            except OSError as err:
                log.warning("could not read %s: %s", path, err)
                continue
            if not os.path.isfile(path):
                continue
            found[path] = (st.st_mtime_ns, st.st_size)
    return found


def _item_for(path: str, tags: FileTags, mood: MoodResult) -> LocalItem:
    return LocalItem(
        key=f"file:{path}",
        path=path,
        title=tags.title,
        artist=tags.artist,
        album=tags.album,
        genre=tags.genre,
        duration_s=tags.duration_s,
        vad=mood.vad,
        is_video=os.path.splitext(path)[1].lower() in VIDEO_EXTENSIONS,
        source="library",
        matched_track_id=mood.track_id,
        estimated=mood.estimated,
        seeds=mood.seeds,
        reason=mood.reason,
        match_score=mood.score,
    )


def scan(
    conn: sqlite3.Connection,
    progress: ProgressCallback | None = None,
    cancel: CancelToken = None,
    *,
    folders: Iterable[str | os.PathLike[str]] | None = None,
) -> ScanReport:
    """Bring the index up to date with the library folders (all, or ``folders``).

    ``progress(done, total, path)`` is called after each file that had to be
    read or matched again; ``cancel`` (a callable returning True, or a
    :class:`threading.Event`) stops the scan between two files. Work is
    committed every :data:`COMMIT_EVERY` files, so a cancelled scan keeps what it
    indexed and the index stays consistent; deleted files are only dropped by a
    scan that finished walking and reading.
    """
    started = time.perf_counter()
    ensure_schema(conn)
    is_cancelled = _cancel_checker(cancel)
    registered = [str(p) for p in list_folders(conn)]
    if folders is None:
        targets = registered
    else:
        targets = [str(_folder_path(f)) for f in folders]
        unknown = [f for f in targets if f not in registered]
        if unknown:
            raise LibraryError(f"The folder {unknown[0]} is not in the library: add it first.")
    report = ScanReport(folders=list(targets))

    demo_paths = {
        r[0] for r in conn.execute("SELECT path FROM library_items WHERE source = 'demo'")
    }
    found: dict[str, tuple[int, int]] = {}
    walked: list[str] = []
    for folder in targets:
        if not os.path.isdir(folder):
            log.warning("library folder %s is missing; its files stay in the index", folder)
            report.missing_folders.append(folder)
            continue
        files = _walk(Path(folder), is_cancelled)
        if files is None:
            report.cancelled = True
            break
        found.update((p, v) for p, v in files.items() if p not in demo_paths)
        walked.append(folder)
    report.seen = len(found)

    catalog = CatalogView(conn)
    known = {
        path: (mtime, size, sig)
        for path, mtime, size, sig in conn.execute(
            "SELECT path, mtime_ns, size, catalog_sig FROM library_items WHERE source = 'library'"
        )
    }
    to_read: list[str] = []
    to_rematch: list[str] = []
    for path, (mtime, size) in found.items():
        old = known.get(path)
        if old is None or old[0] != mtime or old[1] != size:
            to_read.append(path)
        elif old[2] != catalog.signature:
            to_rematch.append(path)
        else:
            report.unchanged += 1
    work = [(p, True) for p in to_read] + [(p, False) for p in to_rematch]
    total = len(work)

    pending = 0
    try:
        for done, (path, read) in enumerate(work, start=1):
            if report.cancelled or is_cancelled():
                report.cancelled = True
                break
            if read:
                try:
                    tags = read_tags(path)
                except LibraryError as err:
                    report.errors.append((path, str(err)))
                    if path in known:  # it was readable before: drop the stale entry
                        conn.execute("DELETE FROM library_items WHERE path = ?", (path,))
                    tags = None
                if tags is not None:
                    mood = assign_mood(catalog, tags)
                    upsert_item(
                        conn, _item_for(path, tags, mood), comment=tags.comment,
                        mtime_ns=found[path][0], size=found[path][1],
                        catalog_sig=catalog.signature,
                    )
                    if path in known:
                        report.updated += 1
                    else:
                        report.added += 1
                    report.matched += int(not mood.estimated)
                    report.estimated += int(mood.estimated)
            else:
                mood = _rematch_one(conn, catalog, path)
                report.rematched += 1
                report.matched += int(not mood.estimated)
                report.estimated += int(mood.estimated)
            pending += 1
            if pending >= COMMIT_EVERY:
                conn.commit()
                pending = 0
            if progress is not None:
                progress(done, total, path)
        if not report.cancelled:
            stale = [
                (p,) for p in known
                if p not in found and any(_under(p, f) for f in walked)
            ]
            conn.executemany(
                "DELETE FROM library_items WHERE source = 'library' AND path = ?", stale
            )
            report.removed = len(stale)
        conn.commit()
    except BaseException:
        conn.commit()  # keep the files indexed so far; every row written is complete
        raise
    report.elapsed_s = time.perf_counter() - started
    log.info("%s", report.summary())
    return report


def _rematch_one(conn: sqlite3.Connection, catalog: CatalogView, path: str) -> MoodResult:
    row = conn.execute(
        "SELECT title, artist, album, genre, comment, duration_s FROM library_items "
        "WHERE path = ? AND source = 'library'",
        (path,),
    ).fetchone()
    title, artist, album, genre, comment, duration = row
    mood = assign_mood(catalog, FileTags(title, artist, album, genre, comment, duration))
    conn.execute(
        "UPDATE library_items SET valence = ?, arousal = ?, dominance = ?, "
        "matched_track_id = ?, match_score = ?, estimated = ?, reason = ?, seeds = ?, "
        "catalog_sig = ? WHERE path = ? AND source = 'library'",
        (
            mood.vad.valence, mood.vad.arousal, mood.vad.dominance, mood.track_id, mood.score,
            int(mood.estimated), mood.reason, json.dumps(mood.seeds), catalog.signature, path,
        ),
    )
    return mood


def rematch(conn: sqlite3.Connection) -> int:
    """Match every indexed library file against the catalog again (after an import).

    Uses the stored tags, so it reads no files; returns how many items changed
    their catalog signature. Call it after the catalog changes.
    """
    ensure_schema(conn)
    catalog = CatalogView(conn)
    paths = [
        r[0]
        for r in conn.execute(
            "SELECT path FROM library_items WHERE source = 'library' AND catalog_sig != ?",
            (catalog.signature,),
        )
    ]
    with conn:
        for path in paths:
            _rematch_one(conn, catalog, path)
    return len(paths)
