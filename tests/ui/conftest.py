"""Fixtures for the window tests: Qt offscreen, a home with the demo library, a window."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

os.environ["QT_QPA_PLATFORM"] = "offscreen"


def require_catalog() -> None:
    missing = [
        m for m in ("store", "demo") if importlib.util.find_spec(f"moodplayer.catalog.{m}") is None
    ]
    if missing:
        pytest.skip(f"catalog modules not written yet: {', '.join(missing)}")


@pytest.fixture(scope="session")
def demo_home_template(tmp_path_factory) -> Path:
    """A MOODPLAYER_HOME with the demo library made once for the whole session."""
    require_catalog()
    home = tmp_path_factory.mktemp("demo-home")
    old = os.environ.get("MOODPLAYER_HOME")
    os.environ["MOODPLAYER_HOME"] = str(home)
    try:
        from moodplayer.catalog import demo, store

        conn = store.connect()
        items = demo.ensure_demo_library(conn)
        conn.close()
    finally:
        if old is None:
            os.environ.pop("MOODPLAYER_HOME", None)
        else:
            os.environ["MOODPLAYER_HOME"] = old
    assert items, "the demo library is empty"
    return home


@pytest.fixture
def ui_home(tmp_path, monkeypatch, demo_home_template) -> Path:
    """A private copy of the demo home for one test (feedback and queue stay private)."""
    home = tmp_path / "home"
    shutil.copytree(demo_home_template, home)
    monkeypatch.setenv("MOODPLAYER_HOME", str(home))
    return home


@pytest.fixture
def make_window(qtbot, ui_home):
    """Build windows with dummy libvlc outputs; each is shut down after the test."""
    from moodplayer.playback.player import PlayerOptions
    from moodplayer.ui.main_window import MainWindow
    from moodplayer.ui.settings import Settings

    windows = []

    def make(**kwargs):
        kwargs.setdefault("player_options", PlayerOptions.dummy())
        kwargs.setdefault("load_models", False)
        window = MainWindow(Settings(ui_home / "settings.ini"), **kwargs)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.demo_ready, timeout=60_000)
        windows.append(window)
        return window

    yield make
    for window in windows:
        if window.isVisible():
            window.close()
        else:
            window.shutdown()


@pytest.fixture(scope="session")
def face_video(tmp_path_factory, astronaut) -> Path:
    """A 640x480, 30 fps, 4 s video of scikit-image's astronaut (one smiling face)."""
    from moodplayer.vision.camera import write_video_from_image

    path = tmp_path_factory.mktemp("video") / "astronaut.mp4"
    return write_video_from_image(astronaut, path, seconds=4.0, fps=30, size=(640, 480))
