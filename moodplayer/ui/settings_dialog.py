"""The Settings dialog: camera, detector, mood, music folders, catalog, look."""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from moodplayer.ui.settings import (
    EMOTION_WEIGHTS,
    RESOLUTIONS,
    STRATEGIES,
    STRATEGY_WORDS,
    THEMES,
    Settings,
)


class SettingsDialog(QDialog):
    """Edits a :class:`Settings`; writes it only on OK."""

    scan_requested = Signal(list)
    import_requested = Signal(object)

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("moodplayer settings")
        self.settings = settings
        tabs = QTabWidget(self)

        # camera
        camera = QWidget()
        form = QFormLayout(camera)
        self.camera_source = QComboBox()
        self.camera_source.setEditable(True)
        from moodplayer.vision.camera import available_cameras

        for index in available_cameras() or [0]:
            self.camera_source.addItem(f"{index}")
        self.camera_source.setCurrentText(settings.camera_source)
        browse = QPushButton("Video file…")
        browse.clicked.connect(self._choose_video)
        row = QHBoxLayout()
        row.addWidget(self.camera_source, 1)
        row.addWidget(browse)
        form.addRow("Camera (number) or video file", row)
        self.resolution = QComboBox()
        self.resolution.addItems(RESOLUTIONS)
        self.resolution.setEditable(True)
        self.resolution.setCurrentText(settings.camera_resolution)
        form.addRow("Resolution", self.resolution)
        self.min_face = QSpinBox()
        self.min_face.setRange(8, 400)
        self.min_face.setSuffix(" px")
        self.min_face.setValue(settings.detector_min_face)
        form.addRow("Smallest face", self.min_face)
        self.min_conf = QDoubleSpinBox()
        self.min_conf.setRange(0.30, 0.999)
        self.min_conf.setDecimals(3)
        self.min_conf.setSingleStep(0.01)
        self.min_conf.setValue(settings.detector_min_confidence)
        form.addRow("Face detector confidence", self.min_conf)
        note = QLabel("Frames are analysed in memory only: nothing is saved or sent.")
        note.setObjectName("Muted")
        form.addRow(note)
        tabs.addTab(camera, "Camera")

        # mood
        mood = QWidget()
        form = QFormLayout(mood)
        self.strategy = QComboBox()
        for name in STRATEGIES:
            self.strategy.addItem(STRATEGY_WORDS[name], name)
        self.strategy.setCurrentIndex(STRATEGIES.index(settings.strategy))
        form.addRow("Queue strategy", self.strategy)
        self.smoothing = QDoubleSpinBox()
        self.smoothing.setRange(0.0, 30.0)
        self.smoothing.setSuffix(" s")
        self.smoothing.setValue(settings.smoothing_s)
        form.addRow("Mood smoothing (time constant)", self.smoothing)
        self.settle = QDoubleSpinBox()
        self.settle.setRange(0.0, 120.0)
        self.settle.setSuffix(" s")
        self.settle.setValue(settings.settle_s)
        form.addRow("Change the music after the mood held for", self.settle)
        self.weights = QComboBox()
        labels = {
            "moodplayer": "moodplayer's model (default)",
            "deepface": "DeepFace's official weights (if installed)",
        }
        for name in EMOTION_WEIGHTS:
            self.weights.addItem(labels[name], name)
        self.weights.setCurrentIndex(EMOTION_WEIGHTS.index(settings.emotion_weights))
        form.addRow("Emotion model", self.weights)
        note = QLabel("A different emotion model takes effect after a restart.")
        note.setObjectName("Muted")
        form.addRow(note)
        tabs.addTab(mood, "Mood")

        # music
        music = QWidget()
        box = QVBoxLayout(music)
        box.addWidget(QLabel("Music folders (moodplayer only reads them):"))
        self.folders = QListWidget()
        self.folders.addItems(settings.music_folders)
        box.addWidget(self.folders)
        row = QHBoxLayout()
        add = QPushButton("Add…")
        add.clicked.connect(self._add_folder)
        remove = QPushButton("Remove")
        remove.clicked.connect(lambda: self.folders.takeItem(self.folders.currentRow()))
        scan = QPushButton("Scan now")
        scan.clicked.connect(lambda: self.scan_requested.emit(self.folder_list()))
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        row.addWidget(scan)
        box.addLayout(row)
        catalog = QPushButton("Import the MuSe catalog (muse_v3.csv)…")
        catalog.clicked.connect(self._choose_catalog)
        box.addWidget(catalog)
        tabs.addTab(music, "Music")

        # look
        look = QWidget()
        form = QFormLayout(look)
        self.theme = QComboBox()
        self.theme.addItems(THEMES)
        self.theme.setCurrentText(settings.theme)
        form.addRow("Theme", self.theme)
        tabs.addTab(look, "Look")

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(buttons)

    def folder_list(self) -> list[str]:
        return [self.folders.item(i).text() for i in range(self.folders.count())]

    def _choose_video(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "A video file to use as the camera", "", "Videos (*.mp4 *.mkv *.webm *.avi *.mov)"
        )
        if path:
            self.camera_source.setCurrentText(path)

    def _add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a music folder")
        if folder and folder not in self.folder_list():
            self.folders.addItem(folder)

    def _choose_catalog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import the MuSe catalog", "", "CSV files (*.csv)"
        )
        if path:
            self.import_requested.emit(Path(path))

    def accept(self) -> None:
        s = self.settings
        s.camera_source = self.camera_source.currentText()
        with contextlib.suppress(ValueError):  # an unusable resolution keeps the previous one
            s.camera_resolution = self.resolution.currentText().strip()
        s.detector_min_face = self.min_face.value()
        s.detector_min_confidence = self.min_conf.value()
        s.strategy = self.strategy.currentData()
        s.smoothing_s = self.smoothing.value()
        s.settle_s = self.settle.value()
        s.emotion_weights = self.weights.currentData()
        s.music_folders = self.folder_list()
        s.theme = self.theme.currentText()
        s.sync()
        super().accept()
