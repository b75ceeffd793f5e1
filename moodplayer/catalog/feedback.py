"""Likes, skips, bans and the play history, and how they move recommendations.

Every event is a row of the ``feedback`` table (key, kind, mood cluster, artist,
time). Feedback is about a song *in a mood*: the cluster is the mood cluster the
listener was in (the caller passes it; without one, a catalog song's own cluster is
used). :func:`adjustments` turns the events into score changes for one mood
cluster, which :func:`moodplayer.catalog.recommend.recommend` adds to a song's
score (itself between 0 and 1):

=========  =====================================  ==================================
event      the song                               its artist
=========  =====================================  ==================================
like       +0.30 per like in this mood (up to 2), +0.08 per like in this mood
           +0.10 if liked in another mood         (up to 2)
skip       -0.25 per skip in this mood (up to 3)  -0.06 per skip in this mood (up to 3)
ban        never recommended in this mood,        -0.30 in this mood
           -0.60 in every other mood
play       not recommended again while it is among the last :data:`RECENT_WINDOW` plays
=========  =====================================  ==================================

Events recorded without any cluster count for every mood.
"""

from __future__ import annotations

import sqlite3
import time
from collections import defaultdict
from dataclasses import dataclass, field

KINDS = ("like", "skip", "ban", "play")
RECENT_WINDOW = 20

LIKE_TRACK, LIKE_TRACK_ELSEWHERE, LIKE_ARTIST, LIKE_CAP = 0.30, 0.10, 0.08, 2
SKIP_TRACK, SKIP_ARTIST, SKIP_CAP = 0.25, 0.06, 3
BAN_ELSEWHERE, BAN_ARTIST = 0.60, 0.30


def normalise_artist(artist: str | None) -> str:
    return " ".join((artist or "").casefold().split())


def record(
    conn: sqlite3.Connection,
    key: str,
    kind: str,
    *,
    cluster: int | None = None,
    artist: str | None = None,
) -> None:
    """Store one event (``kind`` in like/skip/ban/play) for the song ``key``."""
    if kind not in KINDS:
        raise ValueError(f"Unknown feedback {kind!r}: use one of {', '.join(KINDS)}.")
    if not key:
        raise ValueError("Feedback needs the key of a song.")
    if (cluster is None or artist is None) and key.startswith("muse:"):
        row = _catalog_row(conn, key)
        if row is not None:
            cluster = row[0] if cluster is None else cluster
            artist = row[1] if artist is None else artist
    from moodplayer.catalog import store

    with store.transaction(conn):
        conn.execute(
            "INSERT INTO feedback (key, kind, cluster, artist, at) VALUES (?, ?, ?, ?, ?)",
            (key, kind, cluster, normalise_artist(artist) or None, time.time()),
        )


def remove(conn: sqlite3.Connection, key: str, kind: str) -> int:
    """Undo every ``kind`` event of ``key`` (an unlike, an unban); returns how many."""
    from moodplayer.catalog import store

    with store.transaction(conn):
        cur = conn.execute("DELETE FROM feedback WHERE key = ? AND kind = ?", (key, kind))
    return cur.rowcount


def recent_plays(conn: sqlite3.Connection, limit: int = RECENT_WINDOW) -> list[str]:
    """Keys of the last ``limit`` songs played, most recent first, each once."""
    limit = max(0, int(limit))
    seen: dict[str, None] = {}
    # newest first through the (kind, at) index; a song played many times in a row
    # only costs a few more rows
    for (key,) in conn.execute(
        "SELECT key FROM feedback WHERE kind = 'play' ORDER BY at DESC, id DESC LIMIT ?",
        (limit * 10 + 10,),
    ):
        seen.setdefault(key, None)
        if len(seen) >= limit:
            break
    return list(seen)[:limit]


@dataclass
class FeedbackEvent:
    key: str
    kind: str
    cluster: int | None
    artist: str | None
    at: float


def history(conn: sqlite3.Connection, limit: int = 100, kind: str | None = None) -> list[
    FeedbackEvent
]:
    """The latest events, newest first."""
    sql = "SELECT key, kind, cluster, artist, at FROM feedback"
    args: tuple = ()
    if kind is not None:
        sql += " WHERE kind = ?"
        args = (kind,)
    sql += " ORDER BY at DESC, id DESC LIMIT ?"
    return [FeedbackEvent(*r) for r in conn.execute(sql, (*args, int(limit)))]


@dataclass
class Adjustments:
    """Score changes for one mood cluster (see the module docstring)."""

    track: dict[str, float] = field(default_factory=dict)
    artist: dict[str, float] = field(default_factory=dict)
    banned: set[str] = field(default_factory=set)
    liked: set[str] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.track or self.artist or self.banned)


def adjustments(conn: sqlite3.Connection, cluster: int | None) -> Adjustments:
    """What the listener's likes, skips and bans mean for songs in mood ``cluster``."""
    rows = conn.execute(
        "SELECT key, kind, cluster, artist, count(*) FROM feedback "
        "WHERE kind IN ('like', 'skip', 'ban') GROUP BY key, kind, cluster, artist"
    ).fetchall()
    out = Adjustments()
    track: dict[str, float] = defaultdict(float)
    artist: dict[str, float] = defaultdict(float)
    likes_here: dict[str, int] = defaultdict(int)
    likes_elsewhere: set[str] = set()
    skips_here: dict[str, int] = defaultdict(int)
    artist_likes: dict[str, int] = defaultdict(int)
    artist_skips: dict[str, int] = defaultdict(int)
    for key, kind, c, art, n in rows:
        here = c is None or cluster is None or c == cluster
        if kind == "like":
            if here:
                likes_here[key] += n
                if art:
                    artist_likes[art] += n
            else:
                likes_elsewhere.add(key)
        elif kind == "skip" and here:
            skips_here[key] += n
            if art:
                artist_skips[art] += n
        elif kind == "ban":
            if here:
                out.banned.add(key)
                if art:
                    artist[art] -= BAN_ARTIST
            else:
                track[key] -= BAN_ELSEWHERE
    for key, n in likes_here.items():
        track[key] += LIKE_TRACK * min(n, LIKE_CAP)
        out.liked.add(key)
    for key in likes_elsewhere - set(likes_here):
        track[key] += LIKE_TRACK_ELSEWHERE
    for key, n in skips_here.items():
        track[key] -= SKIP_TRACK * min(n, SKIP_CAP)
        out.skipped.add(key)
    for art, n in artist_likes.items():
        artist[art] += LIKE_ARTIST * min(n, LIKE_CAP)
    for art, n in artist_skips.items():
        artist[art] -= SKIP_ARTIST * min(n, SKIP_CAP)
    out.track = {k: v for k, v in track.items() if v}
    out.artist = {k: v for k, v in artist.items() if v}
    return out


def _catalog_row(conn: sqlite3.Connection, key: str) -> tuple[int | None, str] | None:
    try:
        track_id = int(key.split(":", 1)[1])
    except (IndexError, ValueError):
        return None
    try:
        return conn.execute(
            "SELECT cluster, artist FROM tracks WHERE id = ?", (track_id,)
        ).fetchone()
    except sqlite3.Error:
        return None
