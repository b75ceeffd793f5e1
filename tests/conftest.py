"""Shared fixtures. Every test runs with MOODPLAYER_HOME inside a temporary folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_SESSION_HOME = Path(tempfile.mkdtemp(prefix="moodplayer-test-home-"))
os.environ["MOODPLAYER_HOME"] = str(_SESSION_HOME)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if not os.environ.get("XDG_RUNTIME_DIR"):  # Qt wants one; CI containers often have none
    _runtime = _SESSION_HOME / "runtime"
    _runtime.mkdir(mode=0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(_runtime)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from moodplayer import paths  # noqa: E402

# The scene classifier: tests use the copy in ../shared (users' machines download it).
_SHARED = paths.shared_data_dir()
if _SHARED is not None and (_SHARED / "models" / "scene").is_dir():
    os.environ.setdefault("MOODPLAYER_SCENE_MODEL", str(_SHARED / "models" / "scene"))


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A fresh, empty MOODPLAYER_HOME for one test."""
    h = tmp_path / "home"
    monkeypatch.setenv("MOODPLAYER_HOME", str(h))
    return h


@pytest.fixture(scope="session")
def shared() -> Path:
    root = paths.shared_data_dir()
    if root is None:
        pytest.skip("../shared (development data) is absent")
    return root


@pytest.fixture(scope="session")
def photos(shared) -> Path:
    return shared / "data" / "photos"


@pytest.fixture(scope="session")
def fer_test(shared) -> Path:
    path = shared / "data" / "fer2013" / "fer2013_publictest.npz"
    if not path.is_file():
        pytest.skip("FER2013 PublicTest split is absent from ../shared")
    return path


@pytest.fixture(scope="session")
def astronaut():
    """scikit-image's astronaut photo: one smiling face (ships in the wheel)."""
    data = pytest.importorskip("skimage.data")
    return data.astronaut()


@pytest.fixture(scope="session")
def analyzer():
    """The real analyzer, models loaded once for the whole session."""
    from moodplayer.analysis import Analyzer

    a = Analyzer()
    a.load()
    return a
