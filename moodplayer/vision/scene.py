"""Scene understanding: what a picture shows and the mood it carries, without faces.

Several *describers* look at a picture and each returns partial
:class:`SceneFacts`; :func:`describe_scene` merges them into one
:class:`SceneDescription`.  Describers today:

* :class:`ColourDescriber` (always): colour and light, mood by the Valdez &
  Mehrabian (1994) regressions (see :mod:`moodplayer.vision.colour`).
* :class:`ClassifierDescriber` (when the model is installed): the top ImageNet
  labels of MobileNetV2, mood from the Warriner-derived label table (see
  :mod:`moodplayer.vision.classifier`).

A later backend (a neural captioner such as BLIP, or a local vision-language
model) is one more class with a ``name`` and a ``describe(rgb) -> SceneFacts``
that fills ``SceneFacts.sentence`` (and, if it can, ``vad``); pass it to
:func:`describe_scene` in ``describers``.

How the scene's mood is merged
------------------------------
Each describer's facts carry a VAD point, an evidence ``weight`` and a
``confidence`` in [0, 1]:

* colour: weight 1, confidence 0.5 (light and colour alone are weak evidence);
* labels: VAD = probability-weighted mean of the label-table VAD of the top 5
  labels that have one; weight = ``coverage``, the summed probability of
  those labels (so a confidently recognised scene counts as much as its
  colour, an unrecognisable one hardly at all); confidence = 0.8 * coverage.

Scene VAD = weight-averaged VAD of the describers; scene confidence =
``1 - prod(1 - confidence_i)`` (independent pieces of evidence): 0.5 for colour
alone, up to 0.9 with confidently recognised labels.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from moodplayer.mood.vad import VAD, Mood, nearest_emotion, weighted_mean
from moodplayer.vision.classifier import Label, SceneClassifier, find_model
from moodplayer.vision.colour import ColourFeatures, colour_features, colour_vad

log = logging.getLogger(__name__)

COLOUR_WEIGHT = 1.0
COLOUR_CONFIDENCE = 0.5
#: Confidence of the labels' mood when the top labels cover all the probability.
LABEL_CONFIDENCE = 0.8
TOP_K = 5


@dataclass(frozen=True)
class SceneFacts:
    """What one describer found; every field but ``source`` is optional."""

    source: str
    vad: VAD | None = None
    weight: float = 0.0
    confidence: float = 0.0
    colour: ColourFeatures | None = None
    labels: tuple[Label, ...] = ()
    sentence: str | None = None  # free text from a captioning backend
    elapsed_ms: float = 0.0


@runtime_checkable
class SceneDescriber(Protocol):
    """One way of looking at a picture."""

    name: str

    def describe(self, rgb: np.ndarray) -> SceneFacts: ...


class ColourDescriber:
    """Colour and light; needs no model."""

    name = "colour"

    def describe(self, rgb: np.ndarray) -> SceneFacts:
        features = colour_features(rgb)
        return SceneFacts(
            self.name,
            vad=colour_vad(features),
            weight=COLOUR_WEIGHT,
            confidence=COLOUR_CONFIDENCE,
            colour=features,
        )


def labels_vad(labels: tuple[Label, ...] | list[Label]) -> tuple[VAD | None, float]:
    """Probability-weighted VAD of the labels that have one, and their summed probability."""
    rated = [(label.vad, label.score) for label in labels if label.vad is not None]
    coverage = min(1.0, sum(score for _, score in rated))
    if coverage <= 0:
        return None, 0.0
    return weighted_mean(rated), coverage  # type: ignore[arg-type]


class ClassifierDescriber:
    """The ImageNet labels of a picture, and their mood."""

    name = "imagenet"

    def __init__(self, classifier: SceneClassifier, top_k: int = TOP_K):
        self.classifier = classifier
        self.top_k = top_k

    def describe(self, rgb: np.ndarray) -> SceneFacts:
        labels = tuple(self.classifier.classify(rgb, self.top_k))
        vad, coverage = labels_vad(labels)
        return SceneFacts(
            self.name,
            vad=vad,
            weight=coverage,
            confidence=LABEL_CONFIDENCE * coverage,
            labels=labels,
        )


@dataclass(frozen=True)
class SceneDescription:
    """Everything known about a picture's scene, and its mood."""

    vad: VAD
    confidence: float
    colour: ColourFeatures
    labels: tuple[Label, ...] = ()
    weights: dict[str, float] = field(default_factory=dict)
    facts: tuple[SceneFacts, ...] = ()
    sentence: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def emotion(self) -> str:
        return nearest_emotion(self.vad)

    @property
    def phrase(self) -> str:
        """Colour and light in words ("bright, warm, saturated")."""
        return self.colour.phrase

    @property
    def caption(self) -> str:
        """A caption for the scene alone (no faces)."""
        from moodplayer.vision.caption import compose_caption

        return compose_caption([], self)

    def facts_from(self, source: str) -> SceneFacts | None:
        return next((f for f in self.facts if f.source == source), None)

    def mood(self) -> Mood:
        """The scene's mood, as if it were the only source."""
        return Mood(self.vad, self.emotion, self.confidence, {}, {"faces": 0.0, "scene": 1.0})

    def to_json(self) -> dict:
        def vad_json(vad: VAD | None) -> dict | None:
            if vad is None:
                return None
            return {
                k: round(v, 3) for k, v in zip(("valence", "arousal", "dominance"), vad.as_tuple())
            }

        return {
            "labels": [label.to_json() for label in self.labels],
            "colour": self.colour.to_json(),
            "vad": vad_json(self.vad),
            "emotion": self.emotion,
            "confidence": round(self.confidence, 3),
            "describers": {
                f.source: {
                    "vad": vad_json(f.vad),
                    "weight": round(self.weights.get(f.source, 0.0), 3),
                    "confidence": round(f.confidence, 3),
                    **({"sentence": f.sentence} if f.sentence else {}),
                }
                for f in self.facts
            },
            "caption": self.caption,
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }


