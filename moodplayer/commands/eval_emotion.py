"""``moodplayer eval-emotion --data FILE.npz``: accuracy of the shipped emotion model."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from moodplayer.mood.vad import EMOTIONS


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "eval-emotion",
        help="measure the emotion model on a labelled face set (FER2013 format)",
        description="Evaluate the emotion model through the same path photos take, on an NPZ "
        "with 'images' (N x 48 x 48 uint8), 'labels' and 'classes'.",
    )
    p.add_argument("--data", required=True, type=Path, metavar="FILE.npz")
    p.add_argument("--limit", type=int, default=None, help="evaluate only the first N faces")
    p.add_argument("--weights", choices=("moodplayer", "deepface"), default="moodplayer",
                   help="our trained weights (default) or DeepFace's official ones")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from moodplayer.emotion_eval import evaluate
    from moodplayer.vision.emotion import EmotionModel

    report = evaluate(args.data, limit=args.limit, model=EmotionModel(args.weights))
    if args.json:
        print(json.dumps(report.to_json()))
        return 0
    print(f"{args.data}: {report.n} faces, weights: {report.weights}")
    print(f"accuracy: {report.accuracy:.2%}   ({report.ms_per_face:.2f} ms per face)")
    print("recall per class:")
    for e in EMOTIONS:
        print(f"  {e:9s} {report.per_class[e]:.2%}")
    print("confusion matrix (rows: true, columns: predicted):")
    print("           " + " ".join(f"{e[:7]:>7s}" for e in EMOTIONS))
    for e, row in zip(EMOTIONS, report.confusion):
        print(f"  {e:9s}" + " ".join(f"{v:7d}" for v in row))
    return 0
