"""Starting the window: the QApplication, the theme, and the first photo or camera."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)


def run(
    paths: Sequence[str | Path] = (),
    *,
    camera: str | None = None,
    theme: str | None = None,
    audio_output: str | None = None,
    video_output: str | None = None,
) -> int:
    """Open the window and run until it closes; returns the exit code."""
    started = time.perf_counter()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from moodplayer import __version__
    from moodplayer.playback.player import PlayerOptions
    from moodplayer.ui.main_window import MainWindow
    from moodplayer.ui.settings import Settings
    from moodplayer.ui.theme import apply_theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("moodplayer")
    app.setApplicationDisplayName("moodplayer")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("moodplayer")
    settings = Settings()
    if theme:
        settings.theme = theme
    apply_theme(app, settings.theme)
    options = PlayerOptions(audio_output=audio_output, video_output=video_output)
    window = MainWindow(settings, player_options=options)
    window.show()
    log.info("window shown %.2f s after start", time.perf_counter() - started)
    targets = [Path(p).expanduser() for p in paths]
    if targets:
        QTimer.singleShot(0, lambda: window.open_paths(targets))
    elif camera is not None:
        QTimer.singleShot(0, lambda: window.start_live(camera))
    return int(app.exec())
