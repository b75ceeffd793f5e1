"""Recommendations on the real MuSe sample: ranking, strategies, diversity, feedback, files."""

from __future__ import annotations

import statistics
import time
import wave
from pathlib import Path

import pytest

from moodplayer.catalog import feedback
from moodplayer.catalog.recommend import STRATEGIES, Recommendation, recommend, targets
from moodplayer.mood.vad import EMOTION_VAD, EMOTIONS, VAD

ISSUE_KEYS = {"track", "artist", "genre", "seeds", "valence", "arousal", "dominance", "cluster",
              "score", "playable", "path", "spotify_url", "video_search_url", "reason"}


def catalog_only(conn, vad, **kw) -> list[Recommendation]:
    return recommend(vad, conn=conn, include_playable=False, **kw)


def test_empty_database_gives_nothing(conn):
    assert recommend(EMOTION_VAD["sad"], conn=conn) == []


@pytest.mark.parametrize("emotion", EMOTIONS)
def test_match_queue_fits_the_mood_without_repeating_artists(sample_conn, emotion):
    recs = catalog_only(sample_conn, EMOTION_VAD[emotion], top=20)
    assert len(recs) == 20
    assert len({r.artist.casefold() for r in recs}) == 20
    assert len({r.key for r in recs}) == 20
    scores = [r.score for r in recs]
    assert scores == sorted(scores, reverse=True)
    target = EMOTION_VAD[emotion]
    # the queue sits far closer to the mood than the catalog at large
    mean_d = statistics.mean(r.vad.distance(target) for r in recs)
    rows = sample_conn.execute("SELECT valence, arousal, dominance FROM tracks").fetchall()
    catalog_d = statistics.mean(VAD(*row).distance(target) for row in rows)
    assert mean_d < 0.6 * catalog_d
    for r in recs:
        assert set(r.to_json()) >= ISSUE_KEYS
        assert r.key.startswith("muse:") and r.source == "catalog" and not r.playable
        assert r.video_search_url.startswith("https://www.youtube.com/results?search_query=")
        assert r.spotify_url is None or r.spotify_url.startswith("https://open.spotify.com/track/")
        assert r.reason


def test_happy_and_sad_get_different_songs(sample_conn):
    happy = catalog_only(sample_conn, EMOTION_VAD["happy"], top=10)
    sad = catalog_only(sample_conn, EMOTION_VAD["sad"], top=10)
    assert not {r.key for r in happy} & {r.key for r in sad}
    assert statistics.mean(r.valence for r in happy) > statistics.mean(r.valence for r in sad) + 3


def test_uplift_starts_at_the_mood_and_rises_in_valence(sample_conn):
    sad = EMOTION_VAD["sad"]
    match = catalog_only(sample_conn, sad, top=20)
    up = catalog_only(sample_conn, sad, top=20, strategy="uplift")
    assert up[0].key == match[0].key  # the iso principle: meet the mood first
    first, last = up[:5], up[-5:]
    assert statistics.mean(r.valence for r in last) > statistics.mean(r.valence for r in first) + 2
    path = targets(sad, 20, "uplift")
    assert path[0] == sad and path[-1].valence > sad.valence + 3


def test_calm_moves_towards_low_arousal(sample_conn):
    angry = EMOTION_VAD["angry"]
    calm = catalog_only(sample_conn, angry, top=20, strategy="calm")
    assert statistics.mean(r.arousal for r in calm[-5:]) < statistics.mean(
        r.arousal for r in calm[:5]) - 1


def test_unknown_strategy_is_refused(sample_conn):
    with pytest.raises(ValueError, match="strategy"):
        catalog_only(sample_conn, EMOTION_VAD["sad"], strategy="party")
    assert set(STRATEGIES) == {"match", "uplift", "calm"}


def test_exclusions_recent_plays_and_bans_are_left_out(sample_conn):
    vad = EMOTION_VAD["fear"]
    base = catalog_only(sample_conn, vad, top=10)
    excluded = catalog_only(sample_conn, vad, top=10, exclude={base[0].key})
    assert base[0].key not in {r.key for r in excluded}
    feedback.record(sample_conn, base[1].key, "play")
    feedback.record(sample_conn, base[2].key, "ban", cluster=base[2].cluster)
    after = {r.key for r in catalog_only(sample_conn, vad, top=10)}
    assert base[1].key not in after and base[2].key not in after
    assert feedback.recent_plays(sample_conn, 5) == [base[1].key]


