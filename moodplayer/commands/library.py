"""``moodplayer library``: the user's own music folders, and the demo library."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
import time
from collections.abc import Iterator

HELP = "your own music: add folders, scan them, list what moodplayer found"

DESCRIPTION = """\
Tell moodplayer where your music is. It reads the tags of the audio (mp3, flac,
ogg, opus, m4a, wav) and video (mp4, mkv, webm) files in those folders, matches
them to songs of the MuSe catalog by artist and title to learn their mood, and
estimates the mood of the others from their genre. moodplayer only reads your
folders; it never writes into them.
"""

EPILOG = """\
examples:
  moodplayer library add ~/Music      add a folder and scan it
  moodplayer library scan             pick up new, changed and deleted files
  moodplayer library list --json      everything moodplayer can play, as JSON
  moodplayer library remove ~/Music   forget a folder (the files stay)
  moodplayer library demo             make (or check) the built-in demo music
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "library",
        help=HELP,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="library_command", metavar="ACTION")

    add = sub.add_parser("add", help="add a music folder and scan it")
    add.add_argument("folder", help="a folder with music or music videos")
    add.add_argument("--no-scan", action="store_true", help="add the folder without scanning")
    add.add_argument("--json", action="store_true", help="print the scan report as JSON")
    add.set_defaults(func=run_add)

    scan = sub.add_parser("scan", help="scan the library folders again (Ctrl-C stops)")
    scan.add_argument("--json", action="store_true", help="print the scan report as JSON")
    scan.set_defaults(func=run_scan)

    lst = sub.add_parser("list", help="list the folders and the files found in them")
    lst.add_argument("--json", action="store_true", help="print the items as a JSON list")
    lst.add_argument(
        "--source", choices=("all", "library", "demo"), default="all",
        help="which items: your files, the demo library, or both (default)",
    )
    lst.add_argument("--all", action="store_true", help="include files that are missing now")
    lst.set_defaults(func=run_list)

    remove = sub.add_parser("remove", help="forget a folder and its files (files stay on disk)")
    remove.add_argument("folder")
    remove.set_defaults(func=run_remove)

    demo = sub.add_parser("demo", help="make or check the built-in demo music")
    demo.add_argument("--json", action="store_true", help="print the demo items as JSON")
    demo.set_defaults(func=run_demo)

    parser.set_defaults(func=lambda args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


# --------------------------------------------------------------------------- progress


class _Progress:
    """Prints scan progress to stderr: one updating line on a terminal, else a line a second."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last = 0.0
        self.shown = False

    def __call__(self, done: int, total: int, path: str) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if done < total and now - self.last < (0.1 if self.tty else 1.0):
            return
        self.last = now
        name = path if len(path) <= 60 else "..." + path[-57:]
        line = f"[{done}/{total}] {name}"
        if self.tty:
            sys.stderr.write("\r\033[K" + line)
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()
        self.shown = True

    def end(self) -> None:
        if self.shown and self.tty and not self.quiet:
            sys.stderr.write("\n")
            sys.stderr.flush()


@contextlib.contextmanager
def _ctrl_c_cancels() -> Iterator[threading.Event]:
    """The first Ctrl-C asks the scan to stop after the current file; a second one aborts."""
    cancel = threading.Event()

    def handler(signum, frame):  # noqa: ARG001 - signal handler signature
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()
        sys.stderr.write("\nStopping after this file (Ctrl-C again to abort)...\n")

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread: no signal handling, still cancellable
        yield cancel
        return
    try:
        yield cancel
    finally:
        signal.signal(signal.SIGINT, previous)


def _scan(conn, args: argparse.Namespace, folders=None) -> int:
    from moodplayer.catalog import library

    progress = _Progress(quiet=False)
    with _ctrl_c_cancels() as cancel:
        report = library.scan(conn, progress=progress, cancel=cancel, folders=folders)
    progress.end()
    if getattr(args, "json", False):
        print(json.dumps(report.to_json()))
    else:
        print(report.summary())
        for _path, message in report.errors[:20]:
            print(f"  could not read: {message}")
        if len(report.errors) > 20:
            print(f"  ... and {len(report.errors) - 20} more")
        for folder in report.missing_folders:
            print(f"  folder missing (drive unplugged?): {folder}")
        if report.cancelled:
            print("Run 'moodplayer library scan' to finish; what was found so far is kept.")
    return 130 if report.cancelled else 0


# --------------------------------------------------------------------------- actions


def run_add(args: argparse.Namespace) -> int:
    from moodplayer.catalog import library

    conn = library.connect()
    try:
        folder = library.add_folder(conn, args.folder)
        if not args.json:
            print(f"Added {folder}.")
        if args.no_scan:
            return 0
        return _scan(conn, args, folders=[folder])
    finally:
        conn.close()


def run_scan(args: argparse.Namespace) -> int:
    from moodplayer.catalog import library

    conn = library.connect()
    try:
        if not library.list_folders(conn):
            print("No music folders yet: add one with 'moodplayer library add FOLDER'.")
            return 0
        return _scan(conn, args)
    finally:
        conn.close()


def run_list(args: argparse.Namespace) -> int:
    from moodplayer.catalog import library

    conn = library.connect()
    try:
        source = None if args.source == "all" else args.source
        items = library.list_items(conn, source=source)
        if not args.all:
            items = [i for i in items if i.exists()]
        folders = library.list_folders(conn)
    finally:
        conn.close()
    if args.json:
        print(json.dumps([i.to_json() for i in items]))
        return 0
    if folders:
        print("Folders:")
        for f in folders:
            print(f"  {f}{'' if f.is_dir() else '  (missing)'}")
    elif source != "demo":
        print("No music folders yet: add one with 'moodplayer library add FOLDER'.")
    if not items:
        print("No playable files.")
        return 0
    print(f"{len(items)} item(s):")
    for i in items:
        v, a, d = i.vad.as_tuple()
        kind = "video" if i.is_video else "audio"
        how = "demo" if i.source == "demo" else ("estimated" if i.estimated else "matched")
        who = f"{i.artist} - {i.title}" if i.artist else i.title
        print(f"  [{i.source:7s} {kind}] {who}  (V {v:.2f} A {a:.2f} D {d:.2f}, {how})")
        print(f"      {i.path}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from moodplayer.catalog import library

    conn = library.connect()
    try:
        gone = library.remove_folder(conn, args.folder)
    finally:
        conn.close()
    print(f"Removed the folder and {gone} file(s) from the library; the files are untouched.")
    return 0


def run_demo(args: argparse.Namespace) -> int:
    from moodplayer.catalog import demo, library

    conn = library.connect()
    progress = _Progress(quiet=args.json)
    started = time.perf_counter()
    try:
        items = demo.ensure_demo_library(conn, progress=progress)
    finally:
        progress.end()
        conn.close()
    if args.json:
        print(json.dumps([i.to_json() for i in items]))
        return 0
    print(f"{len(items)} demo items in {demo.demo_dir()} ({time.perf_counter() - started:.1f} s):")
    for i in items:
        v, a, d = i.vad.as_tuple()
        kind = "video" if i.is_video else "audio"
        print(f"  {i.title:24s} {kind}  V {v:.2f} A {a:.2f} D {d:.2f}  {i.genre}")
    return 0
