"""Evaluate the emotion model on a labelled face set through the production path.

Every 48 x 48 grey face goes through exactly what a face from a photo goes
through: made into the 224 x 224 BGR face DeepFace's emotion client takes, then
the client's own preprocessing and network.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moodplayer.errors import MoodplayerError
from moodplayer.mood.vad import EMOTIONS
from moodplayer.vision.emotion import EmotionModel, grey48_to_face


@dataclass
class EvalReport:
    n: int
    accuracy: float
    per_class: dict[str, float]
    confusion: list[list[int]]
    ms_per_face: float
    weights: str

    def to_json(self) -> dict:
        return {
            "n": self.n,
            "accuracy": round(self.accuracy, 4),
            "per_class": {k: round(v, 4) for k, v in self.per_class.items()},
            "confusion": self.confusion,
            "classes": list(EMOTIONS),
            "ms_per_face": round(self.ms_per_face, 3),
            "weights": self.weights,
        }


def load_faces(path: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as data:
            images, labels = data["images"], data["labels"].astype(int)
            classes = [str(c) for c in data["classes"]] if "classes" in data else list(EMOTIONS)
    except (OSError, ValueError, KeyError) as err:
        raise MoodplayerError(
            f"Cannot read '{path}' as a face set: it needs arrays 'images' (N x 48 x 48 uint8), "
            f"'labels' and 'classes' ({err})."
        ) from err
    if images.ndim != 3 or len(images) != len(labels):
        raise MoodplayerError(f"'{path}': 'images' must be N x H x W with one label per image.")
    # Map the file's class order onto ours.
    order = {c: i for i, c in enumerate(EMOTIONS)}
    try:
        remap = np.array([order[c] for c in classes])
    except KeyError as err:
        raise MoodplayerError(f"'{path}': unknown class {err} (expected {EMOTIONS}).") from err
    return images, remap[labels]


def evaluate(path: Path, limit: int | None = None, batch: int = 256,
             model: EmotionModel | None = None) -> EvalReport:
    images, labels = load_faces(path)
    if limit:
        images, labels = images[:limit], labels[:limit]
    model = model or EmotionModel()
    model.load()
    preds = []
    spent = 0.0
    for i in range(0, len(images), batch):
        crops = np.stack([grey48_to_face(img) for img in images[i:i + batch]])
        t0 = time.perf_counter()
        probs = model.predict_crops(crops)
        spent += time.perf_counter() - t0
        preds.append(probs.argmax(axis=1))
    pred = np.concatenate(preds) if preds else np.zeros(0, dtype=int)
    conf = np.zeros((len(EMOTIONS), len(EMOTIONS)), dtype=int)
    np.add.at(conf, (labels, pred), 1)
    per_class = {e: float(conf[i, i] / conf[i].sum()) if conf[i].sum() else 0.0
                 for i, e in enumerate(EMOTIONS)}
    n = int(len(labels))
    return EvalReport(
        n=n,
        accuracy=float((pred == labels).mean()) if n else 0.0,
        per_class=per_class,
        confusion=conf.tolist(),
        ms_per_face=spent * 1000 / max(n, 1),
        weights=model.in_use.choice if model.in_use else "?",
    )
