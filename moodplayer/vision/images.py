"""One image loader for every entry point (CLI, window, album, tests).

Reads JPEG, PNG, BMP, WebP, TIFF and GIF (first frame) with Pillow, applies the
EXIF orientation, converts every colour mode (grey, palette, alpha, CMYK,
16-bit, float) to 8-bit RGB, and downsizes very large pictures for analysis
with bounded memory: JPEGs are decoded at a reduced scale straight away, and
anything above ``MAX_PIXELS`` is refused before it is decoded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moodplayer.errors import ImageLoadError

log = logging.getLogger(__name__)

#: Longest side of the picture that analysis works on.
ANALYSIS_MAX_SIDE = 2048
#: Refuse pictures larger than this many pixels (a decompression-bomb guard):
#: 250 megapixels is far beyond any camera, and decoding it would take gigabytes.
MAX_PIXELS = 250_000_000

SUPPORTED = "JPEG, PNG, BMP, WebP, TIFF or GIF"
EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".gif")


@dataclass(frozen=True)
class LoadedImage:
    """An image ready for analysis.

    ``rgb`` is H x W x 3 uint8, at most ``ANALYSIS_MAX_SIDE`` on its longest side;
    ``original_size`` is (width, height) of the file after EXIF rotation, and
    ``scale`` = analysed width / original width.
    """

    path: str | None
    rgb: np.ndarray
    original_size: tuple[int, int]
    scale: float
    format: str

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])


def is_image_path(path: str | Path) -> bool:
    return Path(path).suffix.lower() in EXTENSIONS


def load_image(path: str | Path, max_side: int = ANALYSIS_MAX_SIDE) -> LoadedImage:
    """Load ``path`` as RGB for analysis, or raise ``ImageLoadError`` saying why."""
    from PIL import Image, UnidentifiedImageError

    p = Path(path)
    name = str(p)
    if not p.exists():
        raise ImageLoadError(f"Cannot open '{name}': the file does not exist.")
    if p.is_dir():
        raise ImageLoadError(f"Cannot open '{name}': it is a folder, not an image.")
    if p.stat().st_size == 0:
        raise ImageLoadError(f"Cannot open '{name}': the file is empty.")
    Image.MAX_IMAGE_PIXELS = None  # we apply our own, clearer limit below
    try:
        with Image.open(p) as img:
            fmt = img.format or "unknown"
            w, h = img.size
            if w * h > MAX_PIXELS:
                raise ImageLoadError(
                    f"Cannot open '{name}': it is {w}x{h} pixels ({w * h / 1e6:.0f} megapixels), "
                    f"more than the {MAX_PIXELS / 1e6:.0f} megapixels moodplayer accepts."
                )
            if fmt == "JPEG" and max(w, h) > max_side:
                # Decode at 1/2, 1/4 or 1/8 scale: memory stays bounded for huge JPEGs.
                img.draft("RGB", (max_side, max_side))
            img.seek(0)  # first frame of GIF/TIFF
            img.load()
            orientation = img.getexif().get(0x0112, 1) if hasattr(img, "getexif") else 1
            rgb_img = _to_rgb(img)
            if orientation != 1:
                rgb_img = _apply_orientation(rgb_img, orientation)
            original = _original_size((w, h), orientation)
    except ImageLoadError:
        raise
    except UnidentifiedImageError as err:
        raise ImageLoadError(
            f"Cannot open '{name}': it is not an image moodplayer can read ({SUPPORTED})."
        ) from err
    except (OSError, SyntaxError, ValueError) as err:
        raise ImageLoadError(
            f"Cannot open '{name}': the file is truncated or corrupt ({err})."
        ) from err
    except MemoryError as err:
        raise ImageLoadError(f"Cannot open '{name}': not enough memory to decode it.") from err

    if max(rgb_img.size) > max_side:
        factor = max_side / max(rgb_img.size)
        size = (max(1, round(rgb_img.width * factor)), max(1, round(rgb_img.height * factor)))
        rgb_img = rgb_img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    rgb = np.asarray(rgb_img, dtype=np.uint8)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.size == 0:
        raise ImageLoadError(f"Cannot open '{name}': it holds no picture data.")
    scale = rgb.shape[1] / original[0]
    log.debug("loaded %s (%s, %dx%d, scale %.3f)", name, fmt, original[0], original[1], scale)
    return LoadedImage(name, np.ascontiguousarray(rgb), original, scale, fmt)


def from_array(rgb: np.ndarray, path: str | None = None) -> LoadedImage:
    """Wrap an RGB uint8 array (a camera frame) as a ``LoadedImage``."""
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ImageLoadError("A camera frame must be an H x W x 3 RGB picture.")
    h, w = rgb.shape[:2]
    return LoadedImage(path, np.ascontiguousarray(rgb, dtype=np.uint8), (w, h), 1.0, "array")


def _original_size(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    return (size[1], size[0]) if orientation in (5, 6, 7, 8) else size


def _apply_orientation(img, orientation: int):
    from PIL import Image

    ops = {
        2: [Image.Transpose.FLIP_LEFT_RIGHT],
        3: [Image.Transpose.ROTATE_180],
        4: [Image.Transpose.FLIP_TOP_BOTTOM],
        5: [Image.Transpose.TRANSPOSE],
        6: [Image.Transpose.ROTATE_270],
        7: [Image.Transpose.TRANSVERSE],
        8: [Image.Transpose.ROTATE_90],
    }.get(orientation, [])
    for op in ops:
        img = img.transpose(op)
    return img


def _to_rgb(img):
    """Any Pillow mode to 8-bit RGB; transparent areas become mid-grey."""
    from PIL import Image

    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        lo, hi = float(arr.min()), float(arr.max())
        if mode.startswith("I;16") or (mode == "I" and lo >= 0 and 255 < hi <= 65535):
            lo, hi = 0.0, 65535.0  # 16-bit samples
        elif mode == "I" and lo >= 0 and hi <= 255:
            lo, hi = 0.0, 255.0
        elif hi <= lo:  # float or unusual integer data: stretch what is there
            hi = lo + 1.0
        grey = np.clip((arr - lo) / (hi - lo) * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return Image.fromarray(grey, "L").convert("RGB")
    if mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
        mode = img.mode
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (128, 128, 128, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if mode == "CMYK":
        return img.convert("RGB")
    if mode != "RGB":
        return img.convert("RGB")
    return img
