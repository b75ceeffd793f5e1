"""Photo and frame analysis: faces -> emotions -> scene -> one mood.

``Analyzer`` owns the models (loaded once, lazily, thread-safe) and is the one
entry point the command line and the window use.  It knows no Qt.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from moodplayer.mood.vad import EMOTIONS, NEUTRAL_VAD, Mood, faces_mood
from moodplayer.vision.emotion import EmotionModel
from moodplayer.vision.faces import DetectorSettings, Face, FaceDetector
from moodplayer.vision.images import LoadedImage, from_array, load_image

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class AnalyzerSettings:
    detector: DetectorSettings = field(default_factory=DetectorSettings)
    #: "moodplayer" (our trained weights) or "deepface" (DeepFace's official ones, where
    #: the user has them); the environment variable MOODPLAYER_EMOTION_WEIGHTS sets it.
    emotion_weights: str = field(
        default_factory=lambda: os.environ.get("MOODPLAYER_EMOTION_WEIGHTS", "moodplayer")
    )
    #: Describe the scene with the ImageNet classifier when its model is present.
    scene_classifier: bool = True
    #: Live mode: longest side of the frame MTCNN searches when no face is tracked.
    live_detect_side: int = 320


@dataclass(frozen=True)
class FaceResult:
    """One face: ``box`` (x, y, w, h) in the original image's pixels."""

    box: tuple[int, int, int, int]
    confidence: float
    landmarks: dict[str, tuple[int, int]]
    emotion: str
    probabilities: dict[str, float]

    @property
    def emotion_confidence(self) -> float:
        return self.probabilities.get(self.emotion, 0.0)

    def to_json(self) -> dict[str, Any]:
        return {
            "box": list(self.box),
            "confidence": round(self.confidence, 4),
            "emotion": self.emotion,
            "probabilities": {e: round(self.probabilities[e], 4) for e in EMOTIONS},
            "landmarks": {k: list(v) for k, v in self.landmarks.items()},
        }


@dataclass
class ImageAnalysis:
    path: str | None
    width: int
    height: int
    faces: list[FaceResult]
    mood: Mood
    caption: str = ""
    scene: Any = None
    #: Mean luminance 0-1 of the picture: tells a covered or dark camera from "no face".
    brightness: float = 0.5
    #: Analysed-image pixels per original pixel (the window draws on the analysed image).
    scale: float = 1.0
    image: np.ndarray | None = field(default=None, repr=False)
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "width": self.width,
            "height": self.height,
            "faces": [f.to_json() for f in self.faces],
            "mood": self.mood.to_json(),
            "caption": self.caption,
        }
        if self.scene is not None and hasattr(self.scene, "to_json"):
            out["scene"] = self.scene.to_json()
        return out


