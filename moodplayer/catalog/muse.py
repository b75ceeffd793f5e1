"""Import the MuSe catalog (``muse_v3.csv``) into the moodplayer database.

MuSe (Akiki & Burghardt, "MuSe: The Musical Sentiment Dataset", Journal of Open
Humanities Data 7:10, 2021) gives ~90,000 songs a valence, arousal and dominance
(the tag-weighted mean of the Warriner norms of the song's last.fm mood tags, 1-9
scale). Users download the file themselves; this module reads it as they get it:

* columns ``track, artist, seeds, number_of_emotion_tags, valence_tags,
  arousal_tags, dominance_tags`` are required; ``mbid, spotify_id, genre,
  lastfm_url`` are optional (the Kaggle file has ``lastfm_url``, others do not),
  other columns are ignored;
* ``seeds`` is a Python-style list string (``"['sad', 'dark']"``), parsed without
  evaluating code;
* UTF-8 with or without a byte-order mark, quoted fields with newlines in them,
  ``;`` or tab separators (spreadsheets in some locales), Windows-1252 files
  (spreadsheets on Windows) all read;
* a row whose fields cannot be parsed (missing fields, non-numeric or missing
  VAD, VAD outside 0-10, a broken ``seeds`` list, a negative tag count, no title
  or artist) is skipped and reported with the line number where it starts in the
  file; a file without MuSe's columns is refused with a message that says so.

The import is one transaction: everything is parsed and the mood clusters are
refitted in memory first (a file of fewer than
:data:`~moodplayer.catalog.clusters.MIN_FIT_TRACKS` songs keeps the shipped default
clusters), then the rows are written under ``BEGIN IMMEDIATE`` and
committed at once, so a failed or interrupted import leaves the previous catalog as
it was. Songs are keyed by artist and title (case-folded), so importing a file
again keeps every song's id (``muse:<id>`` keys in feedback and the library stay
valid) and ends with exactly the same catalog; songs no longer in the file are
removed.

Each seed tag's own VAD is learnt from the file too: a song whose only emotion tag
is its one seed tag has exactly that tag's Warriner norm as its VAD, so the median
VAD of such songs is the tag's VAD (``seed_tags.valence`` ...). A song's *seed VAD*
(``tracks.seed_valence`` ...) is the mean over its seed tags of each tag's own VAD,
or, for a tag the catalog has no such song for, of the mean VAD of the songs that
carry the tag; the recommender uses it (see :mod:`moodplayer.catalog.recommend`).
"""

from __future__ import annotations

import ast
import csv
import datetime as _dt
import io
import json
import logging
import math
import re
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from moodplayer.errors import CatalogError

log = logging.getLogger(__name__)

REQUIRED_COLUMNS = (
    "track",
    "artist",
    "seeds",
    "number_of_emotion_tags",
    "valence_tags",
    "arousal_tags",
    "dominance_tags",
)
OPTIONAL_COLUMNS = ("mbid", "spotify_id", "genre", "lastfm_url")
VAD_RANGE = (0.0, 10.0)
#: How many row problems an :class:`ImportReport` keeps (all are counted).
MAX_PROBLEMS_KEPT = 1000
_MAX_SEEDS_TEXT = 4000

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class RowProblem:
    """A skipped row: ``line`` is where the row starts in the file (header = line 1)."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class MuseRow:
    line: int
    track: str
    artist: str
    seeds: list[str]
    tags: int
    valence: float
    arousal: float
    dominance: float
    mbid: str | None
    spotify_id: str | None
    genre: str
    lastfm_url: str | None

    @property
    def uid(self) -> str:
        return _uid(self.artist, self.track)


@dataclass
class ParsedFile:
    rows: list[MuseRow]
    problems: list[RowProblem]
    problem_count: int
    duplicates: int
    data_rows: int
    encoding: str
    delimiter: str


@dataclass
class ImportReport:
    """What :func:`import_muse` did."""

    source: str
    rows: int = 0
    imported: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    duplicates: int = 0
    skipped: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    clusters: int = 0

    def summary(self) -> str:
        text = (
            f"Imported {self.imported:,} songs from {Path(self.source).name} "
            f"({self.added:,} new, {self.updated:,} kept, {self.removed:,} removed) "
            f"in {self.seconds:.1f} s; {self.clusters} mood clusters."
        )
        if self.skipped:
            text += f" Skipped {self.skipped:,} malformed rows."
        if self.duplicates:
            text += f" {self.duplicates:,} repeated songs were kept once."
        return text

    def to_json(self) -> dict:
        return {
            "source": self.source,
            "rows": self.rows,
            "imported": self.imported,
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "problems": [{"line": p.line, "reason": p.reason} for p in self.problems],
            "seconds": round(self.seconds, 3),
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "clusters": self.clusters,
        }


# --------------------------------------------------------------------------- parsing

_QUOTED = r"""(?:'[^'\\]*'|"[^"\\]*")"""
_SEEDS_FAST = re.compile(rf"\[\s*(?:({_QUOTED}(?:\s*,\s*{_QUOTED})*)\s*,?)?\s*\]")
_SEED_ITEM = re.compile(r"""'([^'\\]*)'|"([^"\\]*)\"""")


