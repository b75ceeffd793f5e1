"""Command-line sub-commands; each module exposes ``register(subparsers)``.

A command's handler is set with ``parser.set_defaults(func=handler)`` and
returns the process exit status.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable


def show_help(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    """A handler for a command group run without a sub-command: its help, status 2."""

    def show(_args: argparse.Namespace) -> int:
        parser.print_help()
        return 2

    return show
