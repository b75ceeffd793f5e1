"""Where moodplayer keeps things.

* User data (catalog database, library index, feedback, downloaded models, the
  generated demo library) lives under ``MOODPLAYER_HOME`` when that variable is
  set, else under the platform's user data directory.
* Read-only resources that ship with moodplayer (trained weights, derived
  tables, icons) are found relative to the installed package, or inside the
  PyInstaller bundle; never relative to the current directory.  This module is
  the only place that knows the difference.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "moodplayer"
HOME_ENV = "MOODPLAYER_HOME"


def home() -> Path:
    """The user's moodplayer folder (created on first use)."""
    env = os.environ.get(HOME_ENV)
    if env:
        path = Path(env).expanduser()
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def sub_dir(name: str) -> Path:
    path = home() / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def models_dir() -> Path:
    """Models a user placed or moodplayer downloaded."""
    return sub_dir("models")


def cache_dir() -> Path:
    return sub_dir("cache")


def database_path() -> Path:
    """The SQLite database that holds the catalog, library, feedback and queue."""
    return home() / "moodplayer.sqlite3"


def deepface_home() -> Path:
    """What we set ``DEEPFACE_HOME`` to, so DeepFace finds our weights."""
    return sub_dir("deepface")


def resource_root() -> Path:
    """The folder that holds ``models/``, ``assets/`` and ``data/``.

    In a checkout or an editable install that is the project root beside the
    package; in a PyInstaller bundle it is the bundle's extraction folder.
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def resource(*parts: str) -> Path:
    """A shipped, read-only resource, e.g. ``resource("models", "emotion", "x.onnx")``."""
    return resource_root().joinpath(*parts)


def shared_data_dir() -> Path | None:
    """The development data folder ``../shared`` beside the checkout, if present."""
    env = os.environ.get("MOODPLAYER_SHARED")
    candidate = Path(env) if env else resource_root().parent / "shared"
    return candidate if candidate.is_dir() else None
