"""Fusing the faces' mood with the scene's."""

from __future__ import annotations

import pytest

from moodplayer.mood.fusion import MAX_FACE_SHARE, face_weight, fuse
from moodplayer.mood.vad import EMOTION_VAD, VAD, Mood, faces_mood
from moodplayer.vision.scene import describe_scene

HAPPY = {"happy": 0.95, "neutral": 0.05}


def scene_mood(vad: VAD, confidence: float) -> Mood:
    return Mood(vad, "neutral", confidence, {}, {"scene": 1.0})


def test_no_faces_means_scene_alone(photo):
    scene = describe_scene(photo("sunflower.bmp"))
    mood = fuse(None, 0.0, 0.0, scene)
    assert mood.sources == {"faces": 0.0, "scene": 1.0}
    assert mood.vad == scene.vad
    assert mood.confidence == pytest.approx(scene.confidence)


def test_no_scene_means_faces_alone():
    faces = faces_mood([(HAPPY, 0.1, 0.99)])
    mood = fuse(faces, 0.1, 0.99, None)
    assert mood.sources == {"faces": 1.0, "scene": 0.0}
    assert mood.vad == faces.vad and mood.emotion == "happy"


def test_smiling_face_at_a_funeral_is_tempered():
    faces = faces_mood([(HAPPY, 0.01, 0.99)])
    funeral = scene_mood(VAD(2.07, 4.10, 3.06), 0.9)  # Warriner "funeral"
    mood = fuse(faces, 0.01, 0.99, funeral)
    w = mood.sources["faces"]
    assert 0.3 < w < 0.7
    assert mood.sources["scene"] == pytest.approx(1 - w)
    assert mood.vad.valence < faces.vad.valence - 1.5
    assert mood.vad.valence == pytest.approx(w * faces.vad.valence + (1 - w) * 2.07)
    assert mood.emotion != "happy"  # the scene has the larger share here
    assert mood.probabilities == faces.probabilities


def test_emotion_word_follows_the_larger_share():
    faces = faces_mood([(HAPPY, 0.25, 0.99)])
    funeral = scene_mood(VAD(2.07, 4.10, 3.06), 0.9)
    portrait = fuse(faces, 0.25, 0.99, funeral)
    assert portrait.sources["faces"] > 0.5 and portrait.emotion == "happy"
    assert portrait.vad.valence < faces.vad.valence - 1.5  # the VAD is still tempered


def test_weights_follow_face_size_and_confidence():
    big = face_weight(0.25, 0.99, 0.9, 0.9)
    small = face_weight(0.03, 0.99, 0.9, 0.9)
    unsure = face_weight(0.25, 0.4, 0.9, 0.9)
    vague_scene = face_weight(0.25, 0.99, 0.9, 0.5)
    assert big == pytest.approx(0.676, abs=0.001)
    assert small == pytest.approx(0.575, abs=0.001)
    assert small < big and unsure < big and vague_scene > big
    assert face_weight(0.0, 0.99, 0.9, 0.9) == 0.0
    # Even a face filling the picture leaves the scene its share.
    assert face_weight(1.0, 1.0, 1.0, 0.01) == MAX_FACE_SHARE


def test_fused_mood_from_real_scene(photo):
    scene = describe_scene(photo("face.jpg"))
    faces = faces_mood([({"happy": 1.0}, 0.02, 0.99)] * 2 + [({"neutral": 1.0}, 0.02, 0.98)] * 2)
    mood = fuse(faces, 0.08, 0.99, scene)
    assert set(mood.sources) == {"faces", "scene"}
    assert sum(mood.sources.values()) == pytest.approx(1.0)
    lo, hi = sorted((faces.vad.valence, scene.vad.valence))
    assert lo <= mood.vad.valence <= hi
    assert mood.to_json()["sources"] == {
        "faces": round(mood.sources["faces"], 3),
        "scene": round(mood.sources["scene"], 3),
    }


def test_nothing_known_is_neutral_with_no_confidence():
    mood = fuse(None, 0.0, 0.0, None)
    assert mood.vad == EMOTION_VAD["neutral"] and mood.confidence == 0.0
