"""Facial emotion through DeepFace's own emotion client, with weights we trained.

DeepFace's emotion client (``deepface.modules.modeling.build_model(task=
"facial_attribute", model_name="Emotion")``) takes a 224 x 224 BGR face in
[0, 1], turns it grey and resizes it to 48 x 48 before its network runs; we
feed it exactly what ``DeepFace.analyze`` feeds it, so a user who prefers
DeepFace's official weights gets DeepFace's own behaviour.

moodplayer ships its own network (see ``models/emotion/MODEL_CARD.md``) as the
ONNX graph DeepFace's onnx engine loads, ``facial_expression_model_weights.onnx``.
At start-up we point ``DEEPFACE_HOME`` inside ``MOODPLAYER_HOME`` and place the
graph in its weights folder, so DeepFace never tries to download anything.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moodplayer import paths
from moodplayer.errors import ModelLoadError
from moodplayer.mood.vad import EMOTIONS
from moodplayer.vision.faces import Face

log = logging.getLogger(__name__)

ONNX_WEIGHTS = "facial_expression_model_weights.onnx"
TF_WEIGHTS = "facial_expression_model_weights.h5"
#: Which weights to use: ours (default) or DeepFace's official ones where the user has them.
WEIGHT_CHOICES = ("moodplayer", "deepface")
#: Side of the face square DeepFace's attribute models take.
FACE_SIDE = 224
#: The square crop is this many times the detected box's larger side: MTCNN boxes
#: run from the brows to the chin, FER2013 faces include the forehead and a margin.
CROP_MARGIN = 1.0
#: Shift of the crop centre upwards, as a fraction of the box height.
CROP_LIFT = 0.04


def shipped_weights() -> Path:
    return paths.resource("models", "emotion", ONNX_WEIGHTS)


@dataclass(frozen=True)
class WeightsInUse:
    choice: str
    engine: str
    file: Path
    note: str = ""


def configure_deepface(choice: str = "moodplayer") -> WeightsInUse:
    """Point DeepFace at the weights to use. Call before DeepFace builds its model.

    DeepFace fixes its backend engine and caches its models on first use, so a
    different choice takes effect in a new process.
    """
    if choice not in WEIGHT_CHOICES:
        raise ValueError(f"Unknown emotion weights {choice!r}; choose one of {WEIGHT_CHOICES}.")
    if choice == "deepface":
        user_home = Path(os.environ.get("MOODPLAYER_DEEPFACE_USER_HOME", Path.home()))
        weights = user_home / ".deepface" / "weights"
        for engine, name in (("onnx", ONNX_WEIGHTS), ("tensorflow", TF_WEIGHTS)):
            if (weights / name).is_file():
                os.environ["DEEPFACE_HOME"] = str(user_home)
                os.environ["DEEPFACE_BACKEND_ENGINE"] = engine
                return WeightsInUse(choice, engine, weights / name)
        note = (
            f"DeepFace's official emotion weights are not in {weights}; "
            "using moodplayer's own model instead."
        )
        log.warning(note)
        return _install_ours(note)
    return _install_ours("")


def _install_ours(note: str) -> WeightsInUse:
    src = shipped_weights()
    if not src.is_file():
        raise ModelLoadError(
            f"moodplayer's emotion model is missing ({src}). Reinstall moodplayer, "
            "or train it again with `python -m moodplayer.training.emotion`."
        )
    home = paths.deepface_home()
    dest_dir = home / ".deepface" / "weights"
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / ONNX_WEIGHTS
    if not dest.is_file() or _digest(dest) != _digest(src):
        tmp = dest.with_suffix(".onnx.tmp")
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)  # atomic: DeepFace never sees half a file
        log.info("installed emotion weights into %s", dest)
    os.environ["DEEPFACE_HOME"] = str(home)
    os.environ["DEEPFACE_BACKEND_ENGINE"] = "onnx"
    return WeightsInUse("moodplayer", "onnx", dest, note)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def face_crop(rgb: np.ndarray, face: Face, align: bool = True) -> np.ndarray:
    """The face as DeepFace's emotion client takes it: 224 x 224 BGR float32 in [0, 1].

    A square around the box, ``CROP_MARGIN`` times its larger side, turned so
    the eyes are level (one affine warp; areas outside the photo repeat its edge).
    """
    import cv2

    x, y, w, h = face.box
    side = max(w, h) * CROP_MARGIN
    cx, cy = x + w / 2.0, y + h / 2.0 - CROP_LIFT * h
    angle = 0.0
    eyes = face.landmarks
    if align and "left_eye" in eyes and "right_eye" in eyes:
        (lx, ly), (rx, ry) = eyes["left_eye"], eyes["right_eye"]
        if rx != lx:
            angle = float(np.degrees(np.arctan2(ry - ly, rx - lx)))
            if abs(angle) > 45:  # implausible for upright faces: do not trust it
                angle = 0.0
    k = FACE_SIDE / side
    m = cv2.getRotationMatrix2D((cx, cy), angle, k)
    m[0, 2] += FACE_SIDE / 2.0 - cx
    m[1, 2] += FACE_SIDE / 2.0 - cy
    interp = cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR
    crop = cv2.warpAffine(rgb, m, (FACE_SIDE, FACE_SIDE), flags=interp,
                          borderMode=cv2.BORDER_REPLICATE)
    return np.ascontiguousarray(crop[:, :, ::-1], dtype=np.float32) / 255.0


def grey48_to_face(img48: np.ndarray) -> np.ndarray:
    """A 48 x 48 grey face (FER2013 format) as the 224 x 224 BGR input DeepFace takes."""
    import cv2
    from deepface.modules.preprocessing import resize_image

    # As DeepFace.analyze does: scale to [0, 1] first (float64), then resize.
    bgr = cv2.cvtColor(img48.astype(np.uint8), cv2.COLOR_GRAY2BGR) / 255.0
    return resize_image(bgr, (FACE_SIDE, FACE_SIDE))[0]


class EmotionModel:
    """DeepFace's emotion client, built once, lazily."""

    def __init__(self, weights: str = "moodplayer") -> None:
        self.weights_choice = weights
        self.in_use: WeightsInUse | None = None
        self._client = None
        self._lock = threading.Lock()

    def load(self) -> None:
        with self._lock:
            if self._client is not None:
                return
            self.in_use = configure_deepface(self.weights_choice)
            try:
                from deepface.modules import modeling

                self._client = modeling.build_model(task="facial_attribute", model_name="Emotion")
            except Exception as err:  # noqa: BLE001 - any failure: the model is unusable
                raise ModelLoadError(
                    f"The emotion model could not be loaded from {self.in_use.file} ({err})."
                ) from err

    def predict_crops(self, crops: np.ndarray) -> np.ndarray:
        """Probabilities (N x 7, rows sum to 1) for N x 224 x 224 x 3 BGR faces in [0, 1]."""
        self.load()
        if len(crops) == 0:
            return np.zeros((0, len(EMOTIONS)), dtype=np.float32)
        with self._lock:
            raw = np.asarray(self._client.predict(crops), dtype=np.float64)
        raw = raw.reshape(len(crops), len(EMOTIONS))
        return raw / np.clip(raw.sum(axis=1, keepdims=True), 1e-12, None)

    def predict_faces(self, rgb: np.ndarray, faces: list[Face]) -> list[dict[str, float]]:
        if not faces:
            return []
        crops = np.stack([face_crop(rgb, f) for f in faces])
        probs = self.predict_crops(crops)
        return [dict(zip(EMOTIONS, map(float, row))) for row in probs]
