"""What moodplayer reads: emotion bars, the valence-arousal plane with the mood
clusters, the caption, and the cluster and strategy in words.

The reading is a suggestion: clicking the plane or an emotion sets the mood by hand.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QMouseEvent, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from moodplayer.mood.vad import EMOTION_VAD, EMOTIONS, VAD, Mood
from moodplayer.ui.theme import cluster_colour, emotion_colour, is_dark

LO, HI = 1.0, 9.0

#: Which side of its dot each emotion's name goes (x: +1 right, -1 left; y: lines down).
_LABEL_SIDE = {
    "angry": (-1, -0.4),
    "fear": (1, 0.4),
    "disgust": (1, 0.3),
    "happy": (1, 0),
    "surprise": (-1, -0.3),
    "sad": (1, 0),
    "neutral": (1, 0.4),
}


class EmotionBars(QWidget):
    """Seven horizontal bars, one per emotion, with percentages."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._probs: dict[str, float] = {}
        self.setMinimumHeight(7 * 16)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(240, 7 * 16)

    def set_probabilities(self, probabilities: Mapping[str, float]) -> None:
        self._probs = (
            {e: float(probabilities.get(e, 0.0)) for e in EMOTIONS} if probabilities else {}
        )
        self.update()

    @property
    def probabilities(self) -> dict[str, float]:
        return dict(self._probs)

    def paintEvent(self, _event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        metrics = painter.fontMetrics()
        label_w = max(metrics.horizontalAdvance(e) for e in EMOTIONS) + 10
        pct_w = metrics.horizontalAdvance("100%") + 8
        row_h = self.height() / len(EMOTIONS)
        track = self.palette().mid().color()
        text = self.palette().text().color()
        muted = self.palette().placeholderText().color()
        top = max(self._probs.values(), default=0.0)
        for i, emotion in enumerate(EMOTIONS):
            y = i * row_h
            p = self._probs.get(emotion, 0.0)
            painter.setPen(text if self._probs and p == top else muted)
            painter.drawText(
                QRectF(0, y, label_w, row_h),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                emotion,
            )
            bar = QRectF(label_w, y + row_h * 0.3, self.width() - label_w - pct_w, row_h * 0.4)
            path = QPainterPath()
            path.addRoundedRect(bar, bar.height() / 2, bar.height() / 2)
            painter.fillPath(path, track)
            if p > 0:
                fill = QRectF(bar.x(), bar.y(), max(bar.height(), bar.width() * p), bar.height())
                path = QPainterPath()
                path.addRoundedRect(fill, bar.height() / 2, bar.height() / 2)
                painter.fillPath(path, emotion_colour(emotion))
            painter.setPen(text if self._probs else muted)
            shown = f"{p * 100:.0f}%" if self._probs else "–"
            painter.drawText(
                QRectF(self.width() - pct_w, y, pct_w, row_h),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                shown,
            )
        painter.end()


class MoodPlane(QWidget):
    """Valence (x) against arousal (y), 1-9 each, coloured by mood cluster.

    Clicking sets the mood by hand: valence and arousal from the click, dominance
    estimated from valence along the clusters' centroids (in the MuSe catalog the
    two go together).
    """

    mood_clicked = Signal(object)  # VAD

    TRAIL = 24

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(220, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Click to set the mood by hand")
        self._model = None
        self._regions: QImage | None = None
        self._regions_dark: bool | None = None
        self._dom_fit = (0.0, 1.0)  # dominance = a + b * valence
        self._trail: deque[VAD] = deque(maxlen=self.TRAIL)
        self._current: VAD | None = None
        self._current_cluster: int | None = None
        self._pending: VAD | None = None

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(300, 280)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return int(width * 0.9)

    # ---- data -------------------------------------------------------------------------------

    def set_model(self, model) -> None:
        """A ``ClusterModel`` (k, centroids, names, assign)."""
        self._model = model
        self._regions = None
        vs = [c.valence for c in model.centroids]
        ds = [c.dominance for c in model.centroids]
        n = len(vs)
        mv, md = sum(vs) / n, sum(ds) / n
        var = sum((v - mv) ** 2 for v in vs)
        b = sum((v - mv) * (d - md) for v, d in zip(vs, ds)) / var if var > 0 else 0.0
        self._dom_fit = (md - b * mv, b)
        self.update()

    @property
    def model(self):
        return self._model

    def dominance_for(self, valence: float) -> float:
        a, b = self._dom_fit
        if self._model is None:
            return 5.0
        return max(LO, min(HI, a + b * valence))

    def set_mood(self, vad: VAD | None, cluster: int | None = None, trail: bool = True) -> None:
        self._current = vad
        self._current_cluster = cluster
        if vad is not None and trail:
            self._trail.append(vad)
        self.update()

    def clear_trail(self) -> None:
        self._trail.clear()
        self.update()

    @property
    def trail(self) -> list[VAD]:
        return list(self._trail)

    # ---- geometry ---------------------------------------------------------------------------

    def plot_rect(self) -> QRectF:
        m_left, m_bottom, m_top, m_right = 24, 22, 6, 6
        w = self.width() - m_left - m_right
        h = self.height() - m_top - m_bottom
        side = max(10, min(w, h))
        return QRectF(m_left + (w - side) / 2, m_top + (h - side) / 2, side, side)

    def to_point(self, valence: float, arousal: float) -> QPointF:
        r = self.plot_rect()
        return QPointF(
            r.left() + (valence - LO) / (HI - LO) * r.width(),
            r.bottom() - (arousal - LO) / (HI - LO) * r.height(),
        )

    def to_vad(self, point: QPointF) -> VAD:
        r = self.plot_rect()
        v = LO + (point.x() - r.left()) / max(1.0, r.width()) * (HI - LO)
        a = LO + (r.bottom() - point.y()) / max(1.0, r.height()) * (HI - LO)
        v, a = max(LO, min(HI, v)), max(LO, min(HI, a))
        return VAD(v, a, self.dominance_for(v))

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self.plot_rect().contains(
            event.position()
        ):
            self.mood_clicked.emit(self.to_vad(event.position()))
        super().mousePressEvent(event)

    # ---- painting ---------------------------------------------------------------------------

    def _region_image(self, dark: bool) -> QImage | None:
        if self._model is None:
            return None
        if self._regions is not None and self._regions_dark == dark:
            return self._regions
        import numpy as np

        n = 72
        vals = LO + (np.arange(n) + 0.5) / n * (HI - LO)
        vv, aa = np.meshgrid(vals, vals[::-1])
        a0, b = self._dom_fit
        dd = np.clip(a0 + b * vv, LO, HI)
        labels = self._model.assign_many(np.stack([vv, aa, dd], axis=-1).reshape(-1, 3))
        labels = labels.reshape(n, n)
        alpha = 70 if dark else 60
        palette = np.zeros((self._model.k, 4), np.uint8)
        for k in range(self._model.k):
            c = cluster_colour(k)
            palette[k] = (c.red(), c.green(), c.blue(), alpha)
        # built from an array: QImage.setPixel leaks a reference to None in PySide6 6.12
        rgba = np.ascontiguousarray(palette[labels])
        image = QImage(rgba.data, n, n, n * 4, QImage.Format.Format_RGBA8888).copy()
        self._regions, self._regions_dark = image, dark
        return image

    def paintEvent(self, _event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        dark = is_dark(self.palette())
        r = self.plot_rect()
        base = self.palette().base().color()
        painter.fillRect(r, base)
        regions = self._region_image(dark)
        if regions is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
            painter.drawImage(r, regions)
        grid = self.palette().mid().color()
        painter.setPen(QPen(grid, 1, Qt.PenStyle.DotLine))
        mid = self.to_point(5, 5)
        painter.drawLine(QPointF(mid.x(), r.top()), QPointF(mid.x(), r.bottom()))
        painter.drawLine(QPointF(r.left(), mid.y()), QPointF(r.right(), mid.y()))
        painter.setPen(QPen(grid, 1))
        painter.drawRect(r)

        muted = self.palette().placeholderText().color()
        text = self.palette().text().color()
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() - 1.5))
        painter.setFont(small)
        # axis words
        painter.setPen(muted)
        painter.drawText(
            QRectF(r.left(), r.bottom() + 3, r.width(), 18),
            Qt.AlignmentFlag.AlignCenter,
            "unpleasant  ←  valence  →  pleasant",
        )
        painter.save()
        painter.translate(r.left() - 6, r.center().y())
        painter.rotate(-90)
        painter.drawText(
            QRectF(-r.height() / 2, -16, r.height(), 16),
            Qt.AlignmentFlag.AlignCenter,
            "calm  ←  arousal  →  excited",
        )
        painter.restore()

        # emotion anchors
        metrics = painter.fontMetrics()
        for emotion in EMOTIONS:
            v = EMOTION_VAD[emotion]
            p = self.to_point(v.valence, v.arousal)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(emotion_colour(emotion))
            painter.drawEllipse(p, 3, 3)
            painter.setPen(muted)
            tw, th = metrics.horizontalAdvance(emotion), metrics.height()
            dx, dy = _LABEL_SIDE.get(emotion, (1, 0))
            x = p.x() + 5 if dx > 0 else p.x() - 5 - tw
            y = p.y() - th / 2 + dy * (th * 0.6)
            painter.drawText(QRectF(x, y, tw + 2, th), Qt.AlignmentFlag.AlignVCenter, emotion)

        # centroids, numbered as in the text ("cluster 3")
        if self._model is not None:
            bold = QFont(small)
            bold.setBold(True)
            painter.setFont(bold)
            for k, c in enumerate(self._model.centroids):
                p = self.to_point(c.valence, c.arousal)
                colour = cluster_colour(k)
                strong = k == self._current_cluster
                radius = 8.5 if strong else 7.0
                painter.setPen(QPen(text, 1.5) if strong else Qt.PenStyle.NoPen)
                painter.setBrush(colour)
                painter.drawEllipse(p, radius, radius)
                painter.setPen(QColor("#111111") if colour.lightness() > 150 else QColor("#ffffff"))
                painter.drawText(
                    QRectF(p.x() - radius, p.y() - radius, 2 * radius, 2 * radius),
                    Qt.AlignmentFlag.AlignCenter,
                    str(k + 1),
                )
            painter.setFont(small)

        # trail and current mood
        trail = list(self._trail)
        if len(trail) > 1:
            for i in range(1, len(trail)):
                a = trail[i - 1]
                b = trail[i]
                fade = QColor(text)
                fade.setAlphaF(0.15 + 0.6 * i / len(trail))
                painter.setPen(QPen(fade, 1.6))
                painter.drawLine(
                    self.to_point(a.valence, a.arousal), self.to_point(b.valence, b.arousal)
                )
        if self._current is not None:
            p = self.to_point(self._current.valence, self._current.arousal)
            painter.setPen(QPen(QColor("#ffffff") if not dark else QColor("#111111"), 2))
            painter.setBrush(QColor("#111111") if not dark else QColor("#ffffff"))
            painter.drawEllipse(p, 6.5, 6.5)
        painter.end()


class MoodView(QWidget):
    """The right-hand panel: reading, plane, caption, cluster and strategy, picker."""

    mood_picked = Signal(object)  # Mood set by hand
    hold_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)

        head = QHBoxLayout()
        self.title = QLabel("Mood")
        self.title.setObjectName("Heading")
        self.confidence_label = QLabel("")
        self.confidence_label.setObjectName("Muted")
        head.addWidget(self.title)
        head.addSpacing(8)
        head.addWidget(self.confidence_label)
        head.addStretch(1)
        self.hold_box = QCheckBox("Hold this mood")
        self.hold_box.setToolTip("Keep the music where it is while the camera keeps reading (H)")
        self.hold_box.toggled.connect(self.hold_toggled)
        head.addWidget(self.hold_box)
        layout.addLayout(head)

        self.bars = EmotionBars(self)
        layout.addWidget(self.bars)

        self.plane = MoodPlane(self)
        self.plane.mood_clicked.connect(self._plane_clicked)
        layout.addWidget(self.plane, 1)

        self.caption_label = QLabel("")
        self.caption_label.setWordWrap(True)
        self.caption_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.caption_label)

        self.cluster_label = QLabel("")
        self.cluster_label.setWordWrap(True)
        layout.addWidget(self.cluster_label)
        self.strategy_label = QLabel("")
        self.strategy_label.setObjectName("Muted")
        self.strategy_label.setWordWrap(True)
        layout.addWidget(self.strategy_label)

        pick = QLabel("Not right? Click the plane, or pick the mood:")
        pick.setObjectName("Muted")
        layout.addWidget(pick)
        grid = QHBoxLayout()
        grid.setSpacing(3)
        self.emotion_buttons: dict[str, QPushButton] = {}
        for emotion in EMOTIONS:
            button = QPushButton(emotion)
            button.setObjectName("Emotion")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setToolTip(f"Set the mood to {emotion}")
            colour = emotion_colour(emotion)
            button.setStyleSheet(
                f"QPushButton#Emotion {{ border: 1px solid {colour.name()}; }}"
                f"QPushButton#Emotion:hover {{ background: {colour.name()}; color: #111; }}"
            )
            button.clicked.connect(
                lambda _=False, e=emotion: self.mood_picked.emit(Mood.from_emotion(e))
            )
            grid.addWidget(button)
            self.emotion_buttons[emotion] = button
        layout.addLayout(grid)
        self._mood: Mood | None = None

    # ---- updates ----------------------------------------------------------------------------

    def _plane_clicked(self, vad: VAD) -> None:
        self.mood_picked.emit(Mood.from_vad(vad))

    def set_model(self, model) -> None:
        self.plane.set_model(model)

    def set_mood(
        self,
        mood: Mood | None,
        *,
        cluster: int | None = None,
        cluster_name: str = "",
        trail: bool = True,
    ) -> None:
        self._mood = mood
        if mood is None:
            self.bars.set_probabilities({})
            self.plane.set_mood(None)
            self.confidence_label.setText("")
            self.cluster_label.setText("")
            return
        default = "default" in (mood.sources or {})
        probs = mood.probabilities or ({} if default else {mood.emotion: 1.0})
        self.bars.set_probabilities(probs)
        self.plane.set_mood(mood.vad, cluster, trail)
        self.confidence_label.setText(_confidence_words(mood))
        v = mood.vad
        if cluster is not None:
            self.cluster_label.setText(
                f"<b>{mood.emotion.capitalize()}</b> · cluster {cluster + 1}: "
                f"<b>{cluster_name or '—'}</b><br>"
                f"<span>valence {v.valence:.1f} · arousal {v.arousal:.1f} · "
                f"dominance {v.dominance:.1f}</span>"
            )
        else:
            self.cluster_label.setText(f"<b>{mood.emotion.capitalize()}</b>")

    @property
    def mood(self) -> Mood | None:
        return self._mood

    def set_caption(self, text: str) -> None:
        self.caption_label.setText(f"<i>{text}</i>" if text else "")

    @property
    def caption(self) -> str:
        return self.caption_label.text()

    def set_strategy(self, words: str) -> None:
        self.strategy_label.setText(f"Queue strategy: {words}")

    def set_pending(self, text: str) -> None:
        self.title.setText(f"Mood  ·  {text}" if text else "Mood")


def _confidence_words(mood: Mood) -> str:
    sources = mood.sources or {}
    if sources.get("manual"):
        return "set by hand"
    if "default" in sources:
        return "a starting point"
    parts = [f"{mood.confidence * 100:.0f}% sure"]
    shares = [(k, w) for k, w in sources.items() if w > 0]
    if len(shares) > 1 or (shares and shares[0][0] != "faces"):
        parts.append(", ".join(f"{k} {w * 100:.0f}%" for k, w in shares))
    return " · ".join(parts)


def cluster_names(model, indices: Sequence[int]) -> list[str]:
    return [model.names[i] if model and 0 <= i < len(model.names) else "" for i in indices]
