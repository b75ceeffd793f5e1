"""Benchmark: live mode in the real window vs a naive DeepFace loop.

Run from the project root with the venv's Python:

    .venv/bin/python bench/live.py [--seconds 20] [--naive-seconds 12] [--json]

Makes a 640x480, 30 fps video of a real face photo (scikit-image's astronaut, or
--photo), opens the real moodplayer window in live mode with that file as the
camera (the same OpenCV capture code path as a webcam, looping), and runs it
through the real workers (capture thread -> one-slot mailbox -> analysis thread
-> GUI) for --seconds.  It measures:

* ``preview_fps``: camera frames painted in the window per second;
* ``mood_updates_per_s``: analysed frames that updated the mood per second;
* ``max_gui_stall_ms``: the longest the GUI thread was late for a 5 ms timer
  (how long it was busy with one thing), with the 99th percentile;
* ``cpu_percent``: process CPU time over wall time (100 % = one core).

Then, in the same run and on the same frames, the naive loop the issue compares
against: ``DeepFace.analyze(frame, actions=("emotion",), detector_backend="mtcnn")``
on every frame, one after the other (``naive_updates_per_s``), and the ratio.

The window is offscreen unless QT_QPA_PLATFORM says otherwise; libvlc and the
demo music are not started (nothing plays), so the figures are the live path's.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MOODPLAYER_HOME", tempfile.mkdtemp(prefix="moodplayer-bench-"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def face_photo(path: str | None):
    if path:
        from moodplayer.vision.images import load_image

        return load_image(path).rgb
    from skimage.data import astronaut

    return astronaut()


class StallProbe:
    """A 5 ms timer in the GUI thread; lateness = how long the thread was busy elsewhere."""

    INTERVAL_MS = 5

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(self.INTERVAL_MS)
        self.timer.timeout.connect(self._tick)
        self.gaps: list[float] = []
        self._last: float | None = None

    def start(self) -> None:
        self.gaps.clear()
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.gaps.append((now - self._last) * 1000 - self.INTERVAL_MS)
        self._last = now

    def max_ms(self) -> float:
        return max(self.gaps, default=0.0)

    def p99_ms(self) -> float:
        if not self.gaps:
            return 0.0
        ordered = sorted(self.gaps)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def run_window(video: Path, analyzer, seconds: float, warmup: float) -> dict:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from moodplayer.ui.main_window import MainWindow
    from moodplayer.ui.settings import Settings
    from moodplayer.ui.theme import apply_theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(app, "light")
    settings = Settings(Path(os.environ["MOODPLAYER_HOME"]) / "bench-settings.ini")
    settings.camera_resolution = "640x480"
    window = MainWindow(
        settings,
        analyzer=analyzer,
        demo_library=False,
        autoplay=False,
        camera_loop=True,
        player_options=None,
    )
    window.resize(1280, 820)
    window.show()

    def spin(duration: float) -> None:
        loop = QEventLoop()
        QTimer.singleShot(int(duration * 1000), loop.quit)
        loop.exec()

    spin(0.5)
    window.start_live(str(video))
    spin(warmup)  # first frames, graph warm-up, first mood
    probe = StallProbe()
    frames0, updates0 = window.source_view.frames_shown, window.live_updates
    cpu0, wall0 = time.process_time(), time.perf_counter()
    probe.start()
    spin(seconds)
    probe.stop()
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    frames = window.source_view.frames_shown - frames0
    updates = window.live_updates - updates0
    dropped = window._live_mailbox.dropped if window._live_mailbox else None  # noqa: SLF001
    mood = window.mood.emotion if window.mood else None
    faces = len(window.source_view.faces)
    message = window.source_view.message
    window.stop_live()
    window.close()
    spin(0.3)
    if message:
        raise SystemExit(f"live mode failed: {message}")
    return {
        "preview_fps": round(frames / wall, 1),
        "mood_updates_per_s": round(updates / wall, 2),
        "max_gui_stall_ms": round(probe.max_ms(), 1),
        "p99_gui_stall_ms": round(probe.p99_ms(), 1),
        "cpu_percent": round(100 * cpu / wall, 0),
        "frames_dropped_by_analysis": dropped,
        "live_mood": mood,
        "faces_shown": faces,
        "measured_s": round(wall, 1),
    }


def run_naive(video: Path, seconds: float) -> dict:
    """DeepFace.analyze with MTCNN on every frame, in order, for ``seconds``."""
    from deepface import DeepFace

    from moodplayer.vision.camera import Camera

    cam = Camera(video, realtime=False, loop=True).open()
    first = cam.read().rgb[:, :, ::-1].copy()
    DeepFace.analyze(
        first, actions=("emotion",), detector_backend="mtcnn", enforce_detection=False, silent=True
    )  # warm-up
    done = 0
    emotions: dict[str, int] = {}
    cpu0, start = time.process_time(), time.perf_counter()
    while time.perf_counter() - start < seconds:
        bgr = cam.read().rgb[:, :, ::-1].copy()
        out = DeepFace.analyze(
            bgr,
            actions=("emotion",),
            detector_backend="mtcnn",
            enforce_detection=False,
            silent=True,
        )
        done += 1
        if out:
            e = out[0].get("dominant_emotion", "?")
            emotions[e] = emotions.get(e, 0) + 1
    wall = time.perf_counter() - start
    cam.release()
    return {
        "naive_updates_per_s": round(done / wall, 2),
        "naive_ms_per_frame": round(1000 * wall / max(1, done), 1),
        "naive_cpu_percent": round(100 * (time.process_time() - cpu0) / wall, 0),
        "naive_mood": max(emotions, key=emotions.get) if emotions else None,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=20.0, help="live-mode measuring time")
    ap.add_argument("--warmup", type=float, default=4.0, help="live-mode warm-up time")
    ap.add_argument("--naive-seconds", type=float, default=12.0, help="naive loop time")
    ap.add_argument("--photo", help="face photo for the video (default: scikit-image astronaut)")
    ap.add_argument("--json", action="store_true", help="print one JSON object on the last line")
    ap.add_argument("--switch-interval", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval)

    from moodplayer.vision.camera import write_video_from_image

    tmp = Path(tempfile.mkdtemp(prefix="moodplayer-live-"))
    video = write_video_from_image(
        face_photo(args.photo),
        tmp / "face-640x480-30fps.mp4",
        seconds=10.0,
        fps=30,
        size=(640, 480),
    )

    t0 = time.perf_counter()
    from moodplayer.analysis import Analyzer

    analyzer = Analyzer()
    analyzer.load()
    load_s = time.perf_counter() - t0

    live = run_window(video, analyzer, args.seconds, args.warmup)
    naive = run_naive(video, args.naive_seconds)
    result = {
        **live,
        **naive,
        "speedup_vs_naive": round(
            live["mood_updates_per_s"] / max(1e-9, naive["naive_updates_per_s"]), 2
        ),
        "model_load_s": round(load_s, 1),
        "cpu_cores": os.cpu_count(),
        "source": "640x480 30 fps video file, looped",
    }
    print(f"preview:            {result['preview_fps']:.1f} frames/s shown")
    print(
        f"mood updates:       {result['mood_updates_per_s']:.2f} /s "
        f"({result['frames_dropped_by_analysis']} frames dropped by the analysis mailbox)"
    )
    print(
        f"GUI thread stall:   max {result['max_gui_stall_ms']:.1f} ms, "
        f"p99 {result['p99_gui_stall_ms']:.1f} ms"
    )
    print(
        f"CPU use:            {result['cpu_percent']:.0f} % (100 % = one core) "
        f"of {result['cpu_cores']} cores"
    )
    print(f"live mood:          {result['live_mood']} ({result['faces_shown']} face shown)")
    print(
        f"naive DeepFace.analyze(mtcnn): {result['naive_updates_per_s']:.2f} /s "
        f"({result['naive_ms_per_frame']:.0f} ms per frame, mood {result['naive_mood']})"
    )
    print(f"speed-up:           {result['speedup_vs_naive']:.1f}x the naive loop")
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
