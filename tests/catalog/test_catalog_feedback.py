"""Likes, skips, bans and plays: what is stored and what it means for a mood."""

from __future__ import annotations

import pytest

from moodplayer.catalog import feedback


def test_record_and_recent_plays(conn):
    for key in ("muse:1", "muse:2", "muse:1", "file:/a.mp3"):
        feedback.record(conn, key, "play")
    assert feedback.recent_plays(conn, 10) == ["file:/a.mp3", "muse:1", "muse:2"]
    assert feedback.recent_plays(conn, 1) == ["file:/a.mp3"]
    events = feedback.history(conn, 10, kind="play")
    assert len(events) == 4 and events[0].key == "file:/a.mp3"


def test_invalid_feedback_is_refused(conn):
    with pytest.raises(ValueError, match="like"):
        feedback.record(conn, "muse:1", "love")
    with pytest.raises(ValueError):
        feedback.record(conn, "", "like")


def test_adjustments_are_per_mood_cluster(conn):
    feedback.record(conn, "muse:1", "like", cluster=2, artist="The Band")
    feedback.record(conn, "muse:2", "skip", cluster=2, artist="Other Band")
    feedback.record(conn, "muse:3", "ban", cluster=2, artist="Banned Band")
    feedback.record(conn, "muse:4", "skip", cluster=5)
    here = feedback.adjustments(conn, 2)
    assert here.track["muse:1"] == pytest.approx(feedback.LIKE_TRACK)
    assert here.track["muse:2"] == pytest.approx(-feedback.SKIP_TRACK)
    assert "muse:3" in here.banned and "muse:4" not in here.track
    assert here.artist["the band"] > 0 > here.artist["other band"]
    assert here.artist["banned band"] == pytest.approx(-feedback.BAN_ARTIST)
    there = feedback.adjustments(conn, 5)
    assert there.track["muse:1"] == pytest.approx(feedback.LIKE_TRACK_ELSEWHERE)
    assert "muse:2" not in there.track and "muse:3" not in there.banned
    assert there.track["muse:3"] == pytest.approx(-feedback.BAN_ELSEWHERE)
    assert there.track["muse:4"] == pytest.approx(-feedback.SKIP_TRACK)


def test_repeated_skips_count_up_to_a_cap_and_can_be_undone(conn):
    for _ in range(6):
        feedback.record(conn, "muse:9", "skip", cluster=1)
    assert feedback.adjustments(conn, 1).track["muse:9"] == pytest.approx(
        -feedback.SKIP_TRACK * feedback.SKIP_CAP)
    assert feedback.remove(conn, "muse:9", "skip") == 6
    assert "muse:9" not in feedback.adjustments(conn, 1).track


def test_catalog_feedback_takes_the_songs_cluster_and_artist(sample_conn):
    tid, cluster, artist = sample_conn.execute(
        "SELECT id, cluster, artist FROM tracks LIMIT 1").fetchone()
    feedback.record(sample_conn, f"muse:{tid}", "like")
    ev = feedback.history(sample_conn, 1)[0]
    assert ev.cluster == cluster and ev.artist == feedback.normalise_artist(artist)
