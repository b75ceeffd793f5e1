"""Exceptions with messages a user can act on."""

from __future__ import annotations


class MoodplayerError(Exception):
    """Base class: ``str(err)`` is a complete sentence for the user."""


class ImageLoadError(MoodplayerError):
    """An image could not be read (missing, empty, corrupt, truncated, not an image)."""


class ModelLoadError(MoodplayerError):
    """A model file is missing or broken."""


class CatalogError(MoodplayerError):
    """The music catalog could not be read, written or imported."""


class PlaybackError(MoodplayerError):
    """Media could not be played, or libvlc is missing."""


class CameraError(MoodplayerError):
    """The camera is missing, busy or stopped delivering frames."""
