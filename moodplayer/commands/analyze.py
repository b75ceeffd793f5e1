"""``moodplayer analyze PATH...``: faces, emotions and mood of photos."""

from __future__ import annotations

import argparse
import json
import sys

from moodplayer.errors import MoodplayerError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "analyze",
        help="find the faces in photos, what each one feels, and the photo's mood",
        description="Find the faces in each photo, the emotion of each face, a caption, "
        "and the photo's mood as valence/arousal/dominance (1-9 scale).",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="photo files (JPEG, PNG, BMP, ...)")
    p.add_argument("--json", action="store_true", help="print one JSON list, an object per path")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from moodplayer.analysis import Analyzer

    analyzer = Analyzer()
    status = 0
    results = []
    for path in args.paths:
        try:
            analysis = analyzer.analyze_path(path)
        except MoodplayerError as err:
            status = 1
            results.append({"path": path, "error": str(err)})
            if not args.json:
                print(f"{path}: error: {err}", file=sys.stderr)
            continue
        results.append(analysis.to_json())
        if not args.json:
            print(format_text(analysis))
    if args.json:
        print(json.dumps(results, indent=2))
    return status


def format_text(analysis) -> str:
    m = analysis.mood
    lines = [f"{analysis.path}  ({analysis.width}x{analysis.height})"]
    if analysis.caption:
        lines.append(f"  {analysis.caption}")
    if not analysis.faces:
        lines.append("  no faces found")
    for i, f in enumerate(analysis.faces, 1):
        x, y, w, h = f.box
        top = sorted(f.probabilities.items(), key=lambda kv: -kv[1])[:3]
        probs = ", ".join(f"{e} {p:.0%}" for e, p in top)
        lines.append(
            f"  face {i}: at x={x} y={y} {w}x{h} (detector {f.confidence:.0%}): "
            f"{f.emotion} ({probs})"
        )
    src = ""
    if m.sources:
        src = "  [" + ", ".join(f"{k} {v:.0%}" for k, v in m.sources.items()) + "]"
    lines.append(
        f"  mood: {m.emotion}  valence {m.vad.valence:.2f}  arousal {m.vad.arousal:.2f}  "
        f"dominance {m.vad.dominance:.2f}{src}"
    )
    return "\n".join(lines)
