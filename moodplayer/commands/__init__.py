"""Command-line sub-commands; each module exposes ``register(subparsers)``.

A command's handler is set with ``parser.set_defaults(func=handler)`` and
returns the process exit status.
"""