def merge(facts: list[SceneFacts]) -> SceneDescription:
    """Combine the describers' facts (the first with colour features provides them)."""
    colour = next((f.colour for f in facts if f.colour is not None), None)
    if colour is None:
        raise ValueError("Scene facts need colour features; include the colour describer.")
    rated = [f for f in facts if f.vad is not None and f.weight > 0]
    total = sum(f.weight for f in rated)
    weights = {f.source: f.weight / total for f in rated} if total > 0 else {}
    vad = weighted_mean([(f.vad, f.weight) for f in rated]).clamp()  # type: ignore[misc]
    confidence = 1.0 - math.prod(1.0 - min(1.0, max(0.0, f.confidence)) for f in facts)
    labels = tuple(label for f in facts for label in f.labels)
    sentence = next((f.sentence for f in facts if f.sentence), None)
    return SceneDescription(
        vad=vad,
        confidence=confidence,
        colour=colour,
        labels=tuple(sorted(labels, key=lambda label: -label.score)),
        weights=weights,
        facts=tuple(facts),
        sentence=sentence,
        timings_ms={f.source: f.elapsed_ms for f in facts},
    )


def describe_scene(
    rgb: np.ndarray,
    classifier: SceneClassifier | None = None,
    describers: list[SceneDescriber] | None = None,
) -> SceneDescription:
    """Describe a picture (RGB uint8, H x W x 3).

    Colour and light always; the ImageNet labels when ``classifier`` is given
    (``None``: colour only, e.g. for live camera frames); then any further
    ``describers``.  A describer that fails is logged and left out.
    """
    chain: list[SceneDescriber] = [ColourDescriber()]
    if classifier is not None:
        chain.append(ClassifierDescriber(classifier))
    chain.extend(describers or [])
    facts: list[SceneFacts] = []
    for describer in chain:
        start = time.perf_counter()
        try:
            found = describer.describe(rgb)
        except ValueError:
            raise
        except Exception as err:  # noqa: BLE001 - one backend failing must not lose the scene
            if describer.name == ColourDescriber.name:
                raise
            log.warning("scene describer %s failed: %s", describer.name, err)
            continue
        elapsed = (time.perf_counter() - start) * 1000.0
        facts.append(_with_time(found, elapsed))
    return merge(facts)


def _with_time(facts: SceneFacts, elapsed_ms: float) -> SceneFacts:
    from dataclasses import replace

    return replace(facts, elapsed_ms=elapsed_ms)


_default_lock = threading.Lock()
_default_classifier: SceneClassifier | None = None


def warm_up() -> None:
    """Pay OpenCV's one-off colour-conversion set-up (~0.1 s) now, not on the first photo."""
    colour_features(np.zeros((8, 8, 3), np.uint8))


def load_default_classifier() -> SceneClassifier | None:
    """The process-wide classifier, loaded once, or None when no model file is installed.

    Also warms up the colour describer.  Raises
    :class:`~moodplayer.errors.ModelLoadError` when the file is there but broken.
    Never downloads: use :func:`moodplayer.vision.classifier.download_model` for that.
    """
    global _default_classifier
    warm_up()
    with _default_lock:
        path = find_model()
        if path is None:
            return None
        if _default_classifier is None or _default_classifier.model_path != path:
            candidate = SceneClassifier(path)
            candidate.load()
            _default_classifier = candidate
        return _default_classifier
