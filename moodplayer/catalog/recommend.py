"""From a mood (a VAD point) to a queue of songs.

:func:`recommend` ranks the user's playable files (library and demo) and the MuSe
catalog songs for a mood and returns the playable ones first, then catalog-only
songs with links to listen elsewhere.

**Score.** All distances are measured on the mood clusters' standardised axes. A
song at distance *d* from the target point scores

    closeness = exp(-d² / 2) × (1 - w_conf + w_conf × confidence) + feedback

* *d* blends the song's own VAD and its *seed VAD* (the mean VAD of the seed tags
  the song was found through, learnt from the catalog, see
  :mod:`moodplayer.catalog.muse`): ``d = (1 - w_seed) × d_song + w_seed × d_seed``.
  MuSe's song VAD averages all of a song's mood tags, so a song seeded "sweet" can
  sit among gloomy songs because of its other tags; the seed term prefers songs
  whose defining tags also lie near the mood. ``w_seed`` = 0.75 was chosen on the
  seed-tag fit measure of :mod:`moodplayer.catalog.quality` over a grid
  (``bench/recommend_quality.py --grid``; on the MuSe sample the mean fit@10 rises
  from 0.57 without the term to 0.84, of at most 0.86, and stays there for
  ``w_seed`` 0.75-0.9 and ``w_conf`` 0-0.3), with one value for every emotion;
* confidence grows with MuSe's ``number_of_emotion_tags`` (log scale, full at
  :data:`CONFIDENCE_FULL` tags): a VAD averaged over many listeners' tags is surer;
* feedback: likes, skips and bans for the mood's cluster
  (:mod:`moodplayer.catalog.feedback`); banned songs and the last plays are left out.

**Diversity.** The queue is filled greedily; a song whose artist is already in it is
taken only when no other candidate is left.

**Strategies** (a list of target points, one per queue position):

* ``match``: every position targets the mood;
* ``uplift`` (the iso principle of music therapy: meet the listener's mood, then lead
  it): the first song matches the mood, later ones move linearly towards the
  catalog's 90th-percentile valence (never lower than the mood's), dominance
  following valence as it does in the catalog (least-squares slope), arousal kept;
* ``calm``: from the mood towards the catalog's 10th-percentile arousal.

**Speed.** The catalog's VAD, seed VAD, confidence, artist and cluster columns are
read once into numpy arrays and cached per database file and catalog generation
(a number that changes with every import), so a warm call is a few vector
operations over the catalog plus one small query for the chosen songs' details.
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote_plus

from moodplayer.catalog import feedback as fb
from moodplayer.catalog import store
from moodplayer.mood.vad import VAD

if TYPE_CHECKING:
    import numpy as np

    from moodplayer.catalog.clusters import ClusterModel

log = logging.getLogger(__name__)

STRATEGIES = ("match", "uplift", "calm")
CONFIDENCE_FULL = 10
#: A playable file within this (standardised) distance of the mood counts as fitting.
PLAYABLE_RADIUS = 1.25
#: At least this many playable files lead the queue when there are any.
MIN_PLAYABLE = 3
#: Confidence of a library file's VAD: matched to the catalog, estimated, or demo.
LOCAL_CONFIDENCE = {"matched": 0.8, "estimated": 0.3, "demo": 1.0}
SPOTIFY_TRACK_URL = "https://open.spotify.com/track/{}"
VIDEO_SEARCH_URL = "https://www.youtube.com/results?search_query={}"


@dataclass(frozen=True)
class RankingWeights:
    """The knobs of the score (see the module docstring)."""

    seed: float = 0.75
    confidence: float = 0.2


DEFAULT_WEIGHTS = RankingWeights()
BASELINE_WEIGHTS = RankingWeights(seed=0.0, confidence=0.2)


@dataclass
class Recommendation:
    key: str
    track: str
    artist: str
    genre: str
    seeds: list[str]
    valence: float
    arousal: float
    dominance: float
    cluster: int
    cluster_name: str
    score: float
    playable: bool
    path: str | None
    is_video: bool
    spotify_url: str | None
    video_search_url: str
    reason: str
    source: str  # "catalog" | "library" | "demo"

    @property
    def vad(self) -> VAD:
        return VAD(self.valence, self.arousal, self.dominance)

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "track": self.track,
            "artist": self.artist,
            "genre": self.genre,
            "seeds": list(self.seeds),
            "valence": round(self.valence, 3),
            "arousal": round(self.arousal, 3),
            "dominance": round(self.dominance, 3),
            "cluster": self.cluster,
            "cluster_name": self.cluster_name,
            "score": round(self.score, 4),
            "playable": self.playable,
            "path": self.path,
            "is_video": self.is_video,
            "spotify_url": self.spotify_url,
            "video_search_url": self.video_search_url,
            "reason": self.reason,
            "source": self.source,
        }


# --------------------------------------------------------------------------- catalog cache


@dataclass
class _Catalog:
    """The catalog's columns as arrays (row order = ``ids``)."""

    ids: np.ndarray  # int64
    z: np.ndarray  # (n, 3) float32, standardised VAD
    seed_z: np.ndarray  # (n, 3) float32, standardised seed VAD (= z where unknown)
    conf: np.ndarray  # float32 in [0, 1]
    artist: np.ndarray  # int32 codes
    cluster: np.ndarray  # int16
    artist_codes: dict[str, int]
    index: dict[int, int]  # track id -> row
    model: ClusterModel
    valence_hi: float
    arousal_lo: float
    dominance_slope: float
    zz: np.ndarray | None = None  # squared norms of z and seed_z (fast distances)
    ss: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.zz = (self.z.astype("float32") ** 2).sum(axis=1)
        self.ss = (self.seed_z.astype("float32") ** 2).sum(axis=1)

    def __len__(self) -> int:
        return len(self.ids)

    def score(self, target_z: np.ndarray, weights: RankingWeights) -> np.ndarray:
        """The score of every catalog song for one target (no feedback), as :func:`_score`.

        Distances come from ``|x|² - 2 x·t + |t|²`` with the norms precomputed: two
        matrix-vector products instead of per-row reductions.
        """
        import numpy as np

        t = np.asarray(target_z, dtype=np.float32)
        tt = float(t @ t)
        d = self.zz - 2.0 * (self.z @ t) + tt
        np.maximum(d, 0.0, out=d)
        np.sqrt(d, out=d)
        if weights.seed:
            ds = self.ss - 2.0 * (self.seed_z @ t) + tt
            np.maximum(ds, 0.0, out=ds)
            np.sqrt(ds, out=ds)
            d *= 1.0 - weights.seed
            ds *= weights.seed
            d += ds
        d *= d
        d *= -0.5
        np.exp(d, out=d)
        if weights.confidence:
            d *= (1.0 - weights.confidence) + weights.confidence * self.conf
        return d