@lru_cache(maxsize=8192)
def parse_seeds(text: str) -> tuple[str, ...]:
    """Tags from MuSe's ``seeds`` field (``"['sad', 'dark']"``); raises ValueError if broken.

    The common forms are matched by a regular expression; anything else (escapes)
    goes to :func:`ast.literal_eval`, which evaluates literals only, never code.
    """
    raw = text.strip()
    m = _SEEDS_FAST.fullmatch(raw)
    if m:
        items = [a if a else b for a, b in _SEED_ITEM.findall(m.group(1) or "")]
    else:
        if len(raw) > _MAX_SEEDS_TEXT or not raw.startswith("["):
            raise ValueError("seeds is not a list")
        try:
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError) as err:
            raise ValueError("seeds is not a readable list") from err
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValueError("seeds is not a list of words")
        items = list(value)
    tags = []
    for item in items:
        tag = " ".join(item.split()).lower()
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags)


def _clean(text: str) -> str:
    """Trimmed, with inner runs of whitespace (newlines from spreadsheets) made one space."""
    text = text.strip()
    if "  " in text or "\n" in text or "\r" in text or "\t" in text:
        text = " ".join(text.split())
    return text


def _uid(artist: str, track: str) -> str:
    """The key a song is known by across imports: artist and title, case-folded."""
    return f"{_clean(artist).casefold()}\x1f{_clean(track).casefold()}"


def _number(text: str, name: str) -> float:
    t = text.strip()
    if not t:
        raise ValueError(f"{name} is missing")
    try:
        value = float(t)
    except ValueError:
        try:
            value = float(t.replace(",", "."))  # a decimal comma from a spreadsheet
        except ValueError:
            raise ValueError(f"{name} is not a number ({_short(t)})") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} is not a finite number ({_short(t)})")
    return value


def _short(text: str, n: int = 30) -> str:
    text = text.replace("\n", " ")
    return repr(text if len(text) <= n else text[: n - 1] + "…")


