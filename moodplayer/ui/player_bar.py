"""Transport controls: previous, play/pause, next, seek with times, volume and mute."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from moodplayer.ui.theme import transport_icon


def format_time(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.5))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class PlayerBar(QWidget):
    """The bar under the queue; it only reports what the user did."""

    play_pause = Signal()
    previous = Signal()
    next = Signal()
    seek = Signal(float)
    volume_changed = Signal(int)
    mute_toggled = Signal(bool)

    SEEK_STEPS = 1000

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 4, 8, 6)
        outer.setSpacing(2)

        self.notice = QLabel("")
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.setStyleSheet(
            "QLabel { background: #fff4d6; color: #5a4300; padding: 6px; border-radius: 6px; }"
        )
        self.notice.hide()
        outer.addWidget(self.notice)

        row = QHBoxLayout()
        row.setSpacing(6)

        def tool(icon: str, tip: str) -> QToolButton:
            b = QToolButton()
            b.setIcon(self._icon(icon))
            b.setIconSize(QSize(22, 22))
            b.setToolTip(tip)
            b.setAutoRaise(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            row.addWidget(b)
            return b

        self.prev_button = tool("previous", "Previous (Ctrl+Left)")
        self.play_button = tool("play", "Play / pause (Space)")
        self.next_button = tool("next", "Next (Ctrl+Right)")
        self.prev_button.clicked.connect(self.previous)
        self.play_button.clicked.connect(self.play_pause)
        self.next_button.clicked.connect(self.next)

        self.now_playing = QLabel("Nothing playing")
        self.now_playing.setMinimumWidth(160)
        self.now_playing.setMaximumWidth(320)
        row.addWidget(self.now_playing)

        self.position_label = QLabel("0:00")
        self.position_label.setObjectName("Muted")
        row.addWidget(self.position_label)
        self.seek_slider = QSlider(Qt.Orientation.Horizontal)
        self.seek_slider.setRange(0, self.SEEK_STEPS)
        self.seek_slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.seek_slider.setToolTip("Seek (Left / Right: 10 s)")
        self.seek_slider.sliderReleased.connect(self._seek_released)
        self.seek_slider.actionTriggered.connect(self._seek_action)
        row.addWidget(self.seek_slider, 1)
        self.duration_label = QLabel("0:00")
        self.duration_label.setObjectName("Muted")
        row.addWidget(self.duration_label)

        self.mute_button = tool("volume", "Mute (M)")
        self.mute_button.setCheckable(True)
        self.mute_button.toggled.connect(self._muted)
        self.volume_slider = QSlider(Qt.Orientation.Horizontal)
        self.volume_slider.setRange(0, 100)
        self.volume_slider.setFixedWidth(110)
        self.volume_slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.volume_slider.setToolTip("Volume (Up / Down)")
        self.volume_slider.valueChanged.connect(self.volume_changed)
        row.addWidget(self.volume_slider)
        outer.addLayout(row)
        self._duration = 0.0
        self._playing = False

    # ---- updates from the window ------------------------------------------------------------

    def set_playing(self, playing: bool) -> None:
        self._playing = playing
        self.play_button.setIcon(self._icon("pause" if playing else "play"))

    @property
    def playing(self) -> bool:
        return self._playing

    def set_now_playing(self, text: str) -> None:
        self.now_playing.setText(text or "Nothing playing")
        self.now_playing.setToolTip(text)

    def set_position(self, position_s: float, duration_s: float) -> None:
        self._duration = duration_s
        self.position_label.setText(format_time(position_s))
        self.duration_label.setText(format_time(duration_s))
        if not self.seek_slider.isSliderDown():
            value = int(position_s / duration_s * self.SEEK_STEPS) if duration_s > 0 else 0
            self.seek_slider.blockSignals(True)
            self.seek_slider.setValue(min(self.SEEK_STEPS, max(0, value)))
            self.seek_slider.blockSignals(False)

    def set_volume(self, volume: int, muted: bool) -> None:
        self.volume_slider.blockSignals(True)
        self.volume_slider.setValue(volume)
        self.volume_slider.blockSignals(False)
        self.mute_button.blockSignals(True)
        self.mute_button.setChecked(muted)
        self._set_mute_icon(muted)
        self.mute_button.blockSignals(False)

    def set_unavailable(self, message: str) -> None:
        """Without libvlc: say how to install it and disable the transport."""
        self.notice.setText(message)
        self.notice.setVisible(bool(message))
        for w in (
            self.play_button,
            self.prev_button,
            self.next_button,
            self.seek_slider,
            self.mute_button,
            self.volume_slider,
        ):
            w.setEnabled(not message)

    # ---- user -------------------------------------------------------------------------------

    def _seek_released(self) -> None:
        if self._duration > 0:
            self.seek.emit(self.seek_slider.value() / self.SEEK_STEPS * self._duration)

    def _seek_action(self, action: int) -> None:
        if self.seek_slider.isSliderDown():
            return
        # page clicks on the groove: the value is updated after this signal
        if self._duration > 0 and action in (
            QSlider.SliderAction.SliderPageStepAdd,
            QSlider.SliderAction.SliderPageStepSub,
        ):
            value = self.seek_slider.sliderPosition()
            self.seek.emit(value / self.SEEK_STEPS * self._duration)

    def _muted(self, muted: bool) -> None:
        self._set_mute_icon(muted)
        self.mute_toggled.emit(muted)

    def _set_mute_icon(self, muted: bool) -> None:
        self.mute_button.setIcon(self._icon("muted" if muted else "volume"))

    def _icon(self, kind: str):
        return transport_icon(kind, self.palette().buttonText().color())

    def changeEvent(self, event) -> None:  # noqa: N802 - a theme change redraws the icons
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "mute_button"):
            self.prev_button.setIcon(self._icon("previous"))
            self.next_button.setIcon(self._icon("next"))
            self.set_playing(self._playing)
            self._set_mute_icon(self.mute_button.isChecked())