_cache: dict[tuple[str, int], _Catalog] = {}
_cache_lock = threading.Lock()


def _catalog(conn: sqlite3.Connection) -> _Catalog:
    file = store.database_file(conn) or f"memory:{id(conn)}"
    gen = store.generation(conn)
    with _cache_lock:
        cached = _cache.get((file, gen))
    if cached is not None:
        return cached
    built = _load_catalog(conn)
    with _cache_lock:
        for key in [k for k in _cache if k[0] == file]:
            del _cache[key]
        _cache[(file, gen)] = built
    return built


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _load_catalog(conn: sqlite3.Connection) -> _Catalog:
    import numpy as np

    from moodplayer.catalog.clusters import load_cluster_model

    model = load_cluster_model(conn)
    mean = np.array(model.mean, dtype=np.float64)
    scale = np.array(model.scale, dtype=np.float64)
    numbers = np.array(
        conn.execute(
            "SELECT id, valence, arousal, dominance, coalesce(seed_valence, valence), "
            "coalesce(seed_arousal, arousal), coalesce(seed_dominance, dominance), "
            "number_of_emotion_tags, coalesce(cluster, -1) FROM tracks ORDER BY id"
        ).fetchall(),
        dtype=np.float64,
    ).reshape(-1, 9)
    n = len(numbers)
    ids = numbers[:, 0].astype(np.int64)
    raw = numbers[:, 1:4]
    seed = numbers[:, 4:7]
    tags = numbers[:, 7]
    codes: dict[str, int] = {}
    raw_codes: dict[str, int] = {}

    def code(name: str) -> int:
        c = raw_codes.get(name)
        if c is None:
            c = raw_codes[name] = codes.setdefault(fb.normalise_artist(name), len(codes))
        return c

    artist = np.fromiter(
        (code(a) for (a,) in conn.execute("SELECT artist FROM tracks ORDER BY id")),
        dtype=np.int32,
        count=n,
    )
    cluster = numbers[:, 8].astype(np.int16)
    if n and (cluster < 0).any():
        cluster = model.assign_many(raw).astype(np.int16)
    conf = np.minimum(1.0, np.log1p(tags) / math.log1p(CONFIDENCE_FULL)).astype(np.float32)
    if n >= 10:
        valence_hi = float(np.quantile(raw[:, 0], 0.9))
        arousal_lo = float(np.quantile(raw[:, 1], 0.1))
        var = float(raw[:, 0].var())
        slope = float(np.cov(raw[:, 0], raw[:, 2])[0, 1] / var) if var > 0 else 0.0
    else:
        valence_hi, arousal_lo, slope = 7.5, 3.0, 0.65
    return _Catalog(
        ids=ids,
        z=((raw - mean) / scale).astype(np.float32),
        seed_z=((seed - mean) / scale).astype(np.float32),
        conf=conf,
        artist=artist,
        cluster=cluster,
        artist_codes=codes,
        index={int(i): k for k, i in enumerate(ids.tolist())},
        model=model,
        valence_hi=valence_hi,
        arousal_lo=arousal_lo,
        dominance_slope=slope,
    )