def _open_text(path: Path) -> tuple[str, str]:
    try:
        data = path.read_bytes()
    except IsADirectoryError as err:
        raise CatalogError(f"{path} is a folder, not a MuSe CSV file.") from err
    except FileNotFoundError as err:
        raise CatalogError(f"The file {path} does not exist.") from err
    except OSError as err:
        raise CatalogError(f"Cannot read {path}: {err.strerror or err}.") from err
    if not data.strip():
        raise CatalogError(f"{path.name} is empty, not a MuSe CSV file.")
    if b"\x00" in data[:4096]:
        raise CatalogError(
            f"{path.name} is not a MuSe CSV file (it is binary, not text). "
            "Download muse_v3.csv and import that file."
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise CatalogError(f"{path.name} is not a MuSe CSV file (its text encoding is unreadable).")


def _sniff_delimiter(first_line: str) -> str:
    best, best_hits = ",", -1
    for delim in (",", ";", "\t"):
        cells = {c.strip().strip('"').strip().lower() for c in first_line.split(delim)}
        hits = sum(c in cells for c in REQUIRED_COLUMNS)
        if hits > best_hits:
            best, best_hits = delim, hits
    return best


def read_muse_csv(path: Path, progress: Progress | None = None) -> ParsedFile:
    """Parse a MuSe CSV file into rows and row problems (nothing is written)."""
    path = Path(path)
    text, encoding = _open_text(path)
    first_line = text.split("\n", 1)[0]
    delimiter = _sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as err:
        raise CatalogError(f"{path.name} is not a MuSe CSV file (no header line).") from err
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise CatalogError(
            f"{path.name} is not a MuSe CSV file: its first line lacks the column"
            f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}. "
            "Import muse_v3.csv as downloaded (columns track, artist, seeds, "
            "number_of_emotion_tags, valence_tags, arousal_tags, dominance_tags, ...)."
        )
    col = {name: names.index(name) for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
           if name in names}
    width = len(names)
    need = max(col[c] for c in REQUIRED_COLUMNS) + 1
    i_track, i_artist, i_seeds, i_tags = (col[c] for c in REQUIRED_COLUMNS[:4])
    i_v, i_a, i_d = col["valence_tags"], col["arousal_tags"], col["dominance_tags"]
    i_mbid, i_spot = col.get("mbid"), col.get("spotify_id")
    i_genre, i_url = col.get("genre"), col.get("lastfm_url")
    lo, hi = VAD_RANGE

    rows: list[MuseRow] = []
    problems: list[RowProblem] = []
    problem_count = 0
    duplicates = 0
    data_rows = 0
    seen: set[str] = set()
    total_lines = max(1, text.count("\n"))
    prev_line = reader.line_num

    optional = [(i if i is not None else -1) for i in (i_mbid, i_spot, i_genre, i_url)]

    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            problem_count += 1
            if len(problems) < MAX_PROBLEMS_KEPT:
                problems.append(RowProblem(prev_line + 1, f"unreadable CSV ({err})"))
            prev_line = reader.line_num
            continue
        start = prev_line + 1
        prev_line = reader.line_num
        n_fields = len(row)
        if n_fields <= 1 and not (row and row[0].strip()):
            continue  # blank lines (spreadsheets add them) are not rows
        data_rows += 1
        if progress is not None and data_rows % 10000 == 0:
            progress("reading", min(1.0, reader.line_num / total_lines))
        try:
            if n_fields < need:
                raise ValueError(f"missing fields ({n_fields} of {width})")
            if n_fields > width and any(c.strip() for c in row[width:]):
                raise ValueError(f"too many fields ({n_fields} of {width})")
            track = _clean(row[i_track])
            artist = _clean(row[i_artist])
            if not track or not artist:
                if not any(c.strip() for c in row):
                    data_rows -= 1
                    continue  # a row of empty cells, as spreadsheets write them
                raise ValueError("track is missing" if not track else "artist is missing")
            try:
                seeds = parse_seeds(row[i_seeds])
            except ValueError as err:
                raise ValueError(f"{err} ({_short(row[i_seeds])})") from None
            try:
                tags_f = float(row[i_tags])
                v = float(row[i_v])
                a = float(row[i_a])
                d = float(row[i_d])
            except ValueError:  # say which field, and accept a decimal comma
                tags_f = _number(row[i_tags], "number_of_emotion_tags")
                v = _number(row[i_v], "valence_tags")
                a = _number(row[i_a], "arousal_tags")
                d = _number(row[i_d], "dominance_tags")
            if not (tags_f >= 0 and tags_f == int(tags_f)):
                raise ValueError(f"number_of_emotion_tags is not a count ({_short(row[i_tags])})")
            if not (lo <= v <= hi and lo <= a <= hi and lo <= d <= hi):
                for name, value in (("valence", v), ("arousal", a), ("dominance", d)):
                    if not lo <= value <= hi:
                        raise ValueError(f"{name} {value:g} is outside {lo:g}-{hi:g}")
        except (ValueError, OverflowError) as err:
            problem_count += 1
            if len(problems) < MAX_PROBLEMS_KEPT:
                problems.append(RowProblem(start, str(err)))
            continue
        uid = f"{artist.casefold()}\x1f{track.casefold()}"
        if uid in seen:
            duplicates += 1
            continue
        seen.add(uid)
        mbid, spot, genre, url = (
            (row[i].strip() or None) if 0 <= i < n_fields else None for i in optional
        )
        rows.append(
            MuseRow(start, track, artist, list(seeds), int(tags_f), v, a, d, mbid, spot,
                    genre or "", url)
        )
    return ParsedFile(rows, problems, problem_count, duplicates, data_rows, encoding, delimiter)


