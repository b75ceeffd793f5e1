"""The ``moodplayer`` command: the window by default, and headless sub-commands."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from pathlib import Path

from moodplayer import __version__
from moodplayer.errors import MoodplayerError

log = logging.getLogger(__name__)

#: Modules under ``moodplayer.commands`` that add sub-commands, in help order.
COMMAND_MODULES = ("gui", "analyze", "recommend", "catalog", "library", "playlist", "eval_emotion")

DESCRIPTION = """\
moodplayer reads the mood of a face or a photo and plays music that fits it.

Run it with no command to open the window. The commands below do the same work
without a window, for scripts and for checking what moodplayer sees.
"""

EPILOG = """\
examples:
  moodplayer                              open the window (webcam or photos)
  moodplayer analyze holiday.jpg          faces, emotions and the mood of a photo
  moodplayer recommend holiday.jpg        a queue of songs for that photo
  moodplayer recommend --emotion sad --strategy uplift
  moodplayer catalog import muse_v3.csv   import the MuSe song catalog
  moodplayer library add ~/Music          add your own music

User data lives in $MOODPLAYER_HOME (default: your platform's data folder).
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="moodplayer",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"moodplayer {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress and details")
    parser.add_argument(
        "--self-test", action="store_true", help="check every part of the installation and exit"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"moodplayer.commands.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"moodplayer.commands.{name}":
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from moodplayer.selftest import QT_PROBE_FLAG

    if argv[:1] == [QT_PROBE_FLAG]:  # internal: the self-test's Qt check, in a child process
        from moodplayer.selftest import probe_qt

        return probe_qt()
    parser = build_parser()
    args = parser.parse_args(route(argv, _commands(parser)))
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if args.self_test:
        from moodplayer.selftest import run_self_test

        return run_self_test()
    if args.command is None:
        args = parser.parse_args(["gui", *argv]) if "gui" in _commands(parser) else args
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return int(func(args) or 0)
    except MoodplayerError as err:
        print(f"moodplayer: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - silence the interpreter's flush
        return 0


def route(argv: list[str], commands: set[str]) -> list[str]:
    """``moodplayer photo.jpg ...`` (what "Open with" runs) means the window on those photos."""
    first = argv[0] if argv else ""
    if first and not first.startswith("-") and first not in commands and Path(first).exists():
        return ["gui", *argv]
    return argv


def _commands(parser: argparse.ArgumentParser) -> set[str]:
    for action in parser._actions:  # noqa: SLF001 - argparse has no public accessor
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            return set(action.choices)
    return set()


if __name__ == "__main__":
    sys.exit(main())