# --------------------------------------------------------------------------- targets


def targets(vad: VAD, n: int, strategy: str, cat: _Catalog | None = None) -> list[VAD]:
    """The target point of each of ``n`` queue positions for ``strategy``."""
    if strategy not in STRATEGIES:
        raise ValueError(f"Unknown strategy {strategy!r}: use one of {', '.join(STRATEGIES)}.")
    n = max(1, n)
    v0, a0, d0 = vad.as_tuple()
    valence_hi = cat.valence_hi if cat else 7.5
    arousal_lo = cat.arousal_lo if cat else 3.0
    slope = cat.dominance_slope if cat else 0.65
    if strategy == "uplift":
        v1 = max(v0, valence_hi)
        goal = VAD(v1, a0, d0 + slope * (v1 - v0))
    elif strategy == "calm":
        goal = VAD(v0, min(a0, arousal_lo), d0)
    else:
        goal = vad
    out = []
    for j in range(n):
        f = j / (n - 1) if n > 1 else 0.0
        out.append(VAD(*(s + f * (g - s) for s, g in zip(vad.as_tuple(), goal.as_tuple()))))
    return out


# --------------------------------------------------------------------------- ranking


@dataclass
class _Pick:
    row: int  # catalog row, or index into the playable list
    score: float
    distance: float
    position: int


def _greedy(
    scores: np.ndarray,
    distances: np.ndarray,
    artists: Sequence[int | str],
    n: int,
    used_artists: set,
) -> list[_Pick]:
    """Fill ``n`` positions: best candidate per position, a new artist where possible.

    ``scores``/``distances`` are (positions, candidates); a candidate with score
    ``-inf`` is not allowed.
    """
    import numpy as np

    positions, m = scores.shape
    taken = np.zeros(m, dtype=bool)
    picks: list[_Pick] = []
    for j in range(min(n, positions)):
        row = scores[j].copy()
        row[taken] = -np.inf
        order = np.argsort(-row, kind="stable")
        choice = -1
        for c in order:
            if not np.isfinite(row[c]):
                break
            if artists[c] not in used_artists:
                choice = int(c)
                break
        if choice < 0:  # every remaining candidate repeats an artist: take the best one
            if not len(order) or not np.isfinite(row[order[0]]):
                break
            choice = int(order[0])
        taken[choice] = True
        used_artists.add(artists[choice])
        picks.append(_Pick(choice, float(scores[j, choice]), float(distances[j, choice]), j))
    return picks


