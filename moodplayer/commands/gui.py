"""``moodplayer gui [PHOTO | FOLDER]``: the window (also what ``moodplayer`` alone opens)."""

from __future__ import annotations

import argparse

from moodplayer.errors import MoodplayerError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "gui",
        help="open the window (the default when no command is given)",
        description="Open the moodplayer window: a photo, a folder of photos as an album "
        "soundtrack, or the live camera. With nothing given it opens on the camera-free "
        "view, where you can pick a mood by hand; the demo music is made on first start.",
    )
    p.add_argument(
        "paths",
        nargs="*",
        metavar="PHOTO|FOLDER",
        help="a photo, several photos, or a folder of photos (album mode)",
    )
    p.add_argument(
        "--camera",
        metavar="INDEX|VIDEO",
        help="start in live mode on this camera number or video file",
    )
    p.add_argument("--theme", choices=("system", "light", "dark"), help="colour theme")
    p.add_argument(
        "--audio-output",
        metavar="NAME",
        help="libvlc audio output module (for example 'dummy' for silence)",
    )
    p.add_argument("--video-output", metavar="NAME", help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        from moodplayer.ui import app
    except ImportError as err:
        raise MoodplayerError(
            f"The window needs PySide6, which could not be loaded ({err}). "
            "Reinstall moodplayer's Python packages."
        ) from err
    return app.run(
        args.paths,
        camera=args.camera,
        theme=args.theme,
        audio_output=args.audio_output,
        video_output=args.video_output,
    )
