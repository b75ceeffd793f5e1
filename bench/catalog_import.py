"""Benchmark: importing a 90,000-row MuSe file (target: <= 10 s).

Run from the project root with the venv's Python:

    .venv/bin/python bench/catalog_import.py [--rows 90000] [--keep DIR] [--json]

Synthesises a MuSe-shaped CSV (with ``lastfm_url``, like the Kaggle file) by drawing
rows from ``../shared/data/muse/muse_sample.csv``: each synthetic row copies a random
sample row's seeds, tag count, genre and id presence, gets a unique artist/title, and
its VAD jittered by N(0, 0.08) inside the row's range, so the VAD and tag
distributions are the sample's. The file is written to a temporary folder (never
into the project). Then it times, each in a fresh process as a user runs it,
``moodplayer catalog import FILE`` into an empty home and the same import again
(idempotent re-import), and reports the import's own parse / cluster / write split.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADER = [
    "lastfm_url", "track", "artist", "seeds", "number_of_emotion_tags", "valence_tags",
    "arousal_tags", "dominance_tags", "mbid", "spotify_id", "genre",
]


def sample_path() -> Path | None:
    from moodplayer import paths

    shared = paths.shared_data_dir()
    path = shared / "data" / "muse" / "muse_sample.csv" if shared else None
    return path if path and path.is_file() else None


def synthesise(out: Path, rows: int = 90_000, seed: int = 0) -> Path:
    """Write a MuSe-shaped CSV of ``rows`` rows drawn from the sample's distribution."""
    src = sample_path()
    if src is None:
        raise SystemExit("The MuSe sample (../shared/data/muse/muse_sample.csv) is absent.")
    with open(src, encoding="utf-8-sig", newline="") as f:
        sample = list(csv.DictReader(f))
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for i in range(rows):
            r = rng.choice(sample)
            artist = f"{r['artist']} {i // 7}"
            track = f"{r['track']} ({i})"
            vad = []
            for col in ("valence_tags", "arousal_tags", "dominance_tags"):
                x = float(r[col]) + rng.gauss(0.0, 0.08)
                vad.append(f"{min(9.0, max(0.3, x)):.6f}")
            w.writerow([
                f"https://www.last.fm/music/{artist.replace(' ', '+')}/_/"
                f"{track.replace(' ', '+')}",
                track, artist, r["seeds"], r["number_of_emotion_tags"], *vad,
                f"{rng.getrandbits(128):032x}" if r["mbid"] else "",
                "".join(rng.choice(alphabet) for _ in range(22)) if r["spotify_id"] else "",
                r["genre"],
            ])
    return out


def run_import(home: Path, csv_path: Path) -> tuple[float, dict]:
    env = dict(os.environ, MOODPLAYER_HOME=str(home))
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "moodplayer", "catalog", "import", str(csv_path), "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"import failed: {proc.stderr.strip()}")
    return wall, json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=90_000)
    ap.add_argument("--keep", type=Path, default=None,
                    help="write the CSV and the database home under DIR and keep them")
    ap.add_argument("--json", action="store_true", help="end with one JSON object")
    args = ap.parse_args(argv)

    base = args.keep or Path(tempfile.mkdtemp(prefix="moodplayer-bench-import-"))
    base.mkdir(parents=True, exist_ok=True)
    csv_path = base / f"muse_synthetic_{args.rows}.csv"
    t0 = time.perf_counter()
    synthesise(csv_path, args.rows)
    synth_s = time.perf_counter() - t0
    size_mb = csv_path.stat().st_size / 1e6
    home = base / "home"
    first_wall, first = run_import(home, csv_path)
    again_wall, again = run_import(home, csv_path)
    db = home / "moodplayer.sqlite3"

    result = {
        "rows": args.rows,
        "csv_mb": round(size_mb, 1),
        "synthesise_s": round(synth_s, 2),
        "import_wall_s": round(first_wall, 2),
        "import_in_process_s": first["seconds"],
        "import_timings": first["timings"],
        "reimport_wall_s": round(again_wall, 2),
        "reimport_added": again["added"],
        "reimport_updated": again["updated"],
        "reimport_removed": again["removed"],
        "imported": first["imported"],
        "skipped": first["skipped"],
        "clusters": first["clusters"],
        "db_mb": round(db.stat().st_size / 1e6, 1),
        "target_s": 10.0,
        "within_target": first_wall <= 10.0 and again_wall <= 10.0,
        "cpus": os.cpu_count(),
        "loadavg": os.getloadavg()[0],
    }
    print(f"synthetic MuSe file: {args.rows:,} rows, {size_mb:.1f} MB ({synth_s:.1f} s to write)")
    print(f"import (fresh process, empty home): {first_wall:.2f} s wall "
          f"(in-process {first['seconds']:.2f} s: parse {first['timings']['parse_s']:.2f}, "
          f"clusters {first['timings']['cluster_s']:.2f}, write {first['timings']['write_s']:.2f})")
    print(f"re-import (idempotent): {again_wall:.2f} s wall; {again['added']} added, "
          f"{again['updated']:,} kept, {again['removed']} removed")
    print(f"{first['imported']:,} songs, {first['clusters']} clusters, database "
          f"{result['db_mb']} MB; target 10 s: {'met' if result['within_target'] else 'MISSED'}")
    if args.keep:
        print(f"kept: {csv_path} and {home}")
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
