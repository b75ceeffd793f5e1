"""Benchmark: recommendation latency on a 90,000-song catalog (target: <= 20 ms warm).

Run from the project root with the venv's Python:

    .venv/bin/python bench/recommend_speed.py [--home DIR] [--repeats 20] [--json]

Without ``--home`` it synthesises a 90,000-row MuSe file from the sample's
distribution (see ``bench/catalog_import.py``) and imports it into a temporary home;
``--home`` reuses a home made by ``bench/catalog_import.py --keep DIR`` (``DIR/home``).
Adds some feedback (likes, skips, a ban, 20 plays) so that path is exercised, then
times :func:`moodplayer.catalog.recommend.recommend` (top 20) for the seven emotions x
three strategies: the cold call (the first in the process: loads the catalog arrays)
and warm calls (median, 95th percentile, max over all).
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
sys.path.insert(0, str(Path(__file__).resolve().parent))


def build_home(rows: int) -> Path:
    from catalog_import import synthesise

    base = Path(tempfile.mkdtemp(prefix="moodplayer-bench-rec-"))
    csv_path = synthesise(base / "muse.csv", rows)
    home = base / "home"
    home.mkdir()
    os.environ["MOODPLAYER_HOME"] = str(home)
    from moodplayer.catalog import store
    from moodplayer.catalog.muse import import_muse

    conn = store.connect()
    import_muse(csv_path, conn)
    conn.close()
    return home


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", type=Path, default=None, help="a MOODPLAYER_HOME with a catalog")
    ap.add_argument("--rows", type=int, default=90_000)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--json", action="store_true", help="end with one JSON object")
    args = ap.parse_args(argv)

    home = args.home or build_home(args.rows)
    os.environ["MOODPLAYER_HOME"] = str(home)
    from moodplayer.catalog import feedback, store
    from moodplayer.catalog.recommend import STRATEGIES, clear_cache, recommend
    from moodplayer.mood.vad import EMOTION_VAD, EMOTIONS

    conn = store.connect()
    n_tracks = store.track_count(conn)
    if not n_tracks:
        raise SystemExit(f"No catalog in {home}.")
    conn.execute("DELETE FROM feedback")
    conn.commit()
    ids = [r[0] for r in conn.execute("SELECT id FROM tracks ORDER BY id LIMIT 60")]
    for i, tid in enumerate(ids):
        kind = ("like", "skip", "play")[i % 3]
        feedback.record(conn, f"muse:{tid}", kind)
    feedback.record(conn, f"muse:{ids[-1]}", "ban")

    clear_cache()
    started = time.perf_counter()
    first = recommend(EMOTION_VAD["sad"], top=args.top, conn=conn)
    cold_ms = (time.perf_counter() - started) * 1000
    assert len(first) == args.top, len(first)

    per: dict[str, list[float]] = {s: [] for s in STRATEGIES}
    for _ in range(args.repeats):
        for strategy in STRATEGIES:
            for emotion in EMOTIONS:
                t = time.perf_counter()
                recs = recommend(EMOTION_VAD[emotion], top=args.top, strategy=strategy, conn=conn)
                per[strategy].append((time.perf_counter() - t) * 1000)
                assert len(recs) == args.top
    conn.close()
    every = sorted(x for v in per.values() for x in v)

    def p95(values: list[float]) -> float:
        values = sorted(values)
        return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]

    result = {
        "tracks": n_tracks,
        "top": args.top,
        "cold_ms": round(cold_ms, 1),
        "warm_median_ms": round(statistics.median(every), 2),
        "warm_p95_ms": round(p95(every), 2),
        "warm_max_ms": round(every[-1], 2),
        "per_strategy_median_ms": {s: round(statistics.median(v), 2) for s, v in per.items()},
        "calls": len(every),
        "target_ms": 20.0,
        "within_target": statistics.median(every) <= 20.0,
        "loadavg": os.getloadavg()[0],
    }
    print(f"catalog: {n_tracks:,} songs; top {args.top}")
    print(f"cold (first call, loads the arrays): {cold_ms:.0f} ms")
    print(f"warm over {len(every)} calls: median {result['warm_median_ms']} ms, "
          f"p95 {result['warm_p95_ms']} ms, max {result['warm_max_ms']} ms")
    for s, v in result["per_strategy_median_ms"].items():
        print(f"  {s:>6}: median {v} ms")
    print(f"target 20 ms warm: {'met' if result['within_target'] else 'MISSED'} "
          f"(load average {result['loadavg']:.1f})")
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
