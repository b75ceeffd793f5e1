"""Colour and light of a picture, and the mood they carry.

Features (all measured in CIELAB on a copy downscaled to at most 96 pixels a
side, so a photo of any size costs a few milliseconds):

* ``brightness``: mean lightness L* / 100 (0 black .. 1 white).  L* stands in for
  Munsell Value, the brightness dimension of Valdez & Mehrabian's colour chips.
* ``saturation``: mean chroma C*ab / 100 (0 grey; vivid sRGB colours reach about
  1.3).  C*ab stands in for Munsell Chroma.
* ``warmth``: mean projection of each pixel's (a*, b*) onto the orange hue
  direction (60 degrees), divided by (mean chroma + 10), in [-1, 1]: positive for
  red, orange and yellow light, negative for blue and cyan, near 0 for greys.
* ``contrast``: RMS contrast, the standard deviation of L* / 100.
* ``palette``: the main colours, by k-means (k = 5) in CIELAB on an image
  downscaled to at most 40 pixels a side, each with its share of the picture and
  a basic colour name.

Mood: Valdez & Mehrabian (1994) regressed pleasure, arousal and dominance on the
brightness and saturation of colour samples, in standardised units::

    pleasure  =  0.69 * brightness + 0.22 * saturation
    arousal   = -0.31 * brightness + 0.60 * saturation
    dominance = -0.76 * brightness + 0.32 * saturation

We standardise a photo's brightness and saturation against reference
statistics of everyday photos (mean L* 45, sd 15; mean C*ab 23, sd 13 -- the
per-photo means measured on the 11 development photos of ``shared/data/photos``
plus 7 colour photos of scikit-image's data folder), clip the z-scores to
[-2.5, 2.5], apply the regressions, and scale the predicted standard scores to
the mean and spread of the Warriner et al. (2013) norms over all 13,915 lemmas
(valence 5.06 +- 1.27, arousal 4.21 +- 0.90, dominance 5.18 +- 0.94)::

    V = 5.06 + 1.27 * (0.69 zB + 0.22 zS)     and likewise for A and D,

clamped to the 1-9 scale.  A photo with reference brightness and saturation
therefore reads as the average English word.

Valdez, P., & Mehrabian, A. (1994). Effects of color on emotions. Journal of
Experimental Psychology: General, 123(4), 394-409.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from moodplayer.mood.vad import VAD

#: Reference statistics of everyday photos (per-photo mean L* and mean C*ab).
REF_LIGHTNESS = (45.0, 15.0)
REF_CHROMA = (23.0, 13.0)
Z_CLIP = 2.5

#: Valdez & Mehrabian (1994) standardised coefficients (brightness, saturation).
VM_PLEASURE = (0.69, 0.22)
VM_AROUSAL = (-0.31, 0.60)
VM_DOMINANCE = (-0.76, 0.32)

#: Mean and standard deviation of V/A/D.Mean.Sum over all Warriner lemmas.
WARRINER_SPREAD = {"valence": (5.06, 1.27), "arousal": (4.21, 0.90), "dominance": (5.18, 0.94)}

STATS_SIDE = 96
PALETTE_SIDE = 40
PALETTE_K = 5
WARM_HUE_DEG = 60.0
_WARM_AXIS = (math.cos(math.radians(WARM_HUE_DEG)), math.sin(math.radians(WARM_HUE_DEG)))

#: Thresholds for the readable phrase (z-scores for brightness and saturation).
BRIGHT_Z = 0.6
SATURATED_Z = 0.6
GREY_CHROMA = 6.0
WARM_AT = 0.4
COOL_AT = -0.1
HIGH_CONTRAST = 0.28
LOW_CONTRAST = 0.10


@dataclass(frozen=True)
class PaletteColour:
    rgb: tuple[int, int, int]
    fraction: float
    name: str

    @property
    def hex(self) -> str:
        return "#{:02x}{:02x}{:02x}".format(*self.rgb)

    def to_json(self) -> dict:
        return {"hex": self.hex, "name": self.name, "fraction": round(self.fraction, 3)}


@dataclass(frozen=True)
class ColourFeatures:
    brightness: float
    saturation: float
    warmth: float
    contrast: float
    palette: tuple[PaletteColour, ...] = ()

    @property
    def brightness_z(self) -> float:
        return _z(self.brightness * 100.0, REF_LIGHTNESS)

    @property
    def saturation_z(self) -> float:
        return _z(self.saturation * 100.0, REF_CHROMA)

    def words(self) -> tuple[str, ...]:
        """Readable words for the light and colour, e.g. ``("bright", "warm", "saturated")``."""
        out: list[str] = []
        if self.brightness_z >= BRIGHT_Z:
            out.append("bright")
        elif self.brightness_z <= -BRIGHT_Z:
            out.append("dark")
        grey = self.saturation * 100.0 < GREY_CHROMA
        if not grey:
            if self.warmth >= WARM_AT:
                out.append("warm")
            elif self.warmth <= COOL_AT:
                out.append("cool")
        if grey:
            out.append("almost colourless")
        elif self.saturation_z >= SATURATED_Z:
            out.append("saturated")
        elif self.saturation_z <= -SATURATED_Z:
            out.append("muted")
        if self.contrast >= HIGH_CONTRAST:
            out.append("high-contrast")
        elif self.contrast <= LOW_CONTRAST:
            out.append("soft")
        return tuple(out)

    @property
    def phrase(self) -> str:
        """Comma-separated words ("bright, warm, saturated"), or a neutral phrase."""
        words = self.words()
        return ", ".join(words) if words else "evenly lit"

    def to_json(self) -> dict:
        return {
            "brightness": round(self.brightness, 4),
            "saturation": round(self.saturation, 4),
            "warmth": round(self.warmth, 4),
            "contrast": round(self.contrast, 4),
            "phrase": self.phrase,
            "palette": [c.to_json() for c in self.palette],
        }


def _z(value: float, ref: tuple[float, float]) -> float:
    mean, sd = ref
    return max(-Z_CLIP, min(Z_CLIP, (value - mean) / sd))


def _check_rgb(rgb: np.ndarray) -> np.ndarray:
    if not isinstance(rgb, np.ndarray) or rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.size == 0:
        shape = getattr(rgb, "shape", None)
        raise ValueError(f"Expected an RGB image of shape (height, width, 3); got {shape}.")
    if rgb.dtype != np.uint8:
        rgb = np.clip(rgb, 0, 255).astype(np.uint8)
    return rgb


def _downscale(rgb: np.ndarray, side: int) -> np.ndarray:
    import cv2

    h, w = rgb.shape[:2]
    scale = side / max(h, w)
    if scale >= 1.0:
        return rgb
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def _to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (L* 0-100, a*, b*) as float32 N x 3."""
    import cv2

    lab = cv2.cvtColor(np.ascontiguousarray(rgb).astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    return lab.reshape(-1, 3)


def _lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    import cv2

    rgb = cv2.cvtColor(lab.reshape(1, -1, 3).astype(np.float32), cv2.COLOR_Lab2RGB)
    return np.clip(np.rint(rgb.reshape(-1, 3) * 255.0), 0, 255).astype(np.uint8)


def colour_name(lightness: float, a: float, b: float) -> str:
    """A basic colour name for a CIELAB colour."""
    chroma = math.hypot(a, b)
    if chroma < 10.0:
        if lightness < 20:
            return "black"
        if lightness > 85:
            return "white"
        return "dark grey" if lightness < 45 else "light grey" if lightness > 70 else "grey"
    hue = math.degrees(math.atan2(b, a)) % 360.0
    if 20 <= hue < 105 and lightness < 50 and chroma < 50:
        return "olive" if hue >= 85 else "brown"
    if 50 <= hue < 105 and lightness > 65 and chroma < 25:
        return "beige"
    for upper, name in (
        (20, "pink"),
        (55, "red"),
        (80, "orange"),
        (105, "yellow"),
        (170, "green"),
        (230, "teal"),
        (300, "blue"),
        (345, "purple"),
        (360, "pink"),
    ):
        if hue < upper:
            return name
    return "pink"


def palette(rgb: np.ndarray, k: int = PALETTE_K, iterations: int = 8) -> tuple[PaletteColour, ...]:
    """The main colours of a picture, largest share first (k-means in CIELAB)."""
    rgb = _check_rgb(rgb)
    if max(rgb.shape[:2]) > STATS_SIDE:  # two steps: the second resize is nearly free
        rgb = _downscale(rgb, STATS_SIDE)
    lab = _to_lab(_downscale(rgb, PALETTE_SIDE)).astype(np.float64)
    k = max(1, min(k, len(lab)))
    # Deterministic start: pixels at evenly spaced ranks of lightness.
    order = np.argsort(lab[:, 0], kind="stable")
    centres = lab[order[((np.arange(k) + 0.5) * len(lab) / k).astype(int)]].copy()
    assign = np.zeros(len(lab), dtype=np.int64)
    for _ in range(iterations):
        dist = ((lab[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        assign = dist.argmin(axis=1)
        for j in range(k):
            members = lab[assign == j]
            if len(members):
                centres[j] = members.mean(axis=0)
    counts = np.bincount(assign, minlength=k)
    rgb_centres = _lab_to_rgb(centres)
    out = []
    for j in np.argsort(-counts, kind="stable"):
        if counts[j] == 0:
            continue
        colour = tuple(int(v) for v in rgb_centres[j])
        name = colour_name(*centres[j])
        out.append(PaletteColour(colour, float(counts[j]) / len(lab), name))  # type: ignore[arg-type]
    return tuple(out)


def colour_features(rgb: np.ndarray, with_palette: bool = True) -> ColourFeatures:
    """Brightness, saturation, warmth, contrast and palette of an RGB uint8 image."""
    small = _downscale(_check_rgb(rgb), STATS_SIDE)
    lab = _to_lab(small)
    lightness, a, b = lab[:, 0], lab[:, 1], lab[:, 2]
    chroma = np.hypot(a, b)
    mean_chroma = float(chroma.mean())
    projection = float((a * _WARM_AXIS[0] + b * _WARM_AXIS[1]).mean())
    return ColourFeatures(
        brightness=float(lightness.mean()) / 100.0,
        saturation=mean_chroma / 100.0,
        warmth=max(-1.0, min(1.0, projection / (mean_chroma + 10.0))),
        contrast=float(lightness.std()) / 100.0,
        palette=palette(small) if with_palette else (),
    )


def colour_vad(features: ColourFeatures) -> VAD:
    """Valdez & Mehrabian (1994) pleasure/arousal/dominance, on the 1-9 Warriner scale."""
    zb, zs = features.brightness_z, features.saturation_z
    values = []
    for axis, (cb, cs) in zip(
        ("valence", "arousal", "dominance"), (VM_PLEASURE, VM_AROUSAL, VM_DOMINANCE)
    ):
        mean, sd = WARRINER_SPREAD[axis]
        values.append(mean + sd * (cb * zb + cs * zs))
    return VAD(*values).clamp()
