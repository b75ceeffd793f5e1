"""How well recommendations fit an emotion, judged by the songs' own MuSe seed tags.

**Seed-tag fit@k.** For a face emotion *e*, take the top *k* (10) catalog songs that
:func:`moodplayer.catalog.recommend.recommend` returns for *e*'s VAD (strategy
``match``) and count the share whose seed tags fit *e*:

* every seed tag *t* has a VAD of its own. From the catalog: MuSe's VAD of a song is
  the tag-weighted mean of the Warriner norms of its mood tags, so a song whose only
  mood tag is *t* carries exactly *t*'s norm; the median VAD of such songs is *t*'s VAD
  (``seed_tags.valence`` ..., learnt at import). A lexicon of word norms read in place
  can add the tags the catalog has no such song for (:func:`lexicon_tag_vads`);
* *t* fits *e* when the two VADs lie within :data:`FIT_RADIUS` of each other on the
  1-9 scale (1.5, about one standard deviation of MuSe's song valence). Close
  emotions share tags (angry and fear both fit "nervous"); a tag far from every
  emotion fits none; a tag whose VAD is unknown fits none;
* a song fits *e* when at least one of its seed tags does.

The relation is derived from data alone (no per-emotion word list), the same way for
every emotion, and it looks only at seed tags, not at the songs' VAD that the
ranking starts from. :func:`ceiling` gives, per emotion, the best share the catalog
allows (``min(k, fitting songs) / k``).
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from moodplayer.mood.vad import EMOTION_VAD, EMOTIONS, VAD

FIT_RADIUS = 1.5
TOP_K = 10


def catalog_tag_vads(conn: sqlite3.Connection) -> dict[str, VAD]:
    """Each seed tag's own VAD, where the imported catalog tells it."""
    rows = conn.execute(
        "SELECT tag, valence, arousal, dominance FROM seed_tags WHERE valence IS NOT NULL"
    )
    return {t: VAD(v, a, d) for t, v, a, d in rows}


def lexicon_tag_vads(path: Path, tags: Iterable[str]) -> dict[str, VAD]:
    """VADs of ``tags`` from a word-norm CSV read in place (``Word, V.Mean.Sum, A..., D...``)."""
    wanted = set(tags)
    out: dict[str, VAD] = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            word = (row.get("Word") or "").strip().lower()
            if word in wanted:
                try:
                    out[word] = VAD(
                        float(row["V.Mean.Sum"]), float(row["A.Mean.Sum"]),
                        float(row["D.Mean.Sum"]),
                    )
                except (KeyError, ValueError):
                    continue
    return out


def tag_relation(tag_vads: Mapping[str, VAD], radius: float = FIT_RADIUS) -> dict[str, set[str]]:
    """Emotion -> the seed tags that fit it."""
    return {
        e: {t for t, v in tag_vads.items() if v.distance(EMOTION_VAD[e]) <= radius}
        for e in EMOTIONS
    }


def song_fits(seeds: Iterable[str], tags: set[str]) -> bool:
    return any(s in tags for s in seeds)


@dataclass
class EmotionFit:
    emotion: str
    share: float
    fitting: int
    k: int
    tags_seen: list[str] = field(default_factory=list)


@dataclass
class FitReport:
    per_emotion: dict[str, EmotionFit]

    @property
    def mean(self) -> float:
        values = [f.share for f in self.per_emotion.values()]
        return sum(values) / len(values) if values else 0.0

    def to_json(self) -> dict:
        out = {e: round(f.share, 3) for e, f in self.per_emotion.items()}
        out["mean"] = round(self.mean, 3)
        return out


def seed_tag_fit(
    conn: sqlite3.Connection,
    relation: Mapping[str, set[str]],
    *,
    k: int = TOP_K,
    strategy: str = "match",
    weights=None,
) -> FitReport:
    """Seed-tag fit@k of the catalog recommendations for each emotion."""
    from moodplayer.catalog.recommend import recommend

    per: dict[str, EmotionFit] = {}
    for e in EMOTIONS:
        recs = recommend(
            EMOTION_VAD[e], top=k, strategy=strategy, conn=conn, weights=weights,
            include_playable=False,
        )
        fitting = sum(song_fits(r.seeds, relation[e]) for r in recs)
        seen = sorted({s for r in recs for s in r.seeds})
        per[e] = EmotionFit(e, fitting / k if k else 0.0, fitting, k, seen)
    return FitReport(per)


def ceiling(
    conn: sqlite3.Connection, relation: Mapping[str, set[str]], k: int = TOP_K
) -> dict[str, float]:
    """Per emotion, the best fit@k the catalog allows."""
    import json

    counts = {e: 0 for e in EMOTIONS}
    for (seeds_json,) in conn.execute("SELECT seeds FROM tracks"):
        seeds = json.loads(seeds_json or "[]")
        for e in EMOTIONS:
            if song_fits(seeds, relation[e]):
                counts[e] += 1
    return {e: min(k, c) / k for e, c in counts.items()}
