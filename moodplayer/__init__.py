"""moodplayer: a music player that reads the mood of a face or a photo."""

__version__ = "0.1.0"
