"""``moodplayer playlist export FILE.m3u|FILE.xspf``: recommendations as a playlist file."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from moodplayer.commands import show_help


def register(subparsers) -> None:
    from moodplayer.commands.recommend import add_mood_arguments

    p = subparsers.add_parser(
        "playlist",
        help="export recommendations as an M3U or XSPF playlist",
        description="Playlists of recommendations.",
    )
    sub = p.add_subparsers(dest="playlist_command", metavar="ACTION")
    exp = sub.add_parser(
        "export",
        help="write the queue for a mood to FILE.m3u or FILE.xspf",
        description="Write the songs recommended for a mood (a PHOTO, --emotion or --vad; "
        "neutral when none is given) to an M3U or XSPF playlist. M3U lists your playable "
        "files (catalog-only songs as comments with their links); XSPF lists every song.",
    )
    exp.add_argument("file", type=Path, metavar="FILE.m3u|FILE.xspf")
    add_mood_arguments(exp, required=False)
    exp.add_argument("--json", action="store_true", help="print a JSON summary")
    exp.set_defaults(func=run_export)
    p.set_defaults(func=show_help(p))


def run_export(args: argparse.Namespace) -> int:
    from moodplayer.catalog.playlist import export_playlist, format_for
    from moodplayer.commands.recommend import recommendations_for

    format_for(args.file)  # refuse an unknown suffix before any work
    if args.photo is None and args.emotion is None and args.vad is None:
        args.emotion = "neutral"
    mood, recs = recommendations_for(args)
    title = f"moodplayer: {mood.emotion} ({args.strategy})"
    path = export_playlist(recs, args.file, title=title)
    playable = sum(r.playable for r in recs)
    if args.json:
        print(json.dumps({"path": str(path), "songs": len(recs), "playable": playable,
                          "format": format_for(path)}))
    else:
        print(f"Wrote {len(recs)} songs ({playable} playable files) to {path}.")
    return 0
