"""K-Means mood clusters over the catalog's valence-arousal-dominance points.

The catalog's songs are grouped into *k* mood clusters with scikit-learn's K-Means
on standardised axes (each of V, A, D centred on the catalog mean and divided by its
standard deviation, so that arousal and dominance, which spread less than valence,
weigh as much as valence).

**Choosing k.** For each k in :data:`K_RANGE` (5..12) K-Means is fitted on a fixed
random subsample and scored with the silhouette coefficient (mean over points of
how much closer a point is to its own cluster than to the next one; higher is
better). The k with the highest silhouette wins. Scores within
:data:`SILHOUETTE_TIE` of the best are treated as a tie, because the subsampled
silhouette is only that precise; among tied k the one that sends the seven face
emotions to the most *different* clusters wins (a player that maps angry, sad and
happy faces to one cluster is useless however compact its clusters are), then the
smaller k (fewer, larger, easier-to-name clusters). The range starts at 5 because
fewer clusters cannot keep the emotions' broad regions (negative-aroused,
negative-calm, positive-aroused, positive-calm, neutral) apart, and stops at 12 so
that every cluster stays large and nameable. The MuSe VAD cloud is one continuous
blob, so silhouettes are modest (about 0.33) and close together; that is why the
tie rule matters.

**Names.** A cluster's name says where its centroid lies relative to the catalog
(``dark``/``bright`` valence, ``calm``/``energetic`` arousal) followed by its two
most characteristic seed tags (tags ranked by their count in the cluster times
their over-representation there, see :func:`_top_tags`).

**Emotions.** Each of the seven face emotions maps to the cluster whose centroid is
nearest (standardised) to the emotion's Warriner VAD (:data:`EMOTION_VAD`).

The shipped default model (``data/default_clusters.json``) was fitted by
``python -m moodplayer.training.default_clusters`` on the MuSe sample; importing a
catalog refits the model and stores it in the database (``meta.cluster_model``).
scikit-learn and numpy are imported only when fitting or assigning many points.
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from moodplayer import paths
from moodplayer.errors import CatalogError
from moodplayer.mood.vad import EMOTION_VAD, EMOTIONS, VAD

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

K_RANGE = range(5, 13)
#: Silhouette scores closer than this to the best count as tied (subsample noise).
SILHOUETTE_TIE = 0.005
#: Points used to choose k (the final model is fitted on every point).
SELECTION_SAMPLE = 10_000
SILHOUETTE_SAMPLE = 3_000
RANDOM_STATE = 0
#: A catalog smaller than this keeps the default clusters (too few songs to fit its own).
MIN_FIT_TRACKS = 200
DEFAULT_MODEL_FILE = ("data", "default_clusters.json")
MODEL_META_KEY = "cluster_model"
FORMAT_VERSION = 1

#: z-score beyond which a centroid counts as low/high on an axis when naming it.
_NAME_THRESHOLD = 0.45


@dataclass
class ClusterModel:
    """A fitted set of mood clusters.

    ``centroids`` are on the 1-9 VAD scale; ``mean`` and ``scale`` standardise a VAD
    point the way the model was fitted; ``emotion_map`` sends each face emotion to a
    cluster index.
    """

    k: int
    centroids: list[VAD]
    names: list[str]
    emotion_map: dict[str, int]
    mean: tuple[float, float, float]
    scale: tuple[float, float, float]
    sizes: list[int] = field(default_factory=list)
    top_tags: list[list[str]] = field(default_factory=list)
    silhouette: dict[int, float] = field(default_factory=dict)
    n_tracks: int = 0
    source: str = ""
    fitted_at: str = ""

    # -- assigning

    def standardise(self, vad: VAD) -> tuple[float, float, float]:
        return tuple((x - m) / s for x, m, s in zip(vad.as_tuple(), self.mean, self.scale))

    def assign(self, vad: VAD) -> int:
        """The index of the cluster whose centroid is nearest ``vad`` (standardised)."""
        z = self.standardise(vad)
        best, best_d = 0, math.inf
        for i, c in enumerate(self.centroids):
            cz = self.standardise(c)
            d = sum((a - b) ** 2 for a, b in zip(z, cz))
            if d < best_d:
                best, best_d = i, d
        return best

    def assign_many(self, points: np.ndarray) -> np.ndarray:
        """Cluster indices for an (n, 3) array of raw VAD points."""
        import numpy as np

        z = (np.asarray(points, dtype=np.float64) - np.array(self.mean)) / np.array(self.scale)
        cz = self.centroids_z()
        d = ((z[:, None, :] - cz[None, :, :]) ** 2).sum(axis=2)
        return d.argmin(axis=1).astype(np.int32)

    def centroids_z(self) -> np.ndarray:
        import numpy as np

        c = np.array([v.as_tuple() for v in self.centroids], dtype=np.float64)
        return (c - np.array(self.mean)) / np.array(self.scale)

    def emotions_of(self, cluster: int) -> list[str]:
        return [e for e in EMOTIONS if self.emotion_map.get(e) == cluster]

    # -- (de)serialising

    def to_json(self) -> dict:
        return {
            "format": FORMAT_VERSION,
            "k": self.k,
            "centroids": [[round(x, 4) for x in c.as_tuple()] for c in self.centroids],
            "names": self.names,
            "emotion_map": self.emotion_map,
            "mean": [round(x, 6) for x in self.mean],
            "scale": [round(x, 6) for x in self.scale],
            "sizes": self.sizes,
            "top_tags": self.top_tags,
            "silhouette": {str(k): round(v, 4) for k, v in self.silhouette.items()},
            "n_tracks": self.n_tracks,
            "source": self.source,
            "fitted_at": self.fitted_at,
            "criterion": (
                f"highest silhouette over k={K_RANGE.start}..{K_RANGE.stop - 1} on standardised "
                f"VAD; ties within {SILHOUETTE_TIE}: most distinct emotion clusters, then smaller k"
            ),
        }

    @staticmethod
    def from_json(data: dict) -> ClusterModel:
        try:
            centroids = [VAD(*map(float, c)) for c in data["centroids"]]
            model = ClusterModel(
                k=int(data["k"]),
                centroids=centroids,
                names=[str(n) for n in data["names"]],
                emotion_map={str(e): int(i) for e, i in data["emotion_map"].items()},
                mean=tuple(float(x) for x in data["mean"]),
                scale=tuple(float(x) for x in data["scale"]),
                sizes=[int(s) for s in data.get("sizes", [])],
                top_tags=[[str(t) for t in tags] for tags in data.get("top_tags", [])],
                silhouette={int(k): float(v) for k, v in data.get("silhouette", {}).items()},
                n_tracks=int(data.get("n_tracks", 0)),
                source=str(data.get("source", "")),
                fitted_at=str(data.get("fitted_at", "")),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise CatalogError(f"The stored mood cluster model is unreadable ({err}).") from err
        if len(model.centroids) != model.k or len(model.names) != model.k or model.k < 1:
            raise CatalogError("The stored mood cluster model is inconsistent.")
        if any(s <= 0 for s in model.scale) or len(model.mean) != 3 or len(model.scale) != 3:
            raise CatalogError("The stored mood cluster model has an invalid scaler.")
        return model


# --------------------------------------------------------------------------- loading


def default_model_path():
    return paths.resource(*DEFAULT_MODEL_FILE)


def load_default_model() -> ClusterModel:
    """The shipped default clusters (fitted on the MuSe sample)."""
    path = default_model_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise CatalogError(
            f"The default mood clusters {path} are missing or unreadable ({err}); "
            "reinstall moodplayer or import a MuSe catalog."
        ) from err
    return ClusterModel.from_json(data)


def load_cluster_model(conn: sqlite3.Connection | None = None) -> ClusterModel:
    """The model fitted on the imported catalog, else the shipped default.

    Without ``conn`` the default database is read if it exists (it is not created).
    """
    close = False
    if conn is None:
        db = paths.database_path()
        if not db.exists():
            return load_default_model()
        from moodplayer.catalog import store

        conn = store.connect(db)
        close = True
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (MODEL_META_KEY,)).fetchone()
    except sqlite3.Error:
        row = None
    finally:
        if close:
            conn.close()
    if row:
        try:
            return ClusterModel.from_json(json.loads(row[0]))
        except (ValueError, CatalogError) as err:
            log.warning("Ignoring the stored cluster model (%s); using the default.", err)
    return load_default_model()


def save_cluster_model(conn: sqlite3.Connection, model: ClusterModel) -> None:
    """Store ``model`` in the database (inside the caller's transaction, if any)."""
    from moodplayer.catalog import store

    store.set_meta(conn, MODEL_META_KEY, json.dumps(model.to_json()))


# --------------------------------------------------------------------------- fitting


def fit_clusters(
    points: np.ndarray,
    seeds: Sequence[Sequence[str]] | None = None,
    *,
    k_range: range = K_RANGE,
    source: str = "catalog",
    random_state: int = RANDOM_STATE,
) -> ClusterModel:
    """Fit the mood clusters on an (n, 3) array of raw VAD points (see module docstring)."""
    import numpy as np
    from sklearn.cluster import KMeans

    x = np.asarray(points, dtype=np.float64)
    n = len(x)
    if n < 2:
        raise CatalogError("Too few songs to form mood clusters.")
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale <= 1e-9] = 1.0
    z = (x - mean) / scale
    ks = [k for k in k_range if k < n]
    if not ks:
        ks = [max(1, min(n - 1, k_range.start))]

    rng = np.random.default_rng(random_state)
    sub = z if n <= SELECTION_SAMPLE else z[rng.choice(n, SELECTION_SAMPLE, replace=False)]
    # The silhouette is scored on a fixed subsample of the selection sample, with its
    # distance matrix computed once for all k.
    sil_idx = (
        np.arange(len(sub)) if len(sub) <= SILHOUETTE_SAMPLE
        else rng.choice(len(sub), SILHOUETTE_SAMPLE, replace=False)
    )
    dist = _distances(sub[sil_idx])
    emotion_z = (np.array([EMOTION_VAD[e].as_tuple() for e in EMOTIONS]) - mean) / scale
    scores: dict[int, float] = {}
    distinct: dict[int, int] = {}
    centres: dict[int, np.ndarray] = {}
    with _single_thread():
        for k in ks:
            km = KMeans(n_clusters=k, n_init=3, random_state=random_state).fit(sub)
            scores[k] = silhouette(dist, km.labels_[sil_idx])
            centres[k] = km.cluster_centers_
            d = ((emotion_z[:, None, :] - km.cluster_centers_[None]) ** 2).sum(axis=2)
            distinct[k] = len(set(d.argmin(axis=1).tolist()))
        best = max(scores.values())
        tied = [k for k in ks if scores[k] >= best - SILHOUETTE_TIE]
        k = max(tied, key=lambda kk: (distinct[kk], -kk))
        # Every point, starting from the chosen subsample solution (converges in a few steps).
        final = KMeans(n_clusters=k, init=centres[k], n_init=1).fit(z)
    log.info(
        "mood clusters: silhouette %s; chose k=%d (%d distinct emotion clusters)",
        {kk: round(v, 3) for kk, v in scores.items()}, k, distinct[k],
    )

    centres_z = final.cluster_centers_
    # A stable, readable order: from dark to bright, then calm to energetic.
    order = sorted(range(k), key=lambda i: (round(centres_z[i][0], 6), centres_z[i][1]))
    remap = np.empty(k, dtype=np.int64)
    remap[order] = np.arange(k)
    labels = remap[final.labels_]
    centres_z = centres_z[order]
    centroids = [VAD(*(c * scale + mean).tolist()) for c in centres_z]
    sizes = np.bincount(labels, minlength=k).tolist()
    top = _top_tags(labels, seeds, k) if seeds is not None else [[] for _ in range(k)]
    names = _names(centres_z, top)
    d = ((emotion_z[:, None, :] - centres_z[None]) ** 2).sum(axis=2)
    emotion_map = {e: int(d[i].argmin()) for i, e in enumerate(EMOTIONS)}
    import datetime as _dt

    return ClusterModel(
        k=k,
        centroids=centroids,
        names=names,
        emotion_map=emotion_map,
        mean=tuple(mean.tolist()),
        scale=tuple(scale.tolist()),
        sizes=[int(s) for s in sizes],
        top_tags=top,
        silhouette=scores,
        n_tracks=n,
        source=source,
        fitted_at=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    )