# --------------------------------------------------------------------------- seed tags


@dataclass
class SeedTagStats:
    tag: str
    songs: int
    mean: tuple[float, float, float]
    own: tuple[float, float, float] | None  # the tag's own VAD, where the catalog tells


def seed_tag_stats(rows: list[MuseRow]) -> dict[str, SeedTagStats]:
    """Per seed tag: song count, mean VAD of its songs and its own VAD (see module doc)."""
    import numpy as np

    members: dict[str, list[int]] = defaultdict(list)
    alone: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        for t in r.seeds:
            members[t].append(i)
        if r.tags == 1 and len(r.seeds) == 1:
            alone[r.seeds[0]].append(i)
    vad = np.array([(r.valence, r.arousal, r.dominance) for r in rows], dtype=np.float64)
    out = {}
    for tag, idx in members.items():
        mean = tuple(float(x) for x in vad[idx].mean(axis=0))
        own = None
        if alone.get(tag):
            own = tuple(float(x) for x in np.median(vad[alone[tag]], axis=0))
        out[tag] = SeedTagStats(tag, len(idx), mean, own)
    return out


def seed_vads(rows: list[MuseRow], stats: dict[str, SeedTagStats]) -> list[tuple | None]:
    """Per row, its seed VAD: the mean over its seed tags of each tag's own VAD, or, for a
    tag whose own VAD the catalog does not tell, the mean VAD of the songs carrying it
    (None for a song without seed tags)."""
    memo: dict[tuple[str, ...], tuple | None] = {}
    out: list[tuple | None] = []
    for r in rows:
        key = tuple(r.seeds)
        if key not in memo:
            known = [
                stats[t].own if stats[t].own is not None else stats[t].mean
                for t in key if t in stats
            ]
            memo[key] = (
                tuple(sum(k[j] for k in known) / len(known) for j in range(3)) if known else None
            )
        out.append(memo[key])
    return out


# --------------------------------------------------------------------------- import


