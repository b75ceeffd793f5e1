"""Entry point of the bundled ``moodplayer`` executable.

With no arguments it opens the window; with arguments it runs the command line
(``moodplayer analyze photo.jpg``, ``moodplayer --self-test``, ...), exactly as
the ``moodplayer`` console script of a Python installation does.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from moodplayer.cli import main

    sys.exit(main())
