"""Benchmark: photo analysis (cold start, warm latency, memory) vs DeepFace.analyze.

Run from the project root with the venv's Python:

    .venv/bin/python bench/analyze.py [--repeats 10] [--json]

Prints cold start (imports + model load), warm latency per photo for a
640x480 one-face photo (scikit-image's astronaut, padded) and for
../shared/data/photos/face.jpg (four faces), the emotion step per face, peak
memory, and in the same run DeepFace.analyze(detector_backend="mtcnn") on the
same 640x480 photo as the baseline, with the speed-up ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MOODPLAYER_HOME", tempfile.mkdtemp(prefix="moodplayer-bench-"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# The scene classifier: the development copy in ../shared (users' machines download it).
if (ROOT.parent / "shared/models/scene").is_dir():
    os.environ.setdefault("MOODPLAYER_SCENE_MODEL", str(ROOT.parent / "shared/models/scene"))


def peak_mib() -> float:
    text = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+)", text).group(1)) / 1024


def one_face_640x480():
    import cv2
    import numpy as np
    from skimage.data import astronaut

    img = cv2.resize(astronaut(), (480, 480), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(cv2.copyMakeBorder(img, 0, 0, 80, 80, cv2.BORDER_REFLECT))


def timed(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    t0 = time.perf_counter()
    from moodplayer.analysis import Analyzer

    analyzer = Analyzer()
    analyzer.load()
    cold_s = time.perf_counter() - t0

    img = one_face_640x480()
    analyzer.analyze_array(img)  # warm-up (graph tracing)
    one = timed(lambda: analyzer.analyze_array(img), args.repeats)
    faces = analyzer.detector.detect(img)
    emo = timed(lambda: analyzer.emotions.predict_faces(img, faces), args.repeats * 3)

    from moodplayer.paths import shared_data_dir

    shared = shared_data_dir()
    group = None
    if shared and (shared / "data/photos/face.jpg").is_file():
        path = shared / "data/photos/face.jpg"
        analyzer.analyze_path(path)
        group = timed(lambda: analyzer.analyze_path(path), args.repeats)

    from deepface import DeepFace

    bgr = img[:, :, ::-1].copy()

    def naive():
        DeepFace.analyze(bgr, actions=("emotion",), detector_backend="mtcnn",
                         enforce_detection=False, silent=True)

    naive()
    base = timed(naive, args.repeats)

    med = statistics.median
    result = {
        "cold_start_s": round(cold_s, 2),
        "one_face_640x480_ms": round(med(one), 1),
        "emotion_ms_per_face": round(med(emo) / max(1, len(faces)), 2),
        "face_jpg_4_faces_ms": round(med(group), 1) if group else None,
        "deepface_analyze_mtcnn_ms": round(med(base), 1),
        "speedup_vs_deepface": round(med(base) / med(one), 2),
        "peak_memory_mib": round(peak_mib()),
    }
    print(f"cold start (imports + models):     {result['cold_start_s']:.2f} s")
    print(f"640x480 one face, warm:            {result['one_face_640x480_ms']:.1f} ms (median)")
    print(f"emotion step:                      {result['emotion_ms_per_face']:.2f} ms per face")
    if group:
        print(f"face.jpg (4 faces), warm:          {result['face_jpg_4_faces_ms']:.1f} ms")
    print(f"DeepFace.analyze(mtcnn), same run: {result['deepface_analyze_mtcnn_ms']:.1f} ms")
    print(f"speed-up vs DeepFace.analyze:      {result['speedup_vs_deepface']:.2f}x")
    print(f"peak memory:                       {result['peak_memory_mib']} MiB")
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
