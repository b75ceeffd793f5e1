"""K-Means mood clusters: the k rule, names, emotion mapping, defaults and persistence."""

from __future__ import annotations

import json

import numpy as np
import pytest

from moodplayer.catalog import clusters
from moodplayer.mood.vad import EMOTION_VAD, EMOTIONS, VAD


def test_shipped_default_model_is_usable():
    model = clusters.load_default_model()
    assert model.k in clusters.K_RANGE
    assert len(model.centroids) == len(model.names) == len(model.sizes) == model.k
    assert len(set(model.names)) == model.k
    assert set(model.emotion_map) == set(EMOTIONS)
    for e in EMOTIONS:
        assert model.assign(EMOTION_VAD[e]) == model.emotion_map[e]
    # opposite moods land in different clusters
    assert model.emotion_map["happy"] != model.emotion_map["sad"]
    assert model.emotion_map["happy"] != model.emotion_map["angry"]
    # the file holds derived figures only: no song titles or artists
    text = clusters.default_model_path().read_text()
    assert "track" not in json.loads(text) and "artist" not in text


def test_load_cluster_model_without_database_uses_default(home):
    model = clusters.load_cluster_model()
    assert model.source.startswith("default")
    assert not (home / "moodplayer.sqlite3").exists()  # looking does not create it


def test_default_model_is_reproducible_from_the_sample(muse_sample):
    from moodplayer.training.default_clusters import build

    shipped = json.loads(clusters.default_model_path().read_text())
    assert build(muse_sample) == shipped


def test_silhouette_matches_scikit_learn():
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(3)
    points = np.concatenate([rng.normal(0, 1, (300, 3)), rng.normal(4, 1, (200, 3))])
    labels = (points[:, 0] > 2).astype(int) + (points[:, 1] > 1)
    ours = clusters.silhouette(clusters._distances(points), labels)
    assert ours == pytest.approx(silhouette_score(points, labels), abs=1e-5)


def test_fit_follows_the_stated_k_rule_and_is_deterministic(muse_sample):
    from moodplayer.catalog.muse import read_muse_csv

    rows = read_muse_csv(muse_sample).rows
    points = np.array([(r.valence, r.arousal, r.dominance) for r in rows])
    seeds = [r.seeds for r in rows]
    model = clusters.fit_clusters(points, seeds)
    scores = model.silhouette
    assert set(scores) == set(clusters.K_RANGE)
    best = max(scores.values())
    tied = [k for k in scores if scores[k] >= best - clusters.SILHOUETTE_TIE]
    assert model.k in tied  # the best silhouette, or tied with it
    again = clusters.fit_clusters(points, seeds)
    assert [c.as_tuple() for c in again.centroids] == [c.as_tuple() for c in model.centroids]
    # clusters are ordered from dark to bright and every song belongs to one
    valences = [c.valence for c in model.centroids]
    assert valences == sorted(valences)
    labels = model.assign_many(points)
    assert np.bincount(labels, minlength=model.k).tolist() == model.sizes
    # names: where the centroid lies plus two characteristic seed tags
    for name, tags in zip(model.names, model.top_tags):
        assert tags and tags[0] in name
    happy_tags = model.top_tags[model.emotion_map["happy"]]
    assert {"happy", "cheerful", "positive"} & set(happy_tags)
    assert model.emotion_map["happy"] != model.emotion_map["sad"]


def test_model_round_trips_through_json():
    model = clusters.load_default_model()
    again = clusters.ClusterModel.from_json(json.loads(json.dumps(model.to_json())))
    assert again.names == model.names and again.emotion_map == model.emotion_map
    assert again.assign(VAD(2, 3, 3)) == model.assign(VAD(2, 3, 3))


def test_refit_on_import_is_persisted_beside_the_catalog(sample_conn):
    from moodplayer.catalog import store

    model = clusters.load_cluster_model(sample_conn)
    assert model.source.startswith("catalog")
    assert model.n_tracks == store.track_count(sample_conn)
    stored = json.loads(store.get_meta(sample_conn, clusters.MODEL_META_KEY))
    assert stored["k"] == model.k
    # the tracks' stored clusters agree with the model
    rows = sample_conn.execute(
        "SELECT valence, arousal, dominance, cluster FROM tracks LIMIT 200").fetchall()
    for v, a, d, c in rows:
        assert model.assign(VAD(v, a, d)) == c


def test_a_broken_stored_model_falls_back_to_the_default(conn):
    from moodplayer.catalog import store

    store.set_meta(conn, clusters.MODEL_META_KEY, '{"k": 3, "centroids": []}')
    assert clusters.load_cluster_model(conn).source.startswith("default")
