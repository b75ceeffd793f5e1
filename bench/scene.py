"""Benchmark: scene describer latency per image (target: colour + classifier <= 50 ms).

Run from the project root with the venv's Python:

    .venv/bin/python bench/scene.py [--repeats 20] [--threads N] [--json]

For every photo in ../shared/data/photos (decoded once, at the size the app
analyses), times in the same warm process:

* ``colour``: colour and light features + Valdez-Mehrabian VAD;
* ``classifier``: MobileNetV2 preprocessing + TFLite inference + top-5 labels;
* ``both``: :func:`describe_scene` with the classifier (what ``analyze`` runs),
  including the caption sentence.

Reports the median per image and the median/95th percentile over all runs, and
the one-off model load time.  The model is the shared copy in
../shared/models/scene (or ``$MOODPLAYER_SCENE_MODEL``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MOODPLAYER_HOME", tempfile.mkdtemp(prefix="moodplayer-bench-"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def timed(fn, repeats: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000.0)
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=None, help="TFLite threads (default: auto)")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    args = parser.parse_args()

    from moodplayer import paths
    from moodplayer.vision.classifier import MODEL_ENV, MODEL_FILENAME, SceneClassifier
    from moodplayer.vision.colour import colour_features, colour_vad
    from moodplayer.vision.images import load_image
    from moodplayer.vision.scene import describe_scene

    shared = paths.shared_data_dir()
    if shared is None:
        print("../shared is absent: nothing to measure", file=sys.stderr)
        return 2
    model = Path(os.environ.get(MODEL_ENV) or shared / "models" / "scene")
    if model.is_dir():
        model = model / MODEL_FILENAME
    photos = sorted(p for p in (shared / "data" / "photos").iterdir() if p.is_file())

    start = time.perf_counter()
    classifier = SceneClassifier(model, num_threads=args.threads)
    classifier.load()
    load_ms = (time.perf_counter() - start) * 1000.0

    per_image = {}
    all_runs: dict[str, list[float]] = {"colour": [], "classifier": [], "both": []}
    for path in photos:
        rgb = load_image(path).rgb
        runs = {
            "colour": timed(lambda rgb=rgb: colour_vad(colour_features(rgb)), args.repeats),
            "classifier": timed(lambda rgb=rgb: classifier.classify(rgb), args.repeats),
            "both": timed(lambda rgb=rgb: describe_scene(rgb, classifier).caption, args.repeats),
        }
        for key, values in runs.items():
            all_runs[key].extend(values)
        scene = describe_scene(rgb, classifier)
        per_image[path.name] = {
            "size": f"{rgb.shape[1]}x{rgb.shape[0]}",
            **{f"{k}_ms": round(statistics.median(v), 2) for k, v in runs.items()},
            "caption": scene.caption,
        }

    print(f"model load (once): {load_ms:.0f} ms   cpu cores: {os.cpu_count()}")
    print(f"{'photo':20s} {'size':>10s} {'colour':>8s} {'labels':>8s} {'both':>8s}  caption")
    for name, row in per_image.items():
        print(
            f"{name:20s} {row['size']:>10s} {row['colour_ms']:7.1f}  {row['classifier_ms']:7.1f} "
            f" {row['both_ms']:7.1f}   {row['caption']}"
        )
    summary = {
        key: {
            "median_ms": round(statistics.median(v), 2),
            "p95_ms": round(percentile(v, 0.95), 2),
        }
        for key, v in all_runs.items()
    }
    for key, row in summary.items():
        print(f"{key:12s} median {row['median_ms']:6.1f} ms   p95 {row['p95_ms']:6.1f} ms")
    target = 50.0
    ok = summary["both"]["median_ms"] <= target
    print(f"target colour + classifier <= {target:.0f} ms: {'met' if ok else 'NOT met'}")
    if args.json:
        print(
            json.dumps(
                {
                    "bench": "scene",
                    "repeats": args.repeats,
                    "model_load_ms": round(load_ms, 1),
                    "summary": summary,
                    "target_ms": target,
                    "target_met": ok,
                    "per_image": per_image,
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
