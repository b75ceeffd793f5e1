"""Light and dark palettes, the accent colours of the seven emotions, and small helpers."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPalette
from PySide6.QtWidgets import QApplication

#: One colour per emotion, readable on light and dark backgrounds.
EMOTION_COLOURS = {
    "angry": "#e0524c",
    "disgust": "#8f9a3a",
    "fear": "#9a6fd0",
    "happy": "#f2b632",
    "sad": "#4a86d8",
    "surprise": "#ef8a3c",
    "neutral": "#8b949e",
}

ACCENT = "#2f9e8f"

#: Colours for mood clusters on the valence-arousal plane (cycled when k is larger).
CLUSTER_COLOURS = (
    "#4a86d8",
    "#2f9e8f",
    "#f2b632",
    "#e0524c",
    "#9a6fd0",
    "#ef8a3c",
    "#5fb760",
    "#d45d9b",
    "#6f7fa8",
    "#b08850",
    "#3fb1c9",
    "#a3a83a",
)


def emotion_colour(name: str) -> QColor:
    return QColor(EMOTION_COLOURS.get(name, "#8b949e"))


def cluster_colour(index: int) -> QColor:
    return QColor(CLUSTER_COLOURS[index % len(CLUSTER_COLOURS)])


def _palette(dark: bool) -> QPalette:
    p = QPalette()
    if dark:
        window, base, alt, text, mid = "#1f2328", "#161a1f", "#232830", "#e6e8eb", "#3a4049"
        button, disabled = "#2a3038", "#7d8590"
    else:
        window, base, alt, text, mid = "#f4f5f7", "#ffffff", "#f0f2f5", "#1f2328", "#c9ced6"
        button, disabled = "#e9ecf0", "#8c959f"
    roles = QPalette.ColorRole
    p.setColor(roles.Window, QColor(window))
    p.setColor(roles.WindowText, QColor(text))
    p.setColor(roles.Base, QColor(base))
    p.setColor(roles.AlternateBase, QColor(alt))
    p.setColor(roles.Text, QColor(text))
    p.setColor(roles.Button, QColor(button))
    p.setColor(roles.ButtonText, QColor(text))
    p.setColor(roles.ToolTipBase, QColor(base))
    p.setColor(roles.ToolTipText, QColor(text))
    p.setColor(roles.PlaceholderText, QColor(disabled))
    p.setColor(roles.Mid, QColor(mid))
    p.setColor(roles.Midlight, QColor(alt))
    p.setColor(roles.Highlight, QColor(ACCENT))
    p.setColor(roles.HighlightedText, QColor("#ffffff"))
    p.setColor(roles.Link, QColor(ACCENT))
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(disabled))
    return p


def system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    try:
        from PySide6.QtCore import Qt

        return hints.colorScheme() == Qt.ColorScheme.Dark
    except AttributeError:  # Qt < 6.5
        return False


def apply_theme(app: QApplication, theme: str) -> bool:
    """Apply "light", "dark" or "system"; returns True when the result is dark."""
    dark = theme == "dark" or (theme == "system" and system_prefers_dark())
    app.setStyle("Fusion")
    app.setPalette(_palette(dark))
    app.setStyleSheet(_STYLE)
    return dark


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


_STYLE = """
QToolTip { padding: 4px; }
QTableView { gridline-color: transparent; }
QTableView::item { padding: 3px 6px; }
QHeaderView::section { padding: 4px 6px; border: none; font-weight: 600; }
QLabel#Heading { font-weight: 600; font-size: 11pt; }
QLabel#Muted { color: palette(placeholder-text); }
QFrame#Panel { border: 1px solid palette(mid); border-radius: 8px; }
QPushButton#Emotion { padding: 2px 4px; border-radius: 9px; min-width: 40px; }
QToolButton { padding: 4px; }
QSlider::groove:horizontal { height: 4px; border-radius: 2px; background: palette(mid); }
QSlider::sub-page:horizontal { height: 4px; border-radius: 2px; background: palette(highlight); }
QSlider::handle:horizontal { width: 12px; height: 12px; margin: -5px 0; border-radius: 6px;
    background: palette(highlight); }
"""


def transport_icon(kind: str, colour: QColor, size: int = 32) -> QIcon:
    """Flat media icons drawn in ``colour`` (the palette's text colour), sharp at any DPI.

    ``kind``: play, pause, next, previous, volume, muted.
    """
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QPainter, QPen, QPixmap, QPolygonF

    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(colour)
    s = size / 32.0

    def tri(x0: float, y0: float, x1: float, y1: float, x2: float, y2: float) -> None:
        p.drawPolygon(
            QPolygonF([QPointF(x0 * s, y0 * s), QPointF(x1 * s, y1 * s), QPointF(x2 * s, y2 * s)])
        )

    if kind == "play":
        tri(10, 7, 10, 25, 25, 16)
    elif kind == "pause":
        p.drawRoundedRect(QRectF(9 * s, 7 * s, 5 * s, 18 * s), s, s)
        p.drawRoundedRect(QRectF(18 * s, 7 * s, 5 * s, 18 * s), s, s)
    elif kind == "next":
        tri(7, 8, 7, 24, 19, 16)
        p.drawRoundedRect(QRectF(20 * s, 8 * s, 4 * s, 16 * s), s, s)
    elif kind == "previous":
        tri(25, 8, 25, 24, 13, 16)
        p.drawRoundedRect(QRectF(8 * s, 8 * s, 4 * s, 16 * s), s, s)
    elif kind in ("volume", "muted"):
        p.drawPolygon(
            QPolygonF(
                [
                    QPointF(6 * s, 12 * s),
                    QPointF(11 * s, 12 * s),
                    QPointF(17 * s, 7 * s),
                    QPointF(17 * s, 25 * s),
                    QPointF(11 * s, 20 * s),
                    QPointF(6 * s, 20 * s),
                ]
            )
        )
        pen = QPen(colour, 2 * s)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        if kind == "volume":
            p.drawArc(QRectF(15 * s, 11 * s, 8 * s, 10 * s), -60 * 16, 120 * 16)
            p.drawArc(QRectF(15 * s, 7 * s, 12 * s, 18 * s), -60 * 16, 120 * 16)
        else:
            p.drawLine(QPointF(20 * s, 12 * s), QPointF(27 * s, 20 * s))
            p.drawLine(QPointF(27 * s, 12 * s), QPointF(20 * s, 20 * s))
    p.end()
    return QIcon(pixmap)


def rgb_to_qimage(rgb: np.ndarray) -> QImage:
    """Wrap an RGB uint8 array as a QImage (the image keeps the array alive)."""
    array = np.ascontiguousarray(rgb)
    h, w = array.shape[:2]
    image = QImage(array.data, w, h, array.strides[0], QImage.Format.Format_RGB888)
    image._keep = array  # type: ignore[attr-defined] - hold the buffer as long as the image
    return image
