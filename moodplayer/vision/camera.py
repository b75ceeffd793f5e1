"""Frames from a webcam or a video file, through one OpenCV code path.

A source is a device index (``0``, ``"1"``) or the path of a video file; tests and
demos use a file where a person would use a camera.  Frames come out as RGB
``uint8`` arrays.  Every failure is a :class:`CameraError` subclass whose message
a user can act on:

* :class:`NoCameraError`: no such camera (or no such file);
* :class:`CameraBusyError`: the camera exists but cannot be opened or gives no
  picture (another program holds it, or no permission);
* :class:`CameraDisconnectedError`: frames flowed, then stopped (unplugged);
* :class:`EndOfVideoError`: a video file played to its end.

No frame is written anywhere: frames live only in memory.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moodplayer.errors import CameraError

log = logging.getLogger(__name__)


class NoCameraError(CameraError):
    kind = "missing"


class CameraBusyError(CameraError):
    kind = "busy"


class CameraDisconnectedError(CameraError):
    kind = "disconnected"


class EndOfVideoError(CameraError):
    kind = "ended"


@dataclass(frozen=True)
class CameraSource:
    """A device index or a video file."""

    device: int | None = None
    path: Path | None = None

    @staticmethod
    def parse(value: int | str | Path) -> CameraSource:
        if isinstance(value, int):
            return CameraSource(device=value)
        text = str(value).strip()
        if text.isdigit():
            return CameraSource(device=int(text))
        return CameraSource(path=Path(text).expanduser())

    @property
    def is_file(self) -> bool:
        return self.path is not None

    def describe(self) -> str:
        return f"video file {self.path.name}" if self.path else f"camera {self.device}"


@dataclass(frozen=True)
class Frame:
    """One picture: ``rgb`` is (height, width, 3) uint8; ``index`` counts from 0."""

    rgb: np.ndarray
    index: int
    timestamp: float


def available_cameras() -> list[int]:
    """Camera indices that look present, without opening them (Linux: /dev/video*)."""
    if sys.platform.startswith("linux"):
        found = []
        for node in Path("/dev").glob("video*"):
            suffix = node.name[5:]
            if suffix.isdigit():
                found.append(int(suffix))
        return sorted(found)
    return [0]


class Camera:
    """An open capture.

    ``width``/``height`` ask a camera for a resolution (it may pick the nearest it
    has).  For files, ``realtime`` paces frames at the file's frame rate, as a
    camera would deliver them, and ``loop`` starts again at the end instead of
    raising :class:`EndOfVideoError`.
    """

    #: How long a freshly opened camera may take to deliver its first frame.
    FIRST_FRAME_TIMEOUT_S = 3.0

    def __init__(
        self,
        source: int | str | Path | CameraSource,
        *,
        width: int | None = None,
        height: int | None = None,
        realtime: bool = True,
        loop: bool = False,
    ) -> None:
        self.source = source if isinstance(source, CameraSource) else CameraSource.parse(source)
        self.width = width
        self.height = height
        self.realtime = realtime
        self.loop = loop
        self._cap = None
        self._frames = 0
        self._file_frame = 0
        self._started = 0.0
        self._pending: np.ndarray | None = None
        self.fps = 30.0

    # ---- opening -------------------------------------------------------------------------------

    def open(self) -> Camera:
        import cv2

        if self.source.is_file:
            path = self.source.path
            assert path is not None
            if not path.is_file():
                raise NoCameraError(f"The video file {path} does not exist.")
            cap = cv2.VideoCapture(str(path))
            if not cap.isOpened():
                cap.release()
                raise CameraError(f"{path.name} could not be opened as a video.")
            fps = cap.get(cv2.CAP_PROP_FPS)
            self.fps = float(fps) if fps and 1.0 <= fps <= 240.0 else 30.0
            ok, bgr = cap.read()
            if not ok or bgr is None:
                cap.release()
                raise CameraError(f"{path.name} contains no video frames that can be read.")
        else:
            index = self.source.device
            assert index is not None
            if sys.platform.startswith("linux") and not Path(f"/dev/video{index}").exists():
                raise NoCameraError(
                    f"No camera was found (there is no /dev/video{index}). Connect a camera, "
                    "choose another one in Settings, or open a photo instead."
                )
            cap = cv2.VideoCapture(index)
            if not cap.isOpened():
                cap.release()
                raise CameraBusyError(
                    f"Camera {index} exists but could not be opened: another program may be "
                    "using it, or you may lack permission (on Linux: the 'video' group)."
                )
            if self.width and self.height:
                cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
                cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
            fps = cap.get(cv2.CAP_PROP_FPS)
            self.fps = float(fps) if fps and 1.0 <= fps <= 240.0 else 30.0
            bgr = self._first_camera_frame(cap)
            if bgr is None:
                cap.release()
                raise CameraBusyError(
                    f"Camera {index} opened but sends no picture: another program may be using "
                    "it. Close that program and press Retry."
                )
        self._cap = cap
        self._pending = bgr
        self._frames = 0
        self._file_frame = 0
        self._started = time.monotonic()
        log.info("opened %s at %.0f fps", self.source.describe(), self.fps)
        return self

    def _first_camera_frame(self, cap) -> np.ndarray | None:
        deadline = time.monotonic() + self.FIRST_FRAME_TIMEOUT_S
        while time.monotonic() < deadline:
            ok, bgr = cap.read()
            if ok and bgr is not None:
                return bgr
            time.sleep(0.05)
        return None

    @property
    def is_open(self) -> bool:
        return self._cap is not None

    def __enter__(self) -> Camera:
        return self if self.is_open else self.open()

    def __exit__(self, *_exc: object) -> None:
        self.release()

    # ---- reading -------------------------------------------------------------------------------

    def read(self) -> Frame:
        """The next frame as RGB (blocks at most one frame interval for paced files)."""
        if self._cap is None:
            raise CameraError(f"The {self.source.describe()} is not open.")
        if self._pending is not None:
            bgr, self._pending = self._pending, None
        else:
            bgr = self._read_bgr()
        if self.source.is_file and self.realtime:
            due = self._started + self._file_frame / self.fps
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            elif delay < -1.0:  # fell far behind (a stall): don't rush to catch up
                self._started -= delay
        rgb = np.ascontiguousarray(bgr[:, :, ::-1])
        frame = Frame(rgb, self._frames, time.monotonic())
        self._frames += 1
        self._file_frame += 1
        return frame

    def _read_bgr(self) -> np.ndarray:
        import cv2

        ok, bgr = self._cap.read()
        if ok and bgr is not None:
            return bgr
        if self.source.is_file:
            if self.loop:
                self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
                ok, bgr = self._cap.read()
                if ok and bgr is not None:
                    return bgr
            raise EndOfVideoError(
                f"The {self.source.describe()} has ended after {self._frames} frames."
            )
        raise CameraDisconnectedError(
            f"Camera {self.source.device} stopped sending pictures: it may have been unplugged. "
            "Reconnect it and press Retry."
        )

    @property
    def frames_read(self) -> int:
        return self._frames

    def release(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
            self._pending = None


def write_video_from_image(
    rgb: np.ndarray,
    path: str | Path,
    *,
    seconds: float = 5.0,
    fps: int = 30,
    size: tuple[int, int] = (640, 480),
) -> Path:
    """Write a video of a still picture drifting slowly, for demos, tests and benchmarks.

    The picture is fitted into ``size`` (width, height) and moves a few pixels
    to and fro, as a face in front of a webcam does, so consecutive frames differ.
    Needs PyAV (``av``).
    """
    import av
    import cv2

    w, h = size
    src_h, src_w = rgb.shape[:2]
    scale = min(w / src_w, h / src_h) * 0.9
    base = cv2.resize(
        rgb, (max(1, int(src_w * scale)), max(1, int(src_h * scale))), interpolation=cv2.INTER_AREA
    )
    frames = max(1, int(round(seconds * fps)))
    out = Path(path)
    with av.open(str(out), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "23"}
        for i in range(frames):
            canvas = np.full((h, w, 3), 40, np.uint8)
            phase = 2 * np.pi * i / max(1, fps * 2)
            dx = int(round(12 * np.sin(phase)))
            dy = int(round(6 * np.sin(phase * 0.5)))
            y0 = (h - base.shape[0]) // 2 + dy
            x0 = (w - base.shape[1]) // 2 + dx
            ys, xs = max(0, y0), max(0, x0)
            ye, xe = min(h, y0 + base.shape[0]), min(w, x0 + base.shape[1])
            canvas[ys:ye, xs:xe] = base[ys - y0 : ye - y0, xs - x0 : xe - x0]
            frame = av.VideoFrame.from_ndarray(canvas, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out
