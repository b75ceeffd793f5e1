"""Fit the default mood clusters shipped in ``data/default_clusters.json``.

    python -m moodplayer.training.default_clusters [--sample PATH] [--out PATH]

Reads the MuSe sample (``../shared/data/muse/muse_sample.csv`` by default) with
the same reader as ``moodplayer catalog import`` and fits the clusters exactly as an
import does (:func:`moodplayer.catalog.clusters.fit_clusters`, fixed random state),
so running it again gives the same file. The output holds derived figures only
(scaler, centroids, names, sizes, top seed tags, silhouette per k, the emotion
mapping), never rows of the CSV.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from moodplayer import paths


def default_sample() -> Path | None:
    shared = paths.shared_data_dir()
    if shared is None:
        return None
    path = shared / "data" / "muse" / "muse_sample.csv"
    return path if path.is_file() else None


def build(sample: Path) -> dict:
    import numpy as np

    from moodplayer.catalog import clusters, muse

    parsed = muse.read_muse_csv(sample)
    points = np.array([(r.valence, r.arousal, r.dominance) for r in parsed.rows])
    model = clusters.fit_clusters(
        points,
        [r.seeds for r in parsed.rows],
        source=f"default: MuSe sample ({len(parsed.rows):,} songs)",
    )
    model.fitted_at = ""  # keep the file byte-identical across runs
    return model.to_json()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=Path, default=None, help="a MuSe CSV file")
    parser.add_argument(
        "--out", type=Path, default=paths.resource(*_out_parts()), help="where to write"
    )
    args = parser.parse_args(argv)
    sample = args.sample or default_sample()
    if sample is None:
        print("The MuSe sample is absent (../shared/data/muse/muse_sample.csv).", file=sys.stderr)
        return 1
    data = build(sample)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    lines = [f" {json.dumps(key)}: {json.dumps(value)}" for key, value in data.items()]
    args.out.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    sil = ", ".join(f"k={k}: {v:.3f}" for k, v in data["silhouette"].items())
    print(f"k={data['k']} ({sil})")
    for i, name in enumerate(data["names"]):
        emotions = [e for e, c in data["emotion_map"].items() if c == i]
        print(f"  {i}: {name}  size={data['sizes'][i]}  emotions={emotions}")
    print(f"wrote {args.out}")
    return 0


def _out_parts() -> tuple[str, ...]:
    from moodplayer.catalog.clusters import DEFAULT_MODEL_FILE

    return DEFAULT_MODEL_FILE


if __name__ == "__main__":
    sys.exit(main())