def import_muse(
    path: str | Path,
    conn: sqlite3.Connection | None = None,
    *,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a MuSe CSV file into the catalog (see the module docstring).

    Raises :class:`~moodplayer.errors.CatalogError` for a file that is not a MuSe CSV
    file or has no readable row; the database is then unchanged.
    """
    import numpy as np

    from moodplayer.catalog import clusters, store

    path = Path(path).expanduser()
    source = str(path.resolve())
    started = time.perf_counter()
    report = ImportReport(source=source)
    parsed = read_muse_csv(path, progress)
    t_parse = time.perf_counter()
    report.rows = parsed.data_rows
    report.skipped = parsed.problem_count
    report.problems = parsed.problems
    report.duplicates = parsed.duplicates
    for p in parsed.problems[:20]:
        log.warning("%s: skipped %s", path.name, p)
    if parsed.problem_count > 20:
        log.warning("%s: %d more malformed rows skipped", path.name, parsed.problem_count - 20)
    if not parsed.rows:
        first = "; ".join(str(p) for p in parsed.problems[:3])
        raise CatalogError(
            f"No song in {path.name} could be read ({parsed.data_rows} rows"
            + (f"; {first}" if first else "")
            + "). Nothing was imported."
        )
    rows = parsed.rows
    if progress is not None:
        progress("clustering", 0.0)
    points = np.array([(r.valence, r.arousal, r.dominance) for r in rows], dtype=np.float64)
    if len(rows) >= clusters.MIN_FIT_TRACKS:
        model = clusters.fit_clusters(
            points, [r.seeds for r in rows], source=f"catalog: {path.name}"
        )
        stored_model: str | None = json.dumps(model.to_json())
    else:  # too few songs for clusters of their own: keep the shipped default
        model = clusters.load_default_model()
        stored_model = None
    labels = model.assign_many(points).tolist()
    stats = seed_tag_stats(rows)
    svad = seed_vads(rows, stats)
    t_fit = time.perf_counter()

    own_conn = conn is None
    if conn is None:
        conn = store.connect()
    generation = store.new_generation()
    try:
        with store.transaction(conn):
            n_before = store.track_count(conn)
            seeds_json: dict[tuple[str, ...], str] = {}
            conn.executemany(
                """INSERT INTO tracks (uid, track, artist, genre, seeds, number_of_emotion_tags,
                       valence, arousal, dominance, seed_valence, seed_arousal, seed_dominance,
                       mbid, spotify_id, lastfm_url, cluster, line, generation)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                   ON CONFLICT(uid) DO UPDATE SET
                       track = excluded.track, artist = excluded.artist,
                       genre = excluded.genre, seeds = excluded.seeds,
                       number_of_emotion_tags = excluded.number_of_emotion_tags,
                       valence = excluded.valence, arousal = excluded.arousal,
                       dominance = excluded.dominance, seed_valence = excluded.seed_valence,
                       seed_arousal = excluded.seed_arousal,
                       seed_dominance = excluded.seed_dominance, mbid = excluded.mbid,
                       spotify_id = excluded.spotify_id, lastfm_url = excluded.lastfm_url,
                       cluster = excluded.cluster, line = excluded.line,
                       generation = excluded.generation""",
                (
                    (
                        r.uid, r.track, r.artist, r.genre,
                        seeds_json.get(tuple(r.seeds)) or seeds_json.setdefault(
                            tuple(r.seeds), json.dumps(r.seeds)
                        ),
                        r.tags,
                        r.valence, r.arousal, r.dominance,
                        *(sv if sv is not None else (None, None, None)),
                        r.mbid, r.spotify_id, r.lastfm_url, label, r.line, generation,
                    )
                    for r, sv, label in zip(rows, svad, labels)
                ),
            )
            n_total = store.track_count(conn)
            removed = conn.execute(
                "DELETE FROM tracks WHERE generation != ?", (generation,)
            ).rowcount
            conn.execute("DELETE FROM seed_tags")
            conn.executemany(
                "INSERT INTO seed_tags VALUES (?,?,?,?,?,?,?,?)",
                (
                    (s.tag, s.songs, *s.mean, *(s.own if s.own else (None, None, None)))
                    for s in stats.values()
                ),
            )
            now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
            report.added = n_total - n_before
            report.updated = len(rows) - report.added
            report.removed = removed
            report.imported = len(rows)
            report.clusters = model.k
            for key, value in (
                ("catalog_source", source),
                ("catalog_imported_at", now),
                ("catalog_generation", str(generation)),
            ):
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )
            if stored_model is None:
                conn.execute("DELETE FROM meta WHERE key = ?", (clusters.MODEL_META_KEY,))
            else:
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (clusters.MODEL_META_KEY, stored_model),
                )
            if progress is not None:
                progress("writing", 1.0)
            t_write = time.perf_counter()
            report.timings = {
                "parse_s": t_parse - started,
                "cluster_s": t_fit - t_parse,
                "write_s": t_write - t_fit,
            }
            report.seconds = t_write - started
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('catalog_report', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (json.dumps({k: v for k, v in report.to_json().items() if k != "problems"}),),
            )
    except sqlite3.Error as err:
        raise CatalogError(f"Importing {path.name} failed and changed nothing: {err}.") from err
    finally:
        if own_conn:
            conn.close()
    report.seconds = time.perf_counter() - started
    log.info("%s", report.summary())
    return report