class Analyzer:
    """Faces (MTCNN), emotions (DeepFace client, our weights) and scene, fused to a mood."""

    def __init__(self, settings: AnalyzerSettings | None = None) -> None:
        self.settings = settings or AnalyzerSettings()
        self.detector = FaceDetector(self.settings.detector)
        self.emotions = EmotionModel(self.settings.emotion_weights)
        self._scene = None
        self._scene_loaded = False
        self._load_lock = threading.Lock()
        self._last_face: Face | None = None

    # -- loading -----------------------------------------------------------------
    def load(self, progress: Progress | None = None, download: bool = False) -> None:
        """Load every model (seconds: TensorFlow, MTCNN, the emotion graph).

        With ``download``, fetch the scene classifier once when it is not installed
        (the window does this; a failed download leaves the colour describer alone).
        """
        report = progress or (lambda _msg, _frac: None)
        with self._load_lock:
            report("Loading the face detector (MTCNN)…", 0.05)
            self.detector.load()
            report("Loading the emotion model…", 0.6)
            self.emotions.load()
            if download and self.settings.scene_classifier:
                self._download_scene_model(report)
            report("Loading the scene describer…", 0.85)
            self._load_scene()
            report("Ready", 1.0)

    def _download_scene_model(self, report: Progress) -> None:
        try:
            from moodplayer.vision import classifier
        except ImportError:
            return
        if classifier.find_model() is not None:
            return

        def step(done: int, total: int | None) -> None:
            frac = done / total if total else 0.0
            report(f"Downloading the scene model ({done / 1e6:.1f} MB)…", 0.6 + 0.25 * frac)

        try:
            classifier.download_model(progress=step, timeout=20.0)
        except Exception as err:  # noqa: BLE001 - offline is fine: colour and light remain
            log.warning("scene model not downloaded (%s); using colour and light only", err)

    def _load_scene(self):
        if self._scene_loaded:
            return self._scene
        self._scene_loaded = True
        if not self.settings.scene_classifier:
            return None
        try:
            from moodplayer.vision import scene
        except ImportError:
            return None
        try:
            self._scene = scene.load_default_classifier()
        except Exception as err:  # noqa: BLE001 - scene falls back to colour alone
            log.warning("scene classifier unavailable, using colour and light only: %s", err)
            self._scene = None
        return self._scene

    # -- analysis ----------------------------------------------------------------
    def analyze_path(self, path: str | Path) -> ImageAnalysis:
        """Analyse a photo file; raises ``ImageLoadError`` for unreadable files."""
        return self.analyze_loaded(load_image(path))

    def analyze_array(self, rgb: np.ndarray) -> ImageAnalysis:
        return self.analyze_loaded(from_array(rgb))

    def analyze_loaded(self, img: LoadedImage) -> ImageAnalysis:
        t0 = time.perf_counter()
        faces = self.detector.detect(img.rgb)
        t1 = time.perf_counter()
        result = self._finish(img, faces, classifier=True)
        result.timings_ms["detect"] = (t1 - t0) * 1000
        return result

    def analyze_frame(self, rgb: np.ndarray) -> ImageAnalysis:
        """Live fast path: look around the last face, else on a small copy of the frame;
        the scene from colour and light only."""
        img = from_array(rgb)
        t0 = time.perf_counter()
        self.detector.load()
        faces: list[Face] = []
        if self._last_face is not None:
            faces = self.detector.detect_near(img.rgb, self._last_face)
        if not faces:
            s = self.settings.detector
            faces = self.detector.detect(
                img.rgb,
                DetectorSettings(s.min_face_size, s.min_confidence, self.settings.live_detect_side),
            )
        self._last_face = faces[0] if faces else None
        t1 = time.perf_counter()
        result = self._finish(img, faces, classifier=False)
        result.timings_ms["detect"] = (t1 - t0) * 1000
        return result

    def reset_tracking(self) -> None:
        self._last_face = None

    def _finish(self, img: LoadedImage, faces: list[Face], classifier: bool) -> ImageAnalysis:
        t0 = time.perf_counter()
        probs = self.emotions.predict_faces(img.rgb, faces)
        t1 = time.perf_counter()
        inv = 1.0 / img.scale
        results = [
            FaceResult(
                box=_scale_box(f.box, inv, img.original_size),
                confidence=f.confidence,
                landmarks={k: (int(round(x * inv)), int(round(y * inv)))
                           for k, (x, y) in f.landmarks.items()},
                emotion=max(p, key=p.get),
                probabilities=p,
            )
            for f, p in zip(faces, probs)
        ]
        area = float(img.width * img.height) or 1.0
        face_mood = faces_mood([(p, f.area / area, f.confidence) for f, p in zip(faces, probs)])
        brightness = float(img.rgb.mean() / 255.0)
        mood, caption, scene = self._with_scene(img, results, faces, face_mood, classifier)
        t2 = time.perf_counter()
        return ImageAnalysis(
            path=img.path,
            width=img.original_size[0],
            height=img.original_size[1],
            faces=results,
            mood=mood,
            caption=caption,
            scene=scene,
            brightness=brightness,
            scale=img.scale,
            image=img.rgb,
            timings_ms={"emotion": (t1 - t0) * 1000, "scene": (t2 - t1) * 1000},
        )

    def _with_scene(self, img, results, faces, face_mood, classifier):
        """Fuse with the scene describer where it is installed; faces alone otherwise."""
        try:
            from moodplayer.mood import fusion
            from moodplayer.vision import caption as captions
            from moodplayer.vision import scene as scenes
        except ImportError:
            return _faces_only(face_mood), _plain_caption(results), None
        model = self._load_scene() if classifier else None
        description = scenes.describe_scene(img.rgb, model)
        area = float(img.width * img.height) or 1.0
        fraction = min(1.0, sum(f.area for f in faces) / area)
        confidence = max((f.confidence for f in faces), default=0.0)
        mood = fusion.fuse(face_mood, fraction, confidence, description)
        caption = captions.compose_caption([r.emotion for r in results], description)
        return mood, caption, description


def _faces_only(face_mood: Mood | None) -> Mood:
    if face_mood is not None:
        return face_mood
    return Mood(NEUTRAL_VAD, "neutral", 0.0, {}, {"faces": 0.0})


def _plain_caption(results: list[FaceResult]) -> str:
    if not results:
        return "A picture with no faces."
    n = len(results)
    who = "one person" if n == 1 else f"{n} people"
    return f"A picture of {who}, mostly {results[0].emotion}."


def _scale_box(box, inv: float, size: tuple[int, int]) -> tuple[int, int, int, int]:
    x, y, w, h = (int(round(v * inv)) for v in box)
    x, y = min(max(0, x), size[0]), min(max(0, y), size[1])
    return (x, y, min(w, size[0] - x), min(h, size[1] - y))