def test_likes_raise_and_skips_lower_a_song_for_that_mood(sample_conn):
    vad = EMOTION_VAD["surprise"]
    base = catalog_only(sample_conn, vad, top=20)
    cluster = store_cluster(sample_conn, vad)
    low = base[15]
    feedback.record(sample_conn, low.key, "like", cluster=cluster)
    feedback.record(sample_conn, low.key, "like", cluster=cluster)
    liked = catalog_only(sample_conn, vad, top=20)
    assert [r.key for r in liked].index(low.key) < 5
    assert "you liked it" in next(r for r in liked if r.key == low.key).reason
    top = base[0]
    for _ in range(3):
        feedback.record(sample_conn, top.key, "skip", cluster=cluster)
    skipped = [r.key for r in catalog_only(sample_conn, vad, top=20)]
    assert skipped[0] != top.key and (top.key not in skipped or skipped.index(top.key) > 3)
    # a skip in another mood does not move it here
    other = catalog_only(sample_conn, EMOTION_VAD["sad"], top=5)[0]
    sad_cluster = store_cluster(sample_conn, EMOTION_VAD["sad"])
    feedback.record(sample_conn, other.key, "skip", cluster=sad_cluster + 1)
    assert catalog_only(sample_conn, EMOTION_VAD["sad"], top=5)[0].key == other.key


def store_cluster(conn, vad) -> int:
    from moodplayer.catalog.clusters import load_cluster_model

    return load_cluster_model(conn).assign(vad)


def test_recommendations_follow_a_new_import(tmp_path, sample_conn, muse_head):
    from moodplayer.catalog.muse import import_muse

    before = catalog_only(sample_conn, EMOTION_VAD["angry"], top=5)
    import_muse(muse_head, sample_conn)
    after = catalog_only(sample_conn, EMOTION_VAD["angry"], top=5)
    heads = {r[0] for r in sample_conn.execute("SELECT 'muse:' || id FROM tracks")}
    assert {r.key for r in after} <= heads and {r.key for r in before} != {r.key for r in after}


def test_warm_recommendation_is_fast(sample_conn):
    catalog_only(sample_conn, EMOTION_VAD["sad"], top=20)  # loads the arrays
    times = []
    for e in EMOTIONS:
        for strategy in STRATEGIES:
            t = time.perf_counter()
            recommend(EMOTION_VAD[e], top=20, strategy=strategy, conn=sample_conn)
            times.append(time.perf_counter() - t)
    assert statistics.median(times) < 0.020


# --------------------------------------------------------------------------- playable files


def _wav(path: Path, seconds: float = 0.2) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x10" * int(8000 * seconds))
    return path


@pytest.fixture
def library_conn(sample_conn, tmp_path):
    library = pytest.importorskip("moodplayer.catalog.library")
    library.ensure_schema(sample_conn)
    items = [
        ("Rainy Day", "Local Sad", VAD(2.3, 3.4, 3.9), False),
        ("Sunny Day", "Local Happy", VAD(8.2, 6.0, 7.0), False),
        ("Neon Night", "Local Video", VAD(7.6, 6.4, 5.3), True),
    ]
    for title, artist, vad, is_video in items:
        path = _wav(tmp_path / f"{title}.wav")
        library.upsert_item(sample_conn, library.LocalItem(
            key=f"file:{path}", path=str(path), title=title, artist=artist, album="",
            genre="test", duration_s=0.2, vad=vad, is_video=is_video, source="library",
            matched_track_id=None, estimated=True,
        ))
    gone = tmp_path / "deleted.wav"  # indexed, but the file is gone: not playable
    library.upsert_item(sample_conn, library.LocalItem(
        key=f"file:{gone}", path=str(gone), title="Gone", artist="Nobody", album="",
        genre="", duration_s=None, vad=VAD(2.2, 3.5, 3.8), is_video=False, source="library",
        matched_track_id=None, estimated=True,
    ))
    sample_conn.commit()
    return sample_conn


def test_playable_files_come_first_then_catalog_songs(library_conn):
    recs = recommend(EMOTION_VAD["sad"], top=10, conn=library_conn)
    assert len(recs) == 10
    playable = [r for r in recs if r.playable]
    assert playable and recs[: len(playable)] == playable
    assert playable[0].track == "Rainy Day" and Path(playable[0].path).is_file()
    assert all(r.track != "Gone" for r in recs)
    assert all(not r.playable and r.source == "catalog" for r in recs[len(playable):])
    happy = recommend(EMOTION_VAD["happy"], top=10, conn=library_conn)
    assert happy[0].track == "Sunny Day"
    assert happy[0].to_json()["path"] == str(Path(happy[0].path))
    video = next(r for r in recommend(EMOTION_VAD["surprise"], top=5, conn=library_conn)
                 if r.track == "Neon Night")
    assert video.is_video and video.playable