def _score(
    z: np.ndarray,
    seed_z: np.ndarray,
    conf: np.ndarray,
    target_z: np.ndarray,
    weights: RankingWeights,
) -> tuple[np.ndarray, np.ndarray]:
    """(score, distance) of each candidate for one standardised target."""
    import numpy as np

    d_song = np.sqrt(((z - target_z) ** 2).sum(axis=1))
    if weights.seed:
        d_seed = np.sqrt(((seed_z - target_z) ** 2).sum(axis=1))
        d = (1.0 - weights.seed) * d_song + weights.seed * d_seed
    else:
        d = d_song
    score = np.exp(-0.5 * d * d) * (1.0 - weights.confidence + weights.confidence * conf)
    return score, d


def recommend(
    vad: VAD,
    *,
    top: int = 20,
    strategy: str = "match",
    conn: sqlite3.Connection | None = None,
    exclude: Collection[str] = (),
    weights: RankingWeights | None = None,
    include_playable: bool = True,
) -> list[Recommendation]:
    """Songs for the mood ``vad``: playable files first, then catalog-only songs.

    ``exclude`` holds keys not to return (for example the queue already playing).
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"Unknown strategy {strategy!r}: use one of {', '.join(STRATEGIES)}.")
    top = max(0, int(top))
    if top == 0:
        return []
    own = conn is None
    if conn is None:
        conn = store.connect()
    try:
        return _recommend(
            conn, vad, top, strategy, set(exclude), weights or DEFAULT_WEIGHTS, include_playable
        )
    finally:
        if own:
            conn.close()


def _recommend(
    conn: sqlite3.Connection,
    vad: VAD,
    top: int,
    strategy: str,
    exclude: set[str],
    weights: RankingWeights,
    include_playable: bool,
) -> list[Recommendation]:
    import numpy as np

    cat = _catalog(conn)
    model = cat.model
    mood_cluster = model.assign(vad)
    adjust = fb.adjustments(conn, mood_cluster)
    skip_keys = exclude | adjust.banned | set(fb.recent_plays(conn, fb.RECENT_WINDOW))
    mean = np.array(model.mean, dtype=np.float32)
    scale = np.array(model.scale, dtype=np.float32)

    def standardise(points: Sequence[VAD]) -> np.ndarray:
        return (np.array([p.as_tuple() for p in points], dtype=np.float32) - mean) / scale

    results: list[Recommendation] = []
    used_artists: set = set()
    matched_ids: set[int] = set()

    # -- the user's files (library and demo)
    items = _playable_items(conn) if include_playable else []
    items = [it for it in items if it.key not in skip_keys]
    if items:
        for it in items:
            if it.matched_track_id is not None:
                matched_ids.add(int(it.matched_track_id))
        z = standardise([it.vad for it in items])
        seed_z = z.copy()
        conf = np.array([_local_confidence(it) for it in items], dtype=np.float32)
        single = _score(z, seed_z, conf, standardise([vad])[0], weights)[1]
        fits = single <= PLAYABLE_RADIUS
        want = max(int(fits.sum()), min(MIN_PLAYABLE, len(items)))
        want = min(want, top)
        path = standardise(targets(vad, want, strategy, cat if len(cat) else None))
        scores = np.empty((len(path), len(items)), dtype=np.float32)
        dists = np.empty_like(scores)
        bonus = np.array(
            [adjust.track.get(it.key, 0.0) + adjust.artist.get(fb.normalise_artist(it.artist), 0.0)
             for it in items],
            dtype=np.float32,
        )
        for j, t in enumerate(path):
            s, d = _score(z, seed_z, conf, t, weights)
            scores[j], dists[j] = s + bonus, d
        # only the fitting files, or the nearest few when none fits
        allowed = np.zeros(len(items), dtype=bool)
        allowed[np.argsort(single, kind="stable")[:want]] = True
        allowed |= fits
        scores[:, ~allowed] = -np.inf
        artists = [fb.normalise_artist(it.artist) or f"\0{it.key}" for it in items]
        for pick in _greedy(scores, dists, artists, want, used_artists):
            it = items[pick.row]
            results.append(
                _local_recommendation(it, model, pick, vad, strategy, want, adjust)
            )

    # -- catalog-only songs
    room = top - len(results)
    if room > 0 and len(cat):
        results.extend(
            _catalog_part(
                conn, cat, vad, room, strategy, weights, adjust, skip_keys, matched_ids,
                used_artists, standardise,
            )
        )
    return results


def _catalog_part(
    conn, cat, vad, room, strategy, weights, adjust, skip_keys, matched_ids, used_artists,
    standardise,
) -> list[Recommendation]:
    import numpy as np

    path_vad = targets(vad, room, strategy, cat)
    path = standardise(path_vad)
    # Candidate pool: the best songs for a few anchor points along the path (for
    # match the path is one point).
    last = len(path) - 1
    anchors = [0] if strategy == "match" else sorted({round(last * f / 3) for f in range(4)})
    pool_size = min(len(cat), 8 * room + 64)
    pool_parts = []
    for j in anchors:
        s = cat.score(path[j], weights)
        if pool_size < len(cat):
            pool_parts.append(np.argpartition(-s, pool_size - 1)[:pool_size])
        else:
            pool_parts.append(np.arange(len(cat)))
    pool = np.unique(np.concatenate(pool_parts))

    # Keys to leave out and feedback, mapped to catalog rows.
    bonus = np.zeros(len(pool), dtype=np.float32)
    allowed = np.ones(len(pool), dtype=bool)
    blocked_rows = set()
    for key in skip_keys:
        row = _row_of(cat, key)
        if row is not None:
            blocked_rows.add(row)
    for tid in matched_ids:
        row = cat.index.get(tid)
        if row is not None:
            blocked_rows.add(row)
    track_bonus = {}
    for key, delta in adjust.track.items():
        row = _row_of(cat, key)
        if row is not None:
            track_bonus[row] = delta
    artist_bonus = {cat.artist_codes[a]: d for a, d in adjust.artist.items()
                    if a in cat.artist_codes}
    pool_list = pool.tolist()
    for k, row in enumerate(pool_list):
        if row in blocked_rows:
            allowed[k] = False
        bonus[k] = track_bonus.get(row, 0.0) + artist_bonus.get(int(cat.artist[row]), 0.0)

    z, sz, conf = cat.z[pool], cat.seed_z[pool], cat.conf[pool]
    scores = np.empty((len(path), len(pool)), dtype=np.float32)
    dists = np.empty_like(scores)
    for j, t in enumerate(path):
        if strategy == "match" and j > 0:
            scores[j], dists[j] = scores[0], dists[0]
            continue
        s, d = _score(z, sz, conf, t, weights)
        scores[j], dists[j] = s + bonus, d
    scores[:, ~allowed] = -np.inf
    artists = cat.artist[pool].tolist()
    # Artists already queued from the user's files count, through their catalog codes.
    used_codes = {cat.artist_codes[a] for a in used_artists if a in cat.artist_codes}
    picks = _greedy(scores, dists, artists, room, used_codes)
    rows = [pool_list[p.row] for p in picks]
    details = _track_details(conn, [int(cat.ids[r]) for r in rows])
    out = []
    for pick, row in zip(picks, rows):
        tid = int(cat.ids[row])
        info = details.get(tid)
        if info is None:
            continue
        out.append(
            _catalog_recommendation(
                tid, info, int(cat.cluster[row]), cat.model, pick, strategy, room, adjust
            )
        )
    return out


def _row_of(cat: _Catalog, key: str) -> int | None:
    if not key.startswith("muse:"):
        return None
    try:
        return cat.index.get(int(key[5:]))
    except ValueError:
        return None


def _track_details(conn: sqlite3.Connection, ids: list[int]) -> dict[int, tuple]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT id, track, artist, genre, seeds, valence, arousal, dominance, spotify_id, "
        f"number_of_emotion_tags FROM tracks WHERE id IN ({marks})",
        ids,
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


# --------------------------------------------------------------------------- building results


def video_search_url(artist: str, track: str) -> str:
    return VIDEO_SEARCH_URL.format(quote_plus(f"{artist} {track}".strip()))


def _reason(
    pick: _Pick, strategy: str, n: int, extra: list[str], adjust_key: str,
    adjust: fb.Adjustments,
) -> str:
    parts = []
    if strategy == "match" or n <= 1 or pick.position == 0:
        parts.append(f"close to the mood ({pick.distance:.2f} away)")
    else:
        towards = "brighter" if strategy == "uplift" else "calmer"
        parts.append(f"step {pick.position + 1} of {n} towards {towards} songs")
    parts.extend(extra)
    if adjust_key in adjust.liked:
        parts.append("you liked it")
    elif adjust_key in adjust.skipped:
        parts.append("skipped before")
    return "; ".join(parts)


def _catalog_recommendation(
    tid: int, info: tuple, cluster: int, model: ClusterModel, pick: _Pick, strategy: str,
    n: int, adjust: fb.Adjustments,
) -> Recommendation:
    track, artist, genre, seeds_json, v, a, d, spotify_id, tags = info
    try:
        seeds = [str(s) for s in json.loads(seeds_json or "[]")]
    except ValueError:
        seeds = []
    key = f"muse:{tid}"
    extra = [f"{tags} listener mood tags"] if tags else []
    if seeds:
        extra.append("tagged " + ", ".join(seeds[:3]))
    return Recommendation(
        key=key,
        track=track,
        artist=artist,
        genre=genre or "",
        seeds=seeds,
        valence=float(v),
        arousal=float(a),
        dominance=float(d),
        cluster=cluster,
        cluster_name=_cluster_name(model, cluster),
        score=pick.score,
        playable=False,
        path=None,
        is_video=False,
        spotify_url=SPOTIFY_TRACK_URL.format(spotify_id) if spotify_id else None,
        video_search_url=video_search_url(artist, track),
        reason=_reason(pick, strategy, n, extra, key, adjust),
        source="catalog",
    )


def _local_recommendation(
    item, model: ClusterModel, pick: _Pick, vad: VAD, strategy: str, n: int,
    adjust: fb.Adjustments,
) -> Recommendation:
    cluster = model.assign(item.vad)
    source = getattr(item, "source", "library") or "library"
    extra = ["demo track" if source == "demo" else "in your library"]
    if source != "demo":
        extra.append("mood estimated from its genre" if item.estimated else "matched to MuSe")
    v, a, d = item.vad.as_tuple()
    return Recommendation(
        key=item.key,
        track=item.title,
        artist=item.artist,
        genre=item.genre or "",
        seeds=list(item.seeds or []),
        valence=float(v),
        arousal=float(a),
        dominance=float(d),
        cluster=cluster,
        cluster_name=_cluster_name(model, cluster),
        score=pick.score,
        playable=True,
        path=str(item.path),
        is_video=bool(item.is_video),
        spotify_url=None,
        video_search_url="" if source == "demo" else video_search_url(item.artist, item.title),
        reason=_reason(pick, strategy, n, extra, item.key, adjust),
        source=source,
    )


def _cluster_name(model: ClusterModel, cluster: int) -> str:
    return model.names[cluster] if 0 <= cluster < len(model.names) else ""


def _local_confidence(item) -> float:
    if getattr(item, "source", "") == "demo":
        return LOCAL_CONFIDENCE["demo"]
    return LOCAL_CONFIDENCE["estimated" if item.estimated else "matched"]


def _playable_items(conn: sqlite3.Connection) -> list:
    """The library engineer's playable items, or none where that module is absent."""
    try:
        from moodplayer.catalog import library
    except ImportError:
        return []
    try:
        return list(library.playable_items(conn))
    except sqlite3.Error as err:
        log.warning("The music library could not be read (%s); using the catalog only.", err)
        return []
