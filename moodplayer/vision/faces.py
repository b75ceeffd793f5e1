"""Face detection with MTCNN (the ``mtcnn`` package, weights shipped in its wheel)."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field

import numpy as np

from moodplayer.errors import ModelLoadError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Face:
    """A detected face in image pixel coordinates.

    ``box`` is (x, y, width, height); ``landmarks`` maps ``left_eye``,
    ``right_eye``, ``nose``, ``mouth_left`` and ``mouth_right`` to (x, y).
    """

    box: tuple[int, int, int, int]
    confidence: float
    landmarks: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def area(self) -> int:
        return self.box[2] * self.box[3]

    def to_json(self) -> dict:
        return {
            "box": list(self.box),
            "confidence": round(self.confidence, 4),
            "landmarks": {k: list(v) for k, v in self.landmarks.items()},
        }


@dataclass(frozen=True)
class DetectorSettings:
    """Tunable detection: smallest face (pixels of the analysed image), confidence
    threshold of MTCNN's last stage, and the longest image side detection runs on."""

    min_face_size: int = 20
    min_confidence: float = 0.90
    max_side: int = 1280


class FaceDetector:
    """MTCNN, loaded once and lazily; safe to call from one worker thread at a time."""

    def __init__(self, settings: DetectorSettings | None = None) -> None:
        self.settings = settings or DetectorSettings()
        self._mtcnn = None
        self._lock = threading.Lock()

    def load(self) -> None:
        with self._lock:
            if self._mtcnn is not None:
                return
            # DeepFace runs TensorFlow with tf_keras (Keras 2); mtcnn reaches tf.keras too,
            # so choose it before mtcnn imports TensorFlow: the checkout then behaves as the
            # packaged app, whose runtime hook sets the same.
            os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
            try:
                from mtcnn import MTCNN

                self._mtcnn = MTCNN(device="CPU:0")
            except Exception as err:  # noqa: BLE001 - any failure means "cannot detect faces"
                raise ModelLoadError(
                    f"The MTCNN face detector could not be loaded ({err}). "
                    "Reinstall moodplayer's Python packages (mtcnn, tensorflow)."
                ) from err

    def detect(self, rgb: np.ndarray, settings: DetectorSettings | None = None) -> list[Face]:
        """Faces in an RGB uint8 image, largest first."""
        s = settings or self.settings
        self.load()
        h, w = rgb.shape[:2]
        scale = min(1.0, s.max_side / max(h, w))
        small = rgb if scale == 1.0 else _resize(rgb, scale)
        min_face = max(12, int(round(s.min_face_size * scale)))
        with self._lock:
            raw = self._mtcnn.detect_faces(
                np.ascontiguousarray(small), min_face_size=min_face, threshold_onet=s.min_confidence
            )
        faces = [_to_face(r, 1.0 / scale, w, h) for r in raw]
        faces = [f for f in faces if f.confidence >= s.min_confidence and f.box[2] > 1]
        faces.sort(key=lambda f: f.area, reverse=True)
        return faces

    def detect_near(self, rgb: np.ndarray, previous: Face, roi_side: int = 128) -> list[Face]:
        """Look for a face only around where ``previous`` was (live tracking).

        The square region, 2.2 times the old face's size, is resized to a fixed
        ``roi_side`` pixels: a small image of one fixed shape, so MTCNN runs
        several times faster than on the frame and never retraces its graphs.
        """
        import cv2

        h, w = rgb.shape[:2]
        x, y, bw, bh = previous.box
        side = int(max(bw, bh) * 2.2)
        cx, cy = x + bw // 2, y + bh // 2
        x0, y0 = cx - side // 2, cy - side // 2
        # Pad with edge pixels where the region leaves the frame, keeping it square.
        pad = max(0, -x0, -y0, x0 + side - w, y0 + side - h)
        src = cv2.copyMakeBorder(rgb, pad, pad, pad, pad, cv2.BORDER_REPLICATE) if pad else rgb
        roi = src[y0 + pad:y0 + pad + side, x0 + pad:x0 + pad + side]
        if roi.shape[0] < 24 or roi.shape[1] < 24:
            return []
        k = roi_side / side
        small = cv2.resize(roi, (roi_side, roi_side), interpolation=cv2.INTER_AREA)
        with self._lock:
            raw = self._mtcnn.detect_faces(
                small, min_face_size=24, threshold_onet=self.settings.min_confidence
            )
        found = []
        for r in raw:
            f = _to_face(r, 1.0 / k, side, side)
            if f.confidence < self.settings.min_confidence:
                continue
            fx, fy = f.box[0] + x0, f.box[1] + y0
            fx0, fy0 = max(0, fx), max(0, fy)
            fx1, fy1 = min(w, fx + f.box[2]), min(h, fy + f.box[3])
            if fx1 - fx0 < 2 or fy1 - fy0 < 2:
                continue
            marks = {n: (px + x0, py + y0) for n, (px, py) in f.landmarks.items()}
            found.append(Face((fx0, fy0, fx1 - fx0, fy1 - fy0), f.confidence, marks))
        found.sort(key=lambda f: f.area, reverse=True)
        return found


def _resize(rgb: np.ndarray, scale: float) -> np.ndarray:
    import cv2

    h, w = rgb.shape[:2]
    size = (max(1, int(round(w * scale))), max(1, int(round(h * scale))))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def _to_face(raw: dict, inv: float, w: int, h: int) -> Face:
    x, y, bw, bh = (float(v) * inv for v in raw["box"])
    x0, y0 = max(0, int(round(x))), max(0, int(round(y)))
    x1, y1 = min(w, int(round(x + bw))), min(h, int(round(y + bh)))
    marks = {k: (int(round(px * inv)), int(round(py * inv))) for k, (px, py) in
             raw.get("keypoints", {}).items()}
    return Face((x0, y0, max(0, x1 - x0), max(0, y1 - y0)), float(raw["confidence"]), marks)
