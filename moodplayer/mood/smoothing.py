"""Mood over time: smoothing live readings and deciding when the music should follow.

A live camera gives a new reading many times a second, and single readings are
noisy (a blink, a turned head).  :class:`VADSmoother` is an exponential moving
average with a time constant in seconds, so it behaves the same whatever the
frame rate; each reading weighs by its confidence, so an unsure reading moves
the mood less.  :class:`SettleDetector` says when the smoothed mood has stayed
in another mood cluster for a set time, which is when the queue is re-planned;
:class:`MoodTracker` combines both and adds "hold this mood".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from moodplayer.mood.vad import EMOTIONS, VAD, Mood, nearest_emotion


def _alpha(dt: float, time_constant_s: float, weight: float) -> float:
    """Share of a new reading after ``dt`` seconds, for an EMA with the given time constant."""
    if time_constant_s <= 0:
        return 1.0
    return 1.0 - math.exp(-max(0.0, dt) * max(0.0, weight) / time_constant_s)


class VADSmoother:
    """Exponential smoothing of VAD points (and emotion probabilities) over time."""

    def __init__(self, time_constant_s: float = 1.5) -> None:
        self.time_constant_s = float(time_constant_s)
        self._vad: VAD | None = None
        self._probs: dict[str, float] = {}
        self._confidence = 0.0
        self._t: float | None = None

    @property
    def value(self) -> VAD | None:
        return self._vad

    @property
    def probabilities(self) -> dict[str, float]:
        return dict(self._probs)

    @property
    def confidence(self) -> float:
        return self._confidence

    def reset(self, vad: VAD | None = None, t: float | None = None) -> None:
        self._vad, self._t = vad, t
        self._probs = {}
        self._confidence = 0.0

    def update(
        self,
        vad: VAD,
        t: float,
        *,
        weight: float = 1.0,
        probabilities: Mapping[str, float] | None = None,
    ) -> VAD:
        """Blend in a reading taken at time ``t`` (seconds); returns the smoothed VAD."""
        if self._vad is None or self._t is None:
            self._vad, self._t = vad, t
            self._probs = dict(probabilities or {})
            self._confidence = weight
            return vad
        a = _alpha(t - self._t, self.time_constant_s, weight)
        old = self._vad
        self._vad = VAD(
            old.valence + a * (vad.valence - old.valence),
            old.arousal + a * (vad.arousal - old.arousal),
            old.dominance + a * (vad.dominance - old.dominance),
        )
        if probabilities:
            if not self._probs:
                self._probs = dict(probabilities)
            else:
                self._probs = {
                    e: self._probs.get(e, 0.0)
                    + a * (probabilities.get(e, 0.0) - self._probs.get(e, 0.0))
                    for e in EMOTIONS
                }
        # confidence follows at the plain (unweighted) rate, so it can fall as well as rise
        ac = _alpha(t - self._t, self.time_constant_s, 1.0)
        self._confidence += ac * (weight - self._confidence)
        self._t = max(self._t, t)
        return self._vad


class SettleDetector:
    """Fires when a new cluster has been the current one for ``settle_s`` seconds in a row."""

    def __init__(self, settle_s: float = 4.0) -> None:
        self.settle_s = float(settle_s)
        self.committed: int | None = None
        self._candidate: int | None = None
        self._since = 0.0

    def reset(self, committed: int | None = None) -> None:
        self.committed = committed
        self._candidate = None

    def update(self, cluster: int, t: float) -> bool:
        """Feed the cluster of the smoothed mood at time ``t``; True when it settled anew."""
        if self.committed is None:
            self.committed = cluster
            self._candidate = None
            return True
        if cluster == self.committed:
            self._candidate = None
            return False
        if cluster != self._candidate:
            self._candidate, self._since = cluster, t
        if t - self._since >= self.settle_s:
            self.committed, self._candidate = cluster, None
            return True
        return False

    def pending(self, t: float) -> tuple[int | None, float]:
        """The cluster the mood is moving to and how far (0-1) it is toward settling."""
        if self._candidate is None:
            return None, 0.0
        if self.settle_s <= 0:
            return self._candidate, 1.0
        return self._candidate, min(1.0, max(0.0, (t - self._since) / self.settle_s))


@dataclass(frozen=True)
class TrackerUpdate:
    """What the tracker concluded from one reading."""

    mood: Mood  #: the smoothed (or held) mood
    cluster: int
    replan: bool  #: the queue should follow the mood now
    pending_cluster: int | None = None
    pending_fraction: float = 0.0
    held: bool = False


class MoodTracker:
    """Smoothing + settle detection + hold, for a live stream of moods."""

    def __init__(
        self,
        assign: Callable[[VAD], int],
        *,
        time_constant_s: float = 1.5,
        settle_s: float = 4.0,
    ) -> None:
        self.assign = assign
        self.smoother = VADSmoother(time_constant_s)
        self.settle = SettleDetector(settle_s)
        self.hold = False
        self._mood: Mood | None = None

    @property
    def mood(self) -> Mood | None:
        return self._mood

    def configure(self, *, time_constant_s: float | None = None, settle_s: float | None = None):
        if time_constant_s is not None:
            self.smoother.time_constant_s = float(time_constant_s)
        if settle_s is not None:
            self.settle.settle_s = float(settle_s)

    def reset(self) -> None:
        self.smoother.reset()
        self.settle.reset()
        self._mood = None

    def set_manual(self, mood: Mood, t: float) -> TrackerUpdate:
        """A mood set by hand replaces the smoothed one and re-plans at once."""
        self.smoother.reset(mood.vad, t)
        cluster = self.assign(mood.vad)
        self.settle.reset(cluster)
        self._mood = mood
        return TrackerUpdate(mood, cluster, True, held=self.hold)

    def update(self, reading: Mood, t: float) -> TrackerUpdate:
        if self.hold and self._mood is not None:
            return TrackerUpdate(self._mood, self.assign(self._mood.vad), False, held=True)
        weight = max(0.05, min(1.0, reading.confidence))
        vad = self.smoother.update(
            reading.vad, t, weight=weight, probabilities=reading.probabilities or None
        )
        probs = self.smoother.probabilities
        emotion = max(probs, key=probs.get) if probs else nearest_emotion(vad)
        self._mood = Mood(vad, emotion, self.smoother.confidence, probs, dict(reading.sources))
        cluster = self.assign(vad)
        replan = self.settle.update(cluster, t)
        pending, fraction = self.settle.pending(t)
        return TrackerUpdate(self._mood, cluster, replan, pending, fraction)