def _distances(points: np.ndarray) -> np.ndarray:
    """Euclidean distance matrix (float32)."""
    import numpy as np

    p = np.ascontiguousarray(points, dtype=np.float32)
    sq = (p * p).sum(axis=1)
    d2 = p @ p.T
    d2 *= -2.0
    d2 += sq[:, None]
    d2 += sq[None, :]
    np.maximum(d2, 0.0, out=d2)
    return np.sqrt(d2, out=d2)


def silhouette(dist: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette coefficient from a distance matrix (as sklearn's, metric "precomputed").

    For point i with mean distance *a* to the other members of its cluster and *b* to
    the members of the nearest other cluster, s = (b - a) / max(a, b); 0 for a point
    alone in its cluster.
    """
    import numpy as np

    labels = np.asarray(labels)
    uniq, lab = np.unique(labels, return_inverse=True)
    k = len(uniq)
    n = len(lab)
    if k < 2 or k >= n:
        return -1.0
    onehot = np.zeros((n, k), dtype=np.float32)
    onehot[np.arange(n), lab] = 1.0
    sums = dist @ onehot
    counts = onehot.sum(axis=0)
    own = counts[lab]
    a = sums[np.arange(n), lab] / np.maximum(own - 1.0, 1.0)
    others = sums / counts[None, :]
    others[np.arange(n), lab] = np.inf
    b = others.min(axis=1)
    denom = np.maximum(a, b)
    s = np.where(denom > 0, (b - a) / np.where(denom > 0, denom, 1.0), 0.0)
    s[own <= 1] = 0.0
    return float(s.mean())


class _single_thread:
    """Fit with one thread: on two shared cores OpenMP threads only fight each other."""

    def __enter__(self):
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:  # pragma: no cover - scikit-learn depends on threadpoolctl
            self._limits = None
            return self
        self._limits = threadpool_limits(limits=1)
        return self

    def __exit__(self, *exc):
        if self._limits is not None:
            self._limits.unregister()
        return False


def _top_tags(labels: np.ndarray, seeds: Sequence[Sequence[str]], k: int, n: int = 5) -> list[
    list[str]
]:
    """Per cluster, the seed tags most typical of it.

    A tag's weight in a cluster is its count there times its lift (its share of the
    cluster's songs divided by its share of all songs): frequent *and* characteristic
    tags come first, tags that are everywhere (like "sweet") only where they cluster.
    """
    total = Counter()
    per = [Counter() for _ in range(k)]
    for label, tags in zip(labels.tolist(), seeds):
        for t in set(tags):
            per[label][t] += 1
            total[t] += 1
    n_songs = len(labels)
    sizes = [max(1, int((labels == i).sum())) for i in range(k)]
    out: list[list[str]] = []
    for i in range(k):
        floor = max(2, math.ceil(0.01 * sizes[i]))
        scored = []
        for tag, c in per[i].items():
            if c < floor:
                continue
            lift = (c / sizes[i]) / (total[tag] / n_songs)
            scored.append((c * lift, c, tag))
        scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
        out.append([tag for _, _, tag in scored[:n]])
    return out


_AROUSAL_WORDS = ((-1.5, "still"), (-_NAME_THRESHOLD, "calm"), (1.5, ""), (math.inf, "intense"))
_VALENCE_WORDS = (
    (-1.5, "gloomy"),
    (-2 * _NAME_THRESHOLD, "dark"),
    (-_NAME_THRESHOLD, "sombre"),
    (_NAME_THRESHOLD, ""),
    (2 * _NAME_THRESHOLD, "warm"),
    (1.5, "bright"),
    (math.inf, "radiant"),
)


def _word(z: float, table: tuple[tuple[float, str], ...]) -> str:
    for upper, word in table:
        if z <= upper:
            return word
    return ""


def _position_words(cz: Sequence[float]) -> str:
    """``"Calm and dark"``: the centroid's arousal and valence relative to the catalog."""
    v, a = cz[0], cz[1]
    arousal = _word(a, _AROUSAL_WORDS)
    if not arousal and a >= _NAME_THRESHOLD:
        arousal = "energetic"
    words = [w for w in (arousal, _word(v, _VALENCE_WORDS)) if w]
    text = " and ".join(words) if words else "balanced"
    return text[0].upper() + text[1:]


def _names(centres_z: np.ndarray, top: list[list[str]]) -> list[str]:
    names = []
    for i, cz in enumerate(centres_z):
        tags = top[i][:2] if i < len(top) else []
        base = _position_words(cz.tolist())
        names.append(f"{base} ({', '.join(tags)})" if tags else base)
    seen: Counter[str] = Counter()
    unique = []
    for name in names:
        seen[name] += 1
        unique.append(name if seen[name] == 1 else f"{name} #{seen[name]}")
    return unique
