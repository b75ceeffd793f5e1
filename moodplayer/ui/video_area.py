"""Where libvlc draws music videos: a native child window inside the Qt window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QFrame, QWidget

#: Qt platform plugins whose native window ids libvlc can draw into.
NATIVE_PLATFORMS = ("xcb", "windows", "cocoa")


class VideoArea(QFrame):
    """A black frame with its own native window; shown for videos, hidden for audio."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_NativeWindow, True)
        self.setAttribute(Qt.WidgetAttribute.WA_DontCreateNativeAncestors, True)
        self.setMinimumSize(240, 135)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("black"))
        self.setPalette(palette)
        self.setAutoFillBackground(True)
        self.setToolTip("Music video")

    def native_id(self) -> int | None:
        """The window id for ``Player.set_video_window``, or None where libvlc cannot use it
        (offscreen, Wayland without XWayland)."""
        if QGuiApplication.platformName() not in NATIVE_PLATFORMS:
            return None
        return int(self.winId())
