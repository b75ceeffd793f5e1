"""``moodplayer catalog import|info|clusters``: the MuSe song catalog."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from moodplayer.commands import show_help


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "catalog",
        help="import the MuSe song catalog and show what is in it",
        description="The MuSe song catalog: import the file you downloaded (muse_v3.csv), "
        "see where it came from and how many songs it holds, and its mood clusters.",
    )
    sub = p.add_subparsers(dest="catalog_command", metavar="ACTION")

    imp = sub.add_parser(
        "import",
        help="import a MuSe CSV file (replaces the catalog; run again any time)",
        description="Import a MuSe CSV file (muse_v3.csv as downloaded, with or without "
        "lastfm_url). Malformed rows are skipped and reported with their line numbers; "
        "a failed import changes nothing.",
    )
    imp.add_argument("file", type=Path, metavar="FILE.csv")
    imp.add_argument("--json", action="store_true", help="print the import report as JSON")
    imp.add_argument(
        "--show", type=int, default=20, metavar="N",
        help="list at most N skipped rows (default 20)",
    )
    imp.set_defaults(func=run_import)

    info = sub.add_parser("info", help="where the catalog came from, size, cluster model")
    info.add_argument("--json", action="store_true", help="print one JSON object")
    info.set_defaults(func=run_info)

    clu = sub.add_parser(
        "clusters", help="the mood clusters: size, centroid, name, top tags, emotions"
    )
    clu.add_argument("--json", action="store_true", help="print one JSON object")
    clu.set_defaults(func=run_clusters)

    p.set_defaults(func=show_help(p))


def run_import(args: argparse.Namespace) -> int:
    from moodplayer.catalog import store
    from moodplayer.catalog.muse import import_muse

    def progress(stage: str, fraction: float) -> None:
        if not args.json and sys.stderr.isatty():
            print(f"\r{stage} {fraction:4.0%}", end="", file=sys.stderr, flush=True)

    conn = store.connect()
    try:
        report = import_muse(args.file, conn, progress=progress)
        # The user's files were matched against the old catalog: match them again now.
        from moodplayer.catalog.library import rematch_if_stale

        rematch_if_stale(conn)
    finally:
        conn.close()
        if not args.json and sys.stderr.isatty():
            print("\r" + " " * 20 + "\r", end="", file=sys.stderr)
    if args.json:
        print(json.dumps(report.to_json()))
        return 0
    print(report.summary())
    for problem in report.problems[: max(0, args.show)]:
        print(f"  skipped {problem}")
    if report.skipped > max(0, args.show):
        print(f"  ... and {report.skipped - max(0, args.show)} more (see --json)")
    return 0


def catalog_info() -> dict:
    """What ``catalog info --json`` prints."""
    from moodplayer.catalog import clusters, store

    conn = store.connect()
    try:
        model = clusters.load_cluster_model(conn)
        report_text = store.get_meta(conn, "catalog_report")
        info = {
            "database": store.database_file(conn),
            "tracks": store.track_count(conn),
            "source": store.get_meta(conn, "catalog_source"),
            "imported_at": store.get_meta(conn, "catalog_imported_at"),
            "seed_tags": int(conn.execute("SELECT count(*) FROM seed_tags").fetchone()[0]),
            "import": json.loads(report_text) if report_text else None,
            "cluster_model": {
                "source": model.source,
                "k": model.k,
                "fitted_on_tracks": model.n_tracks,
                "fitted_at": model.fitted_at or None,
                "silhouette": model.silhouette.get(model.k),
                "names": model.names,
            },
            "recovered_from": store.get_meta(conn, "recovered_from"),
        }
    finally:
        conn.close()
    return info


def run_info(args: argparse.Namespace) -> int:
    info = catalog_info()
    if args.json:
        print(json.dumps(info))
        return 0
    print(f"database:   {info['database']}")
    if info["tracks"]:
        print(f"catalog:    {info['tracks']:,} songs from {info['source']}")
        print(f"imported:   {info['imported_at']}")
        rep = info["import"] or {}
        if rep.get("skipped"):
            print(f"            {rep['skipped']:,} malformed rows were skipped")
    else:
        print("catalog:    empty (import MuSe with: moodplayer catalog import muse_v3.csv)")
    cm = info["cluster_model"]
    sil = f", silhouette {cm['silhouette']:.3f}" if cm["silhouette"] is not None else ""
    print(
        f"clusters:   {cm['k']} ({cm['source']}, "
        f"fitted on {cm['fitted_on_tracks']:,} songs{sil})"
    )
    if info["recovered_from"]:
        print(f"note:       rebuilt after damage; old file kept at {info['recovered_from']}")
    return 0


def clusters_info() -> dict:
    from moodplayer.catalog import clusters, store

    conn = store.connect()
    try:
        model = clusters.load_cluster_model(conn)
        counts = dict(conn.execute("SELECT cluster, count(*) FROM tracks GROUP BY cluster"))
    finally:
        conn.close()
    fitted_here = bool(counts)
    out = []
    for i in range(model.k):
        c = model.centroids[i]
        out.append(
            {
                "cluster": i,
                "name": model.names[i],
                "size": int(counts.get(i, 0)) if fitted_here else model.sizes[i],
                "centroid": {
                    "valence": round(c.valence, 3),
                    "arousal": round(c.arousal, 3),
                    "dominance": round(c.dominance, 3),
                },
                "top_tags": model.top_tags[i] if i < len(model.top_tags) else [],
                "emotions": model.emotions_of(i),
            }
        )
    return {
        "source": model.source,
        "k": model.k,
        "silhouette": {str(k): round(v, 4) for k, v in model.silhouette.items()},
        "sizes_from": "catalog" if fitted_here else "the sample the default model was fitted on",
        "clusters": out,
    }


def run_clusters(args: argparse.Namespace) -> int:
    data = clusters_info()
    if args.json:
        print(json.dumps(data))
        return 0
    sil = data["silhouette"].get(str(data["k"]))
    print(f"{data['k']} mood clusters ({data['source']}"
          + (f", silhouette {sil:.3f}" if sil is not None else "") + ")")
    for c in data["clusters"]:
        cen = c["centroid"]
        emotions = ", ".join(c["emotions"]) or "-"
        print(
            f"{c['cluster']:>2}  {c['name']}\n"
            f"    size {c['size']:,}  centroid V {cen['valence']:.2f} A {cen['arousal']:.2f} "
            f"D {cen['dominance']:.2f}\n"
            f"    top tags: {', '.join(c['top_tags']) or '-'}\n"
            f"    emotions: {emotions}"
        )
    return 0
