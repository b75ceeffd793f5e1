"""PyInstaller hook for gdown (imported by deepface): it reads its own version
from its distribution metadata with ``importlib.metadata`` on import."""

from PyInstaller.utils.hooks import copy_metadata

datas = copy_metadata("gdown")
