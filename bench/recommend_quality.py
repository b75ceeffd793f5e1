"""Benchmark: seed-tag fit@10 of the recommendations, per emotion.

Run from the project root with the venv's Python:

    .venv/bin/python bench/recommend_quality.py [--csv FILE] [--grid] [--json]

Imports the MuSe sample (``../shared/data/muse/muse_sample.csv``, or ``--csv``) into a
temporary home and, for each of the seven face emotions, measures the share of the
top 10 catalog songs (strategy ``match``) whose own seed tags fit the emotion (the
measure is defined in :mod:`moodplayer.catalog.quality`). Two tag->emotion relations:

* ``catalog``: tag VADs learnt from the catalog itself (what moodplayer knows after an
  import);
* ``lexicon``: the same plus the Warriner norms of the tag words, read in place from
  ``../shared/data/lexicons/Ratings_Warriner_et_al.csv`` when present (covers tags the
  catalog has no single-tag song for, e.g. "sad" in the sample; never shipped).

It compares the baseline ranking (closeness of the song's VAD and confidence only)
with the shipped ranking (plus the seed-VAD term), and ``--grid`` prints the weight
grid the default was chosen from. The same weights serve every emotion.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MOODPLAYER_HOME", tempfile.mkdtemp(prefix="moodplayer-bench-quality-"))


def shared_file(*parts: str) -> Path | None:
    from moodplayer import paths

    shared = paths.shared_data_dir()
    path = shared.joinpath(*parts) if shared else None
    return path if path and path.is_file() else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--csv", type=Path, default=None, help="a MuSe CSV (default: the sample)")
    ap.add_argument("--grid", action="store_true", help="also print the weight grid")
    ap.add_argument("--json", action="store_true", help="end with one JSON object")
    args = ap.parse_args(argv)

    from moodplayer.catalog import quality, store
    from moodplayer.catalog.muse import import_muse
    from moodplayer.catalog.recommend import BASELINE_WEIGHTS, DEFAULT_WEIGHTS, RankingWeights
    from moodplayer.mood.vad import EMOTIONS

    src = args.csv or shared_file("data", "muse", "muse_sample.csv")
    if src is None:
        print("The MuSe sample is absent (../shared/data/muse/muse_sample.csv); "
              "pass --csv FILE.", file=sys.stderr)
        return 1
    conn = store.connect()
    import_muse(src, conn)
    tags = [t for (t,) in conn.execute("SELECT tag FROM seed_tags")]
    cat_vads = quality.catalog_tag_vads(conn)
    relations = {"catalog": quality.tag_relation(cat_vads)}
    lexicon = shared_file("data", "lexicons", "Ratings_Warriner_et_al.csv")
    if lexicon is not None:
        lex_vads = quality.lexicon_tag_vads(lexicon, tags)
        relations["lexicon"] = quality.tag_relation({**lex_vads, **cat_vads})
        coverage = len(set(lex_vads) | set(cat_vads))
    else:
        coverage = len(cat_vads)

    print(f"catalog: {store.track_count(conn):,} songs from {src.name}; {len(tags)} seed tags, "
          f"{len(cat_vads)} with a VAD learnt from the catalog"
          + (f", {coverage} with the lexicon" if lexicon else " (lexicon absent)"))
    result: dict = {"songs": store.track_count(conn), "seed_tags": len(tags),
                    "tags_with_vad": {"catalog": len(cat_vads), "lexicon": coverage},
                    "weights": {"baseline": vars(BASELINE_WEIGHTS),
                                "default": vars(DEFAULT_WEIGHTS)}}
    for name, rel in relations.items():
        base = quality.seed_tag_fit(conn, rel, weights=BASELINE_WEIGHTS)
        ours = quality.seed_tag_fit(conn, rel, weights=DEFAULT_WEIGHTS)
        ceil = quality.ceiling(conn, rel)
        print(f"\nseed-tag fit@10, {name} relation (tag fits emotion within "
              f"{quality.FIT_RADIUS} VAD units):")
        print(f"  {'emotion':<9} {'baseline':>8} {'ranking':>8} {'ceiling':>8}  fitting tags")
        for e in EMOTIONS:
            fitting = ", ".join(sorted(rel[e])[:6]) + (" ..." if len(rel[e]) > 6 else "")
            print(f"  {e:<9} {base.per_emotion[e].share:>8.1f} {ours.per_emotion[e].share:>8.1f}"
                  f" {ceil[e]:>8.1f}  {fitting or '-'}")
        mean_ceil = sum(ceil.values()) / len(ceil)
        print(f"  {'mean':<9} {base.mean:>8.3f} {ours.mean:>8.3f} {mean_ceil:>8.3f}")
        result[name] = {"baseline": base.to_json(), "ranking": ours.to_json(),
                        "ceiling": {**{e: round(v, 3) for e, v in ceil.items()},
                                    "mean": round(mean_ceil, 3)}}
        if args.grid:
            print("  grid (seed weight x confidence weight -> mean fit@10):")
            grid = {}
            for sw in (0.0, 0.25, 0.5, 0.6, 0.75, 0.9, 1.0):
                row = []
                for cw in (0.0, 0.1, 0.2, 0.3):
                    m = quality.seed_tag_fit(
                        conn, rel, weights=RankingWeights(seed=sw, confidence=cw)
                    ).mean
                    grid[f"{sw}/{cw}"] = round(m, 3)
                    row.append(f"{m:.3f}")
                print(f"    seed {sw:<4}: " + "  ".join(
                    f"conf {cw}: {v}" for cw, v in zip((0.0, 0.1, 0.2, 0.3), row)))
            result[name]["grid"] = grid
    conn.close()
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
