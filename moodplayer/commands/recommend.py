"""``moodplayer recommend (PHOTO | --emotion NAME | --vad V A D)``: a queue of songs for a mood."""

from __future__ import annotations

import argparse
import json
import logging
import sqlite3
from pathlib import Path

from moodplayer.errors import MoodplayerError
from moodplayer.mood.vad import EMOTIONS, VAD, Mood

log = logging.getLogger(__name__)


def add_mood_arguments(p: argparse.ArgumentParser, *, required: bool = True) -> None:
    """PHOTO | --emotion | --vad, plus --top and --strategy (shared with ``playlist export``)."""
    from moodplayer.catalog.recommend import STRATEGIES

    p.add_argument("photo", nargs="?", type=Path, metavar="PHOTO",
                   help="a photo: the mood of its faces and scene")
    p.add_argument("--emotion", choices=EMOTIONS, help="a face emotion instead of a photo")
    p.add_argument("--vad", nargs=3, type=float, metavar=("V", "A", "D"),
                   help="a valence-arousal-dominance point (1-9 scale) instead of a photo")
    p.add_argument("--top", type=int, default=20, metavar="N", help="how many songs (default 20)")
    p.add_argument("--strategy", choices=STRATEGIES, default="match",
                   help="match the mood (default), uplift it towards brighter songs "
                   "(iso principle), or calm it towards low arousal")
    p.set_defaults(_mood_required=required)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "recommend",
        help="a queue of songs for the mood of a photo, an emotion or a VAD point",
        description="Rank songs for a mood: your own files first (library, or the built-in "
        "demo library), then MuSe catalog songs with links to listen elsewhere.",
    )
    add_mood_arguments(p)
    p.add_argument("--json", action="store_true", help="print a JSON list, one object per song")
    p.set_defaults(func=run)


def mood_from_args(args: argparse.Namespace) -> Mood:
    given = sum(x is not None for x in (args.photo, args.emotion, args.vad))
    if given != 1:
        raise MoodplayerError("Give exactly one of a PHOTO, --emotion NAME or --vad V A D.")
    if args.emotion:
        return Mood.from_emotion(args.emotion)
    if args.vad:
        v, a, d = args.vad
        if not all(0.0 <= x <= 10.0 for x in (v, a, d)):
            raise MoodplayerError("--vad values lie on the 1-9 scale (valence arousal dominance).")
        return Mood.from_vad(VAD(v, a, d))
    try:
        from moodplayer.analysis import Analyzer
    except ImportError as err:
        raise MoodplayerError(
            "Photo analysis is not available in this installation; use --emotion or --vad."
        ) from err
    return Analyzer().analyze_path(args.photo).mood


def ensure_playable(conn: sqlite3.Connection) -> None:
    """On a home without the user's own music, make sure the demo library is there."""
    try:
        from moodplayer.catalog import demo, library
    except ImportError:
        return
    try:
        if not library.list_items(conn, source="library"):
            demo.ensure_demo_library(conn)
    except (MoodplayerError, OSError, sqlite3.Error) as err:
        log.warning("The demo library is not available: %s", err)


def recommendations_for(args: argparse.Namespace):
    """(mood, recommendations) for parsed mood arguments."""
    from moodplayer.catalog import store
    from moodplayer.catalog.recommend import recommend

    if args.top < 1:
        raise MoodplayerError("--top must be at least 1.")
    mood = mood_from_args(args)
    conn = store.connect()
    try:
        ensure_playable(conn)
        recs = recommend(mood.vad, top=args.top, strategy=args.strategy, conn=conn)
    finally:
        conn.close()
    return mood, recs


def run(args: argparse.Namespace) -> int:
    mood, recs = recommendations_for(args)
    if args.json:
        print(json.dumps([r.to_json() for r in recs]))
        return 0
    v, a, d = mood.vad.as_tuple()
    print(f"mood: {mood.emotion} (V {v:.2f} A {a:.2f} D {d:.2f}), strategy {args.strategy}")
    if not recs:
        print("No songs yet: import MuSe (moodplayer catalog import muse_v3.csv) "
              "or add your music (moodplayer library add FOLDER).")
        return 0
    for i, r in enumerate(recs, 1):
        where = r.path if r.playable else (r.spotify_url or r.video_search_url)
        kind = "video" if r.is_video else r.source
        print(f"{i:>3}. {r.artist} - {r.track}  [{kind}, {r.cluster_name}]  score {r.score:.3f}")
        print(f"     {r.reason}")
        if where:
            print(f"     {where}")
    return 0
