"""The one image loader: formats, EXIF, colour modes, size guard, clear errors."""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest
from PIL import Image

from moodplayer.errors import ImageLoadError
from moodplayer.vision.images import MAX_PIXELS, load_image


@pytest.fixture
def rgb(astronaut):
    return astronaut


@pytest.mark.parametrize("ext,fmt", [("jpg", "JPEG"), ("png", "PNG"), ("bmp", "BMP"),
                                     ("webp", "WEBP"), ("tiff", "TIFF"), ("gif", "GIF")])
def test_formats(tmp_path, rgb, ext, fmt):
    p = tmp_path / f"a.{ext}"
    Image.fromarray(rgb).save(p, fmt)
    img = load_image(p)
    assert img.rgb.shape == rgb.shape
    assert img.rgb.dtype == np.uint8
    assert img.format == fmt
    # Same picture (lossy formats within a tolerance).
    assert np.abs(img.rgb.astype(int) - rgb.astype(int)).mean() < 20


def test_gif_first_frame(tmp_path):
    frames = [Image.new("RGB", (64, 48), c) for c in ((255, 0, 0), (0, 0, 255))]
    p = tmp_path / "anim.gif"
    frames[0].save(p, save_all=True, append_images=frames[1:], duration=100)
    img = load_image(p)
    r, g, b = img.rgb[10, 10]
    assert r > 200 and b < 50


def test_exif_orientation_applied(tmp_path, rgb):
    p = tmp_path / "rot.jpg"
    # Store the picture turned on its side with EXIF orientation 6 ("rotate 90 CW to view").
    sideways = Image.fromarray(rgb).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    sideways.save(p, "JPEG", exif=exif.tobytes(), quality=95)
    img = load_image(p)
    assert img.rgb.shape == rgb.shape
    assert np.abs(img.rgb.astype(int) - rgb.astype(int)).mean() < 12


@pytest.mark.parametrize("mode", ["L", "RGBA", "LA", "P", "CMYK", "I;16"])
def test_colour_modes(tmp_path, rgb, mode):
    base = Image.fromarray(rgb)
    if mode == "I;16":
        grey = np.asarray(base.convert("L"), dtype=np.uint16) * 257
        im = Image.fromarray(grey)
        assert im.mode.startswith("I;16")
        p = tmp_path / "a16.png"
    else:
        im = base.convert(mode)
        p = tmp_path / f"a_{mode}.{'jpg' if mode == 'CMYK' else 'png'}"
    im.save(p)
    img = load_image(p)
    assert img.rgb.shape == rgb.shape
    grey_ref = np.asarray(base.convert("L"), dtype=int)
    grey_got = np.asarray(Image.fromarray(img.rgb).convert("L"), dtype=int)
    assert np.abs(grey_got - grey_ref).mean() < 25


def test_large_image_downscaled(tmp_path):
    p = tmp_path / "big.png"
    Image.new("RGB", (5000, 2500), (10, 200, 30)).save(p)
    img = load_image(p, max_side=2048)
    assert max(img.rgb.shape[:2]) == 2048
    assert img.original_size == (5000, 2500)
    assert img.scale == pytest.approx(2048 / 5000, rel=1e-3)


def test_huge_jpeg_bounded_memory(tmp_path):
    """A 12000 x 9000 JPEG is decoded at reduced scale: the process stays small."""
    p = tmp_path / "huge.jpg"
    Image.new("RGB", (12000, 9000), (120, 80, 40)).save(p, quality=70)
    code = (
        "import re; from moodplayer.vision.images import load_image;"
        f"img = load_image({str(p)!r});"
        "hwm = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1));"
        "print(img.rgb.shape[1], img.rgb.shape[0], img.original_size[0], img.original_size[1],"
        " hwm // 1024)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    w, h, ow, oh, peak_mib = map(int, out.stdout.split())
    assert (ow, oh) == (12000, 9000)
    assert max(w, h) <= 2048
    # A full decode alone would need 12000*9000*3 bytes = 309 MiB.
    assert peak_mib < 250, f"peak memory {peak_mib} MiB"


def _png_header_only(path, width, height):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                     + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b""))


def test_decompression_bomb_refused(tmp_path):
    p = tmp_path / "bomb.png"
    _png_header_only(p, 30000, 30000)
    assert 30000 * 30000 > MAX_PIXELS
    with pytest.raises(ImageLoadError, match="megapixels"):
        load_image(p)


def test_truncated_jpeg(tmp_path, rgb):
    p = tmp_path / "cut.jpg"
    Image.fromarray(rgb).save(p, "JPEG")
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageLoadError, match="cut.jpg.*truncated or corrupt"):
        load_image(p)


def test_text_file_renamed_jpg(tmp_path):
    p = tmp_path / "notes.jpg"
    p.write_text("shopping list: milk, eggs\n")
    with pytest.raises(ImageLoadError, match="notes.jpg.*not an image"):
        load_image(p)


def test_empty_missing_and_folder(tmp_path):
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(ImageLoadError, match="empty"):
        load_image(empty)
    with pytest.raises(ImageLoadError, match="does not exist"):
        load_image(tmp_path / "nope.jpg")
    with pytest.raises(ImageLoadError, match="folder"):
        load_image(tmp_path)
