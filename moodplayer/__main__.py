import sys

from moodplayer.cli import main

sys.exit(main())
