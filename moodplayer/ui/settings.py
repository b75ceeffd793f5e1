"""The window's remembered choices: typed options over ``QSettings``.

Settings live in ``$MOODPLAYER_HOME/settings.ini``.  Every option has a type, a
default and a range; a value of the wrong type or out of range reads as the
default, and a file Qt cannot parse is moved aside (``settings.ini.corrupt-<time>``)
so a damaged file never stops the window from opening.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

from moodplayer import paths

log = logging.getLogger(__name__)

T = TypeVar("T")

STRATEGIES = ("match", "uplift", "calm")
STRATEGY_WORDS = {
    "match": "match: stay with this mood",
    "uplift": "uplift: start here, then move toward brighter songs",
    "calm": "calm: start here, then move toward quieter songs",
}
EMOTION_WEIGHTS = ("moodplayer", "deepface")
THEMES = ("system", "light", "dark")
RESOLUTIONS = ("320x240", "640x480", "1280x720", "1920x1080")


class Option(Generic[T]):
    """A typed setting; ``check`` returns the value to use, or raises ValueError."""

    def __init__(
        self,
        key: str,
        default: T,
        convert: Callable[[Any], T],
        check: Callable[[T], T] | None = None,
    ) -> None:
        self.key = key
        self.default = default
        self.convert = convert
        self.check = check

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Settings | None, owner: type | None = None):
        if obj is None:
            return self
        raw = obj.qsettings.value(self.key, None)
        if raw is None:
            return self.default
        try:
            value = self.convert(raw)
            return self.check(value) if self.check else value
        except (TypeError, ValueError):
            log.warning(
                "setting %s has an unusable value %r; using %r", self.key, raw, self.default
            )
            return self.default

    def __set__(self, obj: Settings, value: T) -> None:
        value = self.convert(value)
        if self.check:
            value = self.check(value)
        obj.qsettings.setValue(self.key, _store(value))


def _store(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return list(value) if value else ""
    return value


def _bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off", ""):
        return False
    raise ValueError(raw)


def _str_list(raw: Any) -> list[str]:
    if raw in ("", None):
        return []
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list | tuple):
        return [str(v) for v in raw if str(v)]
    raise ValueError(raw)


def _one_of(choices: tuple[str, ...]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in choices:
            raise ValueError(value)
        return value

    return check


def _between(lo: float, hi: float) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not (lo <= value <= hi):
            raise ValueError(value)
        return value

    return check


def _resolution(value: str) -> str:
    w, _, h = value.partition("x")
    if not (w.isdigit() and h.isdigit() and 80 <= int(w) <= 7680 and 60 <= int(h) <= 4320):
        raise ValueError(value)
    return value


def _bytes(raw: Any) -> QByteArray:
    if isinstance(raw, QByteArray):
        return raw
    if isinstance(raw, bytes | bytearray):
        return QByteArray(bytes(raw))
    raise ValueError(raw)


class Settings:
    """Typed access to the window's settings."""

    camera_source = Option("camera/source", "0", str, lambda v: v.strip() or "0")
    camera_resolution = Option("camera/resolution", "640x480", str, _resolution)
    detector_min_face = Option("detector/min_face_size", 20, int, _between(8, 400))
    detector_min_confidence = Option("detector/min_confidence", 0.90, float, _between(0.3, 0.999))
    strategy = Option("mood/strategy", "match", str, _one_of(STRATEGIES))
    smoothing_s = Option("mood/smoothing_seconds", 1.5, float, _between(0.0, 30.0))
    settle_s = Option("mood/settle_seconds", 4.0, float, _between(0.0, 120.0))
    emotion_weights = Option("mood/emotion_weights", "moodplayer", str, _one_of(EMOTION_WEIGHTS))
    music_folders = Option("music/folders", [], _str_list)
    theme = Option("view/theme", "system", str, _one_of(THEMES))
    slideshow = Option("view/slideshow", True, _bool)
    volume = Option("player/volume", 80, int, _between(0, 100))
    muted = Option("player/muted", False, _bool)
    last_folder = Option("files/last_folder", "", str)
    geometry = Option("window/geometry", QByteArray(), _bytes)
    window_state = Option("window/state", QByteArray(), _bytes)
    splitter_state = Option("window/splitters", QByteArray(), _bytes)

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else paths.home() / "settings.ini"
        self.qsettings = self._open()

    def _open(self) -> QSettings:
        settings = QSettings(str(self.path), QSettings.Format.IniFormat)
        if settings.status() != QSettings.Status.NoError:
            aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
            log.warning(
                "settings file %s is damaged; moved to %s and starting afresh",
                self.path,
                aside.name,
            )
            del settings
            try:
                self.path.replace(aside)
            except OSError:
                self.path.unlink(missing_ok=True)
            settings = QSettings(str(self.path), QSettings.Format.IniFormat)
        return settings

    @property
    def resolution(self) -> tuple[int, int]:
        w, _, h = self.camera_resolution.partition("x")
        return int(w), int(h)

    def sync(self) -> None:
        self.qsettings.sync()

    def reset(self) -> None:
        self.qsettings.clear()
