from __future__ import annotations

import pytest

from moodplayer.mood.vad import (
    EMOTION_VAD,
    VAD,
    Mood,
    emotion_to_vad,
    faces_mood,
    nearest_emotion,
)


def test_pure_emotion_maps_to_warriner_values():
    v = emotion_to_vad({"happy": 1.0})
    assert v == pytest.approx(VAD(8.47, 6.05, 7.21))
    assert emotion_to_vad({"happy": 100.0}) == pytest.approx(v)  # percentages accepted


def test_mixture_is_weighted_mean():
    v = emotion_to_vad({"happy": 0.5, "sad": 0.5})
    assert v.valence == pytest.approx((8.47 + 2.10) / 2)
    assert v.arousal == pytest.approx((6.05 + 3.49) / 2)


def test_faces_weighted_by_size_and_confidence():
    big_happy = ({"happy": 1.0}, 0.20, 0.99)
    small_sad = ({"sad": 1.0}, 0.01, 0.99)
    m = faces_mood([big_happy, small_sad])
    assert m.emotion == "happy"
    assert m.vad.valence > 6.5
    assert faces_mood([]) is None


def test_manual_moods():
    assert Mood.from_emotion("sad").vad == EMOTION_VAD["sad"]
    with pytest.raises(ValueError, match="Unknown emotion"):
        Mood.from_emotion("bored")
    assert nearest_emotion(VAD(8.3, 6.0, 7.0)) == "happy"
    assert Mood.from_vad(VAD(12, -3, 5)).vad == VAD(9, 1, 5)
