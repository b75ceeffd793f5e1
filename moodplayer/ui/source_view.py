"""The picture moodplayer reads: the opened photo or the live camera, with face boxes."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from moodplayer.ui.theme import emotion_colour, is_dark, rgb_to_qimage


@dataclass(frozen=True)
class FaceBox:
    """A face to draw, in the source image's pixels."""

    box: tuple[int, int, int, int]
    emotion: str
    confidence: float  #: how sure the emotion is (0-1)


class SourceView(QWidget):
    """Paints an image scaled to fit, face boxes labelled with emotion and confidence,
    a hint line, and (for camera trouble) a message with a Retry button."""

    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(320, 240)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self._image: QImage | None = None
        self._image_size = (0, 0)
        self._faces: list[FaceBox] = []
        self._faces_size = (0, 0)
        self._hint = ""
        self._placeholder = (
            "Open a photo (Ctrl+O), drop photos or a folder here,\nor start the camera (Ctrl+L)."
        )
        self.frames_shown = 0
        self.last_frame_at = 0.0
        self.paint_ms = 0.0

        self._message = QWidget(self)
        self._message.setObjectName("Panel")
        self._message.setAutoFillBackground(True)
        box = QVBoxLayout(self._message)
        box.setContentsMargins(16, 14, 16, 14)
        self._message_label = QLabel(self._message)
        self._message_label.setWordWrap(True)
        self._message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton("Retry", self._message)
        self.retry_button.clicked.connect(self.retry_requested)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.retry_button)
        box.addWidget(self._message_label)
        box.addLayout(row)
        self._message.hide()

    # ---- content ----------------------------------------------------------------------------

    def set_image(self, rgb: np.ndarray | QImage | None) -> None:
        """Show a new picture (a photo, or a camera frame)."""
        if rgb is None:
            self._image = None
            self._image_size = (0, 0)
        else:
            image = rgb if isinstance(rgb, QImage) else rgb_to_qimage(rgb)
            self._image = image
            self._image_size = (image.width(), image.height())
        self.update()

    def show_frame(self, rgb: np.ndarray) -> None:
        """A live preview frame (counted for the frame rate)."""
        self.set_image(rgb)
        self.frames_shown += 1
        self.last_frame_at = time.monotonic()

    def set_faces(self, faces: Sequence[FaceBox], image_size: tuple[int, int]) -> None:
        """Faces found in an image of ``image_size`` (width, height); drawn over the picture."""
        self._faces = list(faces)
        self._faces_size = image_size
        self.update()

    @property
    def faces(self) -> list[FaceBox]:
        return list(self._faces)

    @property
    def has_image(self) -> bool:
        return self._image is not None

    def set_hint(self, text: str) -> None:
        """One line shown at the bottom of the picture ("No face in view")."""
        if text != self._hint:
            self._hint = text
            self.update()

    @property
    def hint(self) -> str:
        return self._hint

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.update()

    def show_message(self, text: str, retry: bool = True) -> None:
        self._message_label.setText(text)
        self.retry_button.setVisible(retry)
        self._message.show()
        self._place_message()

    def clear_message(self) -> None:
        self._message.hide()

    @property
    def message(self) -> str:
        return self._message_label.text() if self._message.isVisible() else ""

    # ---- geometry ---------------------------------------------------------------------------

    def image_rect(self) -> QRectF:
        """Where the picture is drawn inside the widget."""
        w, h = self._image_size
        if not w or not h:
            return QRectF()
        scale = min(self.width() / w, self.height() / h)
        dw, dh = w * scale, h * scale
        return QRectF((self.width() - dw) / 2, (self.height() - dh) / 2, dw, dh)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._place_message()

    def _place_message(self) -> None:
        width = min(self.width() - 40, 460)
        self._message.setFixedWidth(max(200, width))
        self._message.adjustSize()
        self._message.move(
            (self.width() - self._message.width()) // 2,
            (self.height() - self._message.height()) // 2,
        )

    # ---- painting ---------------------------------------------------------------------------

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt override
        start = time.perf_counter()
        painter = QPainter(self)
        dark = is_dark(self.palette())
        painter.fillRect(self.rect(), QColor("#101317") if dark else QColor("#e4e7eb"))
        if self._image is None:
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._placeholder)
        else:
            target = self.image_rect()
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(target, self._image)
            self._paint_faces(painter, target)
        if self._hint:
            self._paint_hint(painter)
        painter.end()
        self.paint_ms = (time.perf_counter() - start) * 1000

    def _paint_faces(self, painter: QPainter, target: QRectF) -> None:
        fw, fh = self._faces_size
        if not self._faces or not fw or not fh:
            return
        sx, sy = target.width() / fw, target.height() / fh
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        font = QFont(self.font())
        font.setPointSizeF(max(8.0, font.pointSizeF()))
        font.setBold(True)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        for face in self._faces:
            x, y, w, h = face.box
            rect = QRectF(target.x() + x * sx, target.y() + y * sy, w * sx, h * sy)
            colour = emotion_colour(face.emotion)
            painter.setPen(QPen(colour, 2.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, 6, 6)
            label = f"{face.emotion} {face.confidence * 100:.0f}%"
            tw, th = metrics.horizontalAdvance(label) + 12, metrics.height() + 4
            top = rect.top() - th - 3 if rect.top() - th - 3 >= target.top() else rect.bottom() + 3
            tag = QRectF(rect.left(), top, tw, th)
            path = QPainterPath()
            path.addRoundedRect(tag, 5, 5)
            painter.fillPath(path, colour)
            painter.setPen(QColor("#111111") if colour.lightness() > 150 else QColor("#ffffff"))
            painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, label)

    def _paint_hint(self, painter: QPainter) -> None:
        metrics = painter.fontMetrics()
        tw = metrics.horizontalAdvance(self._hint) + 20
        th = metrics.height() + 10
        rect = QRectF((self.width() - tw) / 2, self.height() - th - 12, tw, th)
        path = QPainterPath()
        path.addRoundedRect(rect, th / 2, th / 2)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.fillPath(path, QColor(0, 0, 0, 170))
        painter.setPen(QColor("#ffffff"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._hint)
