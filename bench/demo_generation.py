"""How long moodplayer takes to make its demo library, and how big it is.

Makes the demo library into a fresh temporary MOODPLAYER_HOME (first run),
then calls ``ensure_demo_library`` again (the check done on every start), and
prints wall-clock and CPU seconds, per item and in total, with the file sizes.
Run: ``.venv/bin/python bench/demo_generation.py [--workers N] [--json]``.
Wall time depends on what else runs on the machine; CPU time much less so.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=None, help="items made at once")
    parser.add_argument("--json", action="store_true", help="one JSON object on the last line")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="moodplayer-demo-bench-") as home:
        os.environ["MOODPLAYER_HOME"] = home
        from moodplayer.catalog import demo

        load_before = os.getloadavg()[0]
        wall0, cpu0 = time.perf_counter(), time.process_time()
        items = demo.ensure_demo_library(workers=args.workers)
        first_wall = time.perf_counter() - wall0
        first_cpu = time.process_time() - cpu0

        wall0 = time.perf_counter()
        demo.ensure_demo_library()
        again_wall = time.perf_counter() - wall0

        manifest = json.loads((demo.demo_dir() / demo.MANIFEST).read_text())["items"]
        rows = []
        for item in items:
            entry = manifest[item.key.split(":", 1)[1]]
            rows.append(
                {
                    "name": item.key,
                    "video": item.is_video,
                    "duration_s": entry["duration_s"],
                    "bytes": entry["size"],
                    "seconds_to_make": entry["seconds_to_make"],
                    "cpu_seconds": entry["cpu_seconds_to_make"],
                    "bpm": entry["music"]["bpm"],
                    "mode": entry["music"]["mode"],
                }
            )
    total_bytes = sum(r["bytes"] for r in rows)
    audio_seconds = sum(r["duration_s"] for r in rows)
    for r in rows:
        kind = "video" if r["video"] else "audio"
        print(
            f"{r['name']:30s} {kind:5s} {r['duration_s']:5.1f} s  {r['bytes'] / 1024:6.0f} KiB  "
            f"{r['bpm']:5.1f} bpm {r['mode']:15s} made in {r['seconds_to_make']:.2f} s "
            f"({r['cpu_seconds']:.2f} s CPU)"
        )
    print(
        f"first run: {first_wall:.2f} s wall, {first_cpu:.2f} s CPU, for {len(rows)} items "
        f"({sum(r['video'] for r in rows)} videos), {audio_seconds:.0f} s of media, "
        f"{total_bytes / 1e6:.1f} MB (load average before: {load_before:.1f}, "
        f"{os.cpu_count()} CPUs)"
    )
    audio_cpu = sum(r["cpu_seconds"] for r in rows if not r["video"])
    video_cpu = sum(r["cpu_seconds"] for r in rows if r["video"])
    print(f"CPU per item: audio {audio_cpu:.2f} s in all, videos {video_cpu:.2f} s in all")
    print(f"second run (already present): {again_wall * 1000:.1f} ms")
    if args.json:
        print(
            json.dumps(
                {
                    "first_run_wall_s": round(first_wall, 3),
                    "first_run_cpu_s": round(first_cpu, 3),
                    "present_check_ms": round(again_wall * 1000, 2),
                    "audio_cpu_s": round(audio_cpu, 3),
                    "video_cpu_s": round(video_cpu, 3),
                    "items": len(rows),
                    "videos": sum(r["video"] for r in rows),
                    "media_seconds": round(audio_seconds, 1),
                    "total_bytes": total_bytes,
                    "load_average_before": round(load_before, 2),
                    "cpus": os.cpu_count(),
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
