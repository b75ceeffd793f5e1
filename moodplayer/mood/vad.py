"""Emotions and scenes as points in valence-arousal-dominance (VAD) space.

All VAD values use the 1-9 scale of the Warriner et al. norms, the same norms
the MuSe catalog's song moods are built on, so a face's mood and a song's mood
can be compared directly.

Warriner, A.B., Kuperman, V., & Brysbaert, M. (2013). Norms of valence,
arousal, and dominance for 13,915 English lemmas. Behavior Research Methods,
45, 1191-1207.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

EMOTIONS: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


@dataclass(frozen=True)
class VAD:
    """A point in valence-arousal-dominance space, each on the 1-9 scale."""

    valence: float
    arousal: float
    dominance: float

    def as_tuple(self) -> tuple[float, float, float]:
        return (self.valence, self.arousal, self.dominance)

    def clamp(self) -> VAD:
        return VAD(*(min(9.0, max(1.0, v)) for v in self.as_tuple()))

    def distance(self, other: VAD) -> float:
        return sum((a - b) ** 2 for a, b in zip(self.as_tuple(), other.as_tuple())) ** 0.5


#: Warriner et al. (2013) V.Mean.Sum / A.Mean.Sum / D.Mean.Sum of the seven emotion words.
EMOTION_VAD: dict[str, VAD] = {
    "angry": VAD(2.53, 6.20, 4.11),
    "disgust": VAD(3.32, 5.00, 4.84),
    "fear": VAD(2.93, 6.14, 3.32),
    "happy": VAD(8.47, 6.05, 7.21),
    "sad": VAD(2.10, 3.49, 3.84),
    "surprise": VAD(7.44, 6.57, 5.17),
    "neutral": VAD(5.50, 3.45, 5.81),
}

NEUTRAL_VAD = EMOTION_VAD["neutral"]


def normalise(probabilities: Mapping[str, float]) -> dict[str, float]:
    """Probabilities over the seven emotions summing to 1 (accepts percentages)."""
    values = {e: max(0.0, float(probabilities.get(e, 0.0))) for e in EMOTIONS}
    total = sum(values.values())
    if total <= 0:
        return {e: (1.0 if e == "neutral" else 0.0) for e in EMOTIONS}
    return {e: v / total for e, v in values.items()}


def emotion_to_vad(probabilities: Mapping[str, float]) -> VAD:
    """Probability-weighted mean of the Warriner VAD of the seven emotion words."""
    p = normalise(probabilities)
    return weighted_mean([(EMOTION_VAD[e], p[e]) for e in EMOTIONS])


def weighted_mean(points: Iterable[tuple[VAD, float]]) -> VAD:
    items = [(v, max(0.0, w)) for v, w in points]
    total = sum(w for _, w in items)
    if total <= 0:
        return NEUTRAL_VAD
    return VAD(
        sum(v.valence * w for v, w in items) / total,
        sum(v.arousal * w for v, w in items) / total,
        sum(v.dominance * w for v, w in items) / total,
    )


def nearest_emotion(vad: VAD) -> str:
    """The emotion word whose VAD is closest to ``vad``."""
    return min(EMOTIONS, key=lambda e: EMOTION_VAD[e].distance(vad))


@dataclass(frozen=True)
class Mood:
    """The mood of an image or a moment.

    ``emotion`` is the dominant emotion; ``confidence`` is in [0, 1];
    ``sources`` gives the share of each source (``{"faces": 0.7, "scene": 0.3}``).
    """

    vad: VAD
    emotion: str
    confidence: float = 1.0
    probabilities: dict[str, float] = field(default_factory=dict)
    sources: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict:
        out = {
            "valence": round(self.vad.valence, 3),
            "arousal": round(self.vad.arousal, 3),
            "dominance": round(self.vad.dominance, 3),
            "emotion": self.emotion,
            "confidence": round(self.confidence, 3),
        }
        if self.probabilities:
            out["probabilities"] = {k: round(v, 4) for k, v in self.probabilities.items()}
        if self.sources:
            out["sources"] = {k: round(v, 3) for k, v in self.sources.items()}
        return out

    @staticmethod
    def from_emotion(name: str) -> Mood:
        if name not in EMOTION_VAD:
            raise ValueError(f"Unknown emotion {name!r}: choose one of {', '.join(EMOTIONS)}.")
        probs = {e: (1.0 if e == name else 0.0) for e in EMOTIONS}
        return Mood(EMOTION_VAD[name], name, 1.0, probs, {"manual": 1.0})

    @staticmethod
    def from_vad(vad: VAD) -> Mood:
        vad = vad.clamp()
        return Mood(vad, nearest_emotion(vad), 1.0, {}, {"manual": 1.0})


def faces_mood(faces: Sequence[tuple[Mapping[str, float], float, float]]) -> Mood | None:
    """Combine several faces into one mood.

    ``faces`` holds ``(probabilities, face_area_fraction, detector_confidence)``.
    Each face weighs by the square root of its area (a face twice the size counts
    more, but a crowd of small faces still counts) times its detection confidence.
    Returns None when there are no faces.
    """
    if not faces:
        return None
    weights = [max(1e-6, area) ** 0.5 * max(1e-3, conf) for _, area, conf in faces]
    total = sum(weights)
    probs = {e: 0.0 for e in EMOTIONS}
    for (p, _, _), w in zip(faces, weights):
        for e, v in normalise(p).items():
            probs[e] += v * w / total
    vad = emotion_to_vad(probs)
    emotion = max(probs, key=probs.get)
    return Mood(vad, emotion, probs[emotion], probs, {"faces": 1.0})


def to_dict(vad: VAD) -> dict[str, float]:
    return asdict(vad)
