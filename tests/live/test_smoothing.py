"""Smoothing live moods over time and deciding when the queue follows."""

from __future__ import annotations

import math

import pytest

from moodplayer.mood.smoothing import MoodTracker, SettleDetector, VADSmoother
from moodplayer.mood.vad import EMOTION_VAD, VAD, Mood

HAPPY, SAD = EMOTION_VAD["happy"], EMOTION_VAD["sad"]


def test_time_constant_not_frame_rate_sets_the_speed():
    """After one time constant a step is ~63 % done, at 5 or at 30 readings per second."""
    for rate in (5, 30):
        s = VADSmoother(time_constant_s=2.0)
        s.update(SAD, 0.0)
        t = 0.0
        while t < 2.0 - 1e-9:
            t += 1.0 / rate
            v = s.update(HAPPY, t)
        done = (v.valence - SAD.valence) / (HAPPY.valence - SAD.valence)
        assert done == pytest.approx(1 - math.exp(-1), abs=0.01)


def test_unsure_readings_move_the_mood_less():
    sure, unsure = VADSmoother(1.0), VADSmoother(1.0)
    for s in (sure, unsure):
        s.update(SAD, 0.0)
    a = sure.update(HAPPY, 0.5, weight=1.0)
    b = unsure.update(HAPPY, 0.5, weight=0.2)
    assert SAD.valence < b.valence < a.valence
    assert unsure.confidence < sure.confidence


def test_zero_time_constant_follows_at_once():
    s = VADSmoother(0.0)
    s.update(SAD, 0.0)
    assert s.update(HAPPY, 0.01) == HAPPY


def test_settle_detector_needs_the_new_cluster_to_last():
    d = SettleDetector(settle_s=3.0)
    assert d.update(0, 0.0), "the first reading plans the queue"
    assert not d.update(1, 1.0)
    assert d.pending(2.5) == (1, pytest.approx(0.5))
    assert not d.update(0, 2.0), "a blip back resets the clock"
    assert not d.update(1, 3.0)
    assert not d.update(1, 5.9)
    assert d.update(1, 6.0) and d.committed == 1
    assert not d.update(1, 7.0)


def _reading(vad: VAD, confidence: float = 0.9) -> Mood:
    emotion = "happy" if vad.valence > 5 else "sad"
    probs = {e: 0.0 for e in EMOTION_VAD}
    probs[emotion] = 1.0
    return Mood(vad, emotion, confidence, probs, {"faces": 1.0})


def test_tracker_replans_only_after_settling_and_not_while_held():
    tracker = MoodTracker(lambda v: 0 if v.valence < 5 else 1, time_constant_s=0.5, settle_s=2.0)
    first = tracker.update(_reading(SAD), 0.0)
    assert first.replan and first.cluster == 0 and first.mood.emotion == "sad"
    replans = [
        t for t in (i / 10 for i in range(1, 60)) if tracker.update(_reading(HAPPY), t).replan
    ]
    assert len(replans) == 1
    # the smoothed mood crosses into cluster 1 after some hundreds of ms, then must last 2 s
    assert 2.0 <= replans[0] <= 3.5
    assert tracker.mood.emotion == "happy"

    tracker.hold = True
    held = tracker.update(_reading(SAD), 10.0)
    assert held.held and not held.replan and held.mood.emotion == "happy"
    for i in range(50):
        assert not tracker.update(_reading(SAD), 10.0 + i / 5).replan
    tracker.hold = False
    manual = tracker.set_manual(Mood.from_emotion("sad"), 30.0)
    assert manual.replan and manual.cluster == 0 and tracker.mood.sources == {"manual": 1.0}
