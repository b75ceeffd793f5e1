"""A sample face picture drawn by moodplayer itself (no photo is shipped).

Soft-edged ellipses for the face, hair, eyes, brows, nose shading and a smile,
with a little noise: enough of a face for MTCNN to find it (confidence ~0.97),
used by the self-test and as a demo picture.
"""

from __future__ import annotations

import numpy as np

# Colours are BGR in [0, 1] while drawing (OpenCV order); the result is RGB.
_SKIN = (0.62, 0.72, 0.88)
_HAIR = (0.15, 0.20, 0.30)


def sample_face(size: int = 320, smile: bool = True, seed: int = 0) -> np.ndarray:
    """An RGB uint8 ``size`` x ``size`` picture of one drawn, smiling face."""
    import cv2

    h = w = size
    yy = np.mgrid[0:h, 0:w][0] / size
    img = (0.55 + 0.25 * yy[..., None]) * np.array([0.55, 0.60, 0.65])

    def blend(mask: np.ndarray, colour, alpha: float = 1.0) -> None:
        nonlocal img
        m = alpha * mask[..., None]
        img = img * (1 - m) + np.asarray(colour) * m

    def ellipse(cx, cy, rx, ry, colour, alpha=1.0, blur=0.0, arc=(0, 360)) -> None:
        mask = np.zeros((h, w), np.float32)
        cv2.ellipse(mask, (int(cx * w), int(cy * h)), (int(rx * w), int(ry * h)), 0,
                    arc[0], arc[1], 1.0, -1)
        if blur:
            mask = cv2.GaussianBlur(mask, (0, 0), blur * size / 320)
        blend(mask, colour, alpha)

    ellipse(0.50, 0.55, 0.27, 0.36, _SKIN, blur=3)  # face
    ellipse(0.50, 0.25, 0.30, 0.16, _HAIR, blur=4)  # hair
    ellipse(0.50, 0.62, 0.22, 0.25, (0.55, 0.65, 0.82), 0.35, blur=18)  # cheek shading
    for cx in (0.39, 0.61):
        ellipse(cx, 0.47, 0.075, 0.035, (0.45, 0.50, 0.60), 0.5, blur=5)  # eye socket
        ellipse(cx, 0.48, 0.050, 0.022, (0.95, 0.95, 0.95), blur=1)  # eye white
        ellipse(cx, 0.48, 0.022, 0.022, (0.15, 0.12, 0.10), blur=1)  # iris
        ellipse(cx, 0.42, 0.070, 0.012, (0.15, 0.18, 0.25), blur=2)  # brow
    ellipse(0.50, 0.60, 0.030, 0.070, (0.50, 0.60, 0.78), 0.5, blur=4)  # nose
    ellipse(0.50, 0.655, 0.045, 0.020, (0.40, 0.48, 0.62), 0.6, blur=3)  # nostrils
    if smile:
        ellipse(0.50, 0.700, 0.10, 0.05, (0.25, 0.25, 0.55), blur=2, arc=(0, 180))  # mouth
        ellipse(0.50, 0.705, 0.08, 0.02, (0.95, 0.95, 0.95), blur=1, arc=(0, 180))  # teeth
    else:
        ellipse(0.50, 0.72, 0.08, 0.012, (0.30, 0.30, 0.55), blur=2)
    noise = np.random.default_rng(seed).normal(0.0, 0.015, img.shape)
    bgr = np.clip((img + noise) * 255.0, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(bgr[:, :, ::-1])
