"""The OpenCV capture on real video files (the same code path as a webcam)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pytest

from moodplayer.errors import CameraError
from moodplayer.vision.camera import (
    Camera,
    CameraSource,
    EndOfVideoError,
    NoCameraError,
    available_cameras,
)


def write_video(path: Path, frames: int, fps: int = 30, size=(640, 480)) -> Path:
    """Frames alternate pure red / pure blue halves so channel order can be checked."""
    import av

    w, h = size
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        for i in range(frames):
            image = np.zeros((h, w, 3), np.uint8)
            image[:, : w // 2, 0] = 220  # left half red (RGB)
            image[:, w // 2 :, 2] = 220  # right half blue
            image[:8, :8] = (i * 8) % 255
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_file_source_gives_rgb_frames_paced_then_ends(tmp_path):
    video = write_video(tmp_path / "clip.mp4", frames=15)
    cam = Camera(str(video)).open()
    assert cam.source.is_file and cam.fps == pytest.approx(30, abs=0.5)
    start = time.monotonic()
    frames = [cam.read() for _ in range(15)]
    elapsed = time.monotonic() - start
    assert elapsed >= 14 / 30 * 0.9, "a file source must be paced like a camera"
    rgb = frames[0].rgb
    assert rgb.shape == (480, 640, 3) and rgb.dtype == np.uint8
    assert rgb[240, 100, 0] > 180 and rgb[240, 100, 2] < 60, "left half must read red (RGB order)"
    assert rgb[240, 540, 2] > 180 and rgb[240, 540, 0] < 60
    assert [f.index for f in frames] == list(range(15))
    with pytest.raises(EndOfVideoError, match="has ended after 15 frames"):
        cam.read()
    cam.release()
    with pytest.raises(CameraError, match="not open"):
        cam.read()


def test_looping_file_and_unpaced_reading(tmp_path):
    video = write_video(tmp_path / "loop.mp4", frames=5)
    with Camera(video, realtime=False, loop=True) as cam:
        start = time.monotonic()
        frames = [cam.read() for _ in range(12)]
        assert time.monotonic() - start < 2.0
    assert len(frames) == 12 and frames[-1].index == 11


def test_missing_sources_are_explained(tmp_path):
    with pytest.raises(NoCameraError, match="does not exist"):
        Camera(tmp_path / "none.mp4").open()
    not_video = tmp_path / "notes.mp4"
    not_video.write_text("this is not a video")
    with pytest.raises(CameraError, match="notes.mp4"):
        Camera(not_video).open()
    if sys.platform.startswith("linux"):
        absent = max([*available_cameras(), 0]) + 40
        with pytest.raises(NoCameraError, match=f"/dev/video{absent}"):
            Camera(absent).open()


def test_source_parsing():
    assert CameraSource.parse("0") == CameraSource(device=0)
    assert CameraSource.parse(2).device == 2
    assert CameraSource.parse("~/clip.mp4").path == Path("~/clip.mp4").expanduser()
    assert "camera 3" in CameraSource.parse(3).describe()
