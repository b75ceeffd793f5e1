"""The moodplayer window: picture, mood, queue and player, in photo, album and live modes.

Everything slow happens in :mod:`moodplayer.ui.workers`; this module only reacts
to results.  Work runs on three lanes:

* ``analysis`` (one thread): loading the models, analysing photos and albums;
* ``db`` (one thread, one SQLite connection): recommendations, feedback, the
  saved queue, the demo library;
* ``tasks`` (a pool): starting libvlc, scanning music folders, importing the catalog.

Live mode adds a capture thread and an analysis thread (see ``workers``).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from moodplayer import __version__
from moodplayer.mood.smoothing import MoodTracker
from moodplayer.mood.vad import NEUTRAL_VAD, Mood
from moodplayer.playback.queue import PlayQueue, QueueEntry
from moodplayer.ui.mood_view import MoodView
from moodplayer.ui.player_bar import PlayerBar
from moodplayer.ui.queue_panel import QueuePanel
from moodplayer.ui.settings import STRATEGIES, STRATEGY_WORDS, Settings
from moodplayer.ui.source_view import FaceBox, SourceView
from moodplayer.ui.theme import apply_theme
from moodplayer.ui.video_area import VideoArea
from moodplayer.ui.workers import (
    AnalysisWorker,
    CaptureConfig,
    CaptureThread,
    Mailbox,
    PlayerEvents,
    TaskRunner,
    freeze_heap,
    wait_threads,
)

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".gif")
QUEUE_LENGTH = 20
#: Jobs whose progress shows in the status bar.
PROGRESS_TASKS = ("models", "demo library", "album", "scan", "import")
#: Brightness (0-1) under which a face-less camera picture counts as covered or dark.
DARK_BRIGHTNESS = 0.12


def is_image(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES


def album_photos(paths: Iterable[Path]) -> list[Path]:
    """Photos in the given files and folders (folders: their own photos, by name)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                sorted(
                    (p for p in path.iterdir() if p.is_file() and is_image(p)),
                    key=lambda p: p.name.lower(),
                )
            )
        elif path.is_file() and is_image(path):
            out.append(path)
    return out


class _Database:
    """One SQLite connection for the db lane's single thread."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._local = threading.local()

    def conn(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            from moodplayer.catalog import store

            conn = store.connect(self.path)
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


class MainWindow(QMainWindow):
    """The application window."""

    #: Emitted with the new mood whenever the shown mood changes (tests, bench).
    mood_changed = Signal(object)
    queue_changed = Signal()
    analyzer_ready = Signal()

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        player_options: Any = None,
        db_path: Path | None = None,
        load_models: bool = True,
        analyzer: Any = None,
        demo_library: bool = True,
        autoplay: bool = True,
        camera_loop: bool = False,
    ) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.player_options = player_options
        self.autoplay = autoplay
        self.camera_loop = camera_loop
        self.setWindowTitle("moodplayer")
        self.setAcceptDrops(True)
        self.resize(1280, 820)

        self.tasks = TaskRunner(parent=self, name="tasks")
        self.analysis_lane = TaskRunner(1, parent=self, name="analysis")
        self.db_lane = TaskRunner(1, parent=self, name="db")
        self._db = _Database(db_path)
        self._analyzer_lock = threading.Lock()

        self.analyzer = None
        self.analyzer_error: str | None = None
        self._lane_analyzer = None
        self._lane_analyzer_error: str | None = None
        self.player = None
        self.player_error: str | None = None
        self.player_events = PlayerEvents(self)
        self.cluster_model = None
        self.queue = PlayQueue()
        self.liked: set[str] = set()
        self.mood: Mood | None = None
        self.cluster: int | None = None
        self.tracker = MoodTracker(
            self._assign, time_constant_s=self.settings.smoothing_s, settle_s=self.settings.settle_s
        )
        self.mode = "idle"  # idle | photo | album | live
        self.album: list[tuple[Path, Any]] = []
        self._album_by_path: dict[str, Any] = {}
        self._rec_request = 0
        self._autoplay_next_plan = False
        self._user_paused = False
        self.capture: CaptureThread | None = None
        self.live_worker: AnalysisWorker | None = None
        self._live_mailbox: Mailbox | None = None
        self._pending_live_start = False
        self._retired: list[CaptureThread] = []
        self._all_workers: list = []  # joined at shutdown
        self.live_updates = 0
        self.live_started_at = 0.0
        self._live_frame_size = (0, 0)
        self._live_stats_at = 0.0
        self._live_stats_counts = (0, 0)
        self.demo_ready = False
        self._shut_down = False
        self._sticky_until = 0.0
        self.startup_done = False

        self._build_ui()
        self._build_menus()
        self._restore_geometry()

        self.player_events.ended.connect(self._on_media_end)
        self.player_events.error.connect(self._on_media_error)
        self.player_events.state.connect(self._on_player_state)
        self._position_timer = QTimer(self)
        self._position_timer.setInterval(250)
        self._position_timer.timeout.connect(self._update_position)
        self._position_timer.start()

        self._demo_library = demo_library
        self._load_models = load_models and analyzer is None
        if analyzer is not None:  # already loaded (tests, benchmarks)
            self.analyzer = self._lane_analyzer = analyzer
            freeze_heap()
        QTimer.singleShot(0, self._start)

    # ==== construction =======================================================================

    def _build_ui(self) -> None:
        self.source_view = SourceView(self)
        self.source_view.retry_requested.connect(self.retry_live)
        self.video_area = VideoArea(self)
        self.video_area.hide()
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.source_view)
        left.addWidget(self.video_area)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 2)

        self.mood_view = MoodView(self)
        self.mood_view.mood_picked.connect(self.set_manual_mood)
        self.mood_view.hold_toggled.connect(self.set_hold)
        self.mood_view.set_strategy(STRATEGY_WORDS[self.settings.strategy])
        self.mood_view.setMinimumWidth(300)

        self.top_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.top_splitter.addWidget(left)
        self.top_splitter.addWidget(self.mood_view)
        self.top_splitter.setStretchFactor(0, 3)
        self.top_splitter.setStretchFactor(1, 2)
        self.top_splitter.setSizes([760, 420])

        self.queue_panel = QueuePanel(self.queue, self)
        self.queue_panel.play_requested.connect(self.play_index)
        self.queue_panel.remove_requested.connect(self.remove_index)
        self.queue_panel.feedback_requested.connect(self.feedback)
        self.queue_panel.open_url.connect(self.open_url)
        self.queue_panel.order_changed.connect(self._queue_edited)

        self.main_splitter = QSplitter(Qt.Orientation.Vertical)
        self.main_splitter.addWidget(self.top_splitter)
        self.main_splitter.addWidget(self.queue_panel)
        self.main_splitter.setStretchFactor(0, 3)
        self.main_splitter.setStretchFactor(1, 2)
        self.main_splitter.setSizes([600, 200])

        self.player_bar = PlayerBar(self)
        self.player_bar.play_pause.connect(self.play_pause)
        self.player_bar.next.connect(self.next_track)
        self.player_bar.previous.connect(self.previous_track)
        self.player_bar.seek.connect(self.seek)
        self.player_bar.volume_changed.connect(self.set_volume)
        self.player_bar.mute_toggled.connect(self.set_muted)
        self.player_bar.set_volume(self.settings.volume, self.settings.muted)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.main_splitter, 1)
        layout.addWidget(self.player_bar)
        self.setCentralWidget(central)

        status = self.statusBar()
        self.mode_label = QLabel("")
        self.mode_label.setObjectName("Muted")
        self.progress_label = QLabel("")
        self.progress_bar = QProgressBar()
        self.progress_bar.setMaximumWidth(160)
        self.progress_bar.setMaximumHeight(14)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.hide()
        status.addPermanentWidget(self.mode_label)
        status.addPermanentWidget(self.progress_label)
        status.addPermanentWidget(self.progress_bar)

    def _action(
        self,
        menu,
        text: str,
        slot,
        shortcut: str | QKeySequence | None = None,
        checkable: bool = False,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setCheckable(checkable)
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        f = bar.addMenu("&File")
        self.open_action = self._action(
            f, "&Open photos…", self.choose_photo, QKeySequence.StandardKey.Open
        )
        self._action(f, "Open &folder as album…", self.choose_folder, "Ctrl+Shift+O")
        f.addSeparator()
        self._action(f, "&Add music folder…", self.choose_music_folder)
        self._action(f, "&Scan music folders", self.scan_music)
        self._action(f, "&Import MuSe catalog…", self.choose_catalog)
        f.addSeparator()
        self._action(f, "Se&ttings…", self.open_settings, "Ctrl+,")
        f.addSeparator()
        self._action(f, "&Quit", self.close, "Ctrl+Q")

        m = bar.addMenu("&Mood")
        self.live_action = self._action(
            m, "&Live camera", self.toggle_live, "Ctrl+L", checkable=True
        )
        self.hold_action = self._action(m, "&Hold this mood", self.set_hold, "H", checkable=True)
        m.addSeparator()
        self.slideshow_action = self._action(
            m, "Album &slideshow", self._slideshow_toggled, checkable=True
        )
        self.slideshow_action.setChecked(self.settings.slideshow)
        strategies = m.addMenu("Queue &strategy")
        group = QActionGroup(self)
        self.strategy_actions: dict[str, QAction] = {}
        for name in STRATEGIES:
            act = QAction(STRATEGY_WORDS[name], self, checkable=True)
            act.setChecked(name == self.settings.strategy)
            act.triggered.connect(lambda _=False, n=name: self.set_strategy(n))
            group.addAction(act)
            strategies.addAction(act)
            self.strategy_actions[name] = act
        m.addSeparator()
        self._action(m, "Follow the mood &again", self.replan)

        p = bar.addMenu("&Playback")
        self._action(p, "&Play / pause", self.play_pause, "Space")
        self._action(p, "&Next", self.next_track, "Ctrl+Right")
        self._action(p, "P&revious", self.previous_track, "Ctrl+Left")
        self._action(p, "Forward 10 s", lambda: self.seek_relative(10), "Right")
        self._action(p, "Back 10 s", lambda: self.seek_relative(-10), "Left")
        self._action(
            p, "Volume up", lambda: self.set_volume(self.settings.volume + 5, True), "Ctrl+Up"
        )
        self._action(
            p, "Volume down", lambda: self.set_volume(self.settings.volume - 5, True), "Ctrl+Down"
        )
        self._action(p, "&Mute", lambda: self.set_muted(not self.settings.muted, True), "M")

        v = bar.addMenu("&View")
        themes = v.addMenu("&Theme")
        tgroup = QActionGroup(self)
        for name in ("system", "light", "dark"):
            act = QAction(name.capitalize(), self, checkable=True)
            act.setChecked(name == self.settings.theme)
            act.triggered.connect(lambda _=False, n=name: self.set_theme(n))
            tgroup.addAction(act)
            themes.addAction(act)

        h = bar.addMenu("&Help")
        self.vlc_help_action = self._action(h, "How to install &VLC…", self._show_vlc_help)
        self.vlc_help_action.setVisible(False)
        self._action(h, "&About moodplayer", self._about)

    def _restore_geometry(self) -> None:
        geometry = self.settings.geometry
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = self.settings.splitter_state
        if not state.isEmpty():
            parts = bytes(state.data()).split(b"\n--\n")
            if len(parts) == 2:
                self.main_splitter.restoreState(QByteArray(parts[0]))
                self.top_splitter.restoreState(QByteArray(parts[1]))

    # ==== start-up ===========================================================================

    def _start(self) -> None:
        """Runs right after the window is shown: everything slow goes to a worker."""
        self.db_lane.submit(
            "restore", self._db_restore, on_result=self._restored, on_error=self._db_failed
        )
        if self._demo_library:
            self.db_lane.submit(
                "demo library",
                self._db_demo,
                on_result=self._demo_ready,
                on_error=self._demo_failed,
                on_progress=self._progress("Demo music"),
                on_finished=self._idle,
            )
        self.tasks.submit(
            "libvlc", self._make_player, on_result=self._player_ready, on_error=self._player_failed
        )
        if self._load_models:
            self.load_models()
        self.startup_done = True

    def load_models(self) -> None:
        self._busy("Loading face and emotion models…", 0, 1)
        self.analysis_lane.submit(
            "models",
            self._load_analyzer,
            on_result=self._analyzer_loaded,
            on_error=self._analyzer_failed,
            on_progress=self._progress("Models"),
            on_finished=self._idle,
        )

    # ---- worker functions (run off the GUI thread) ------------------------------------------

    def _db_restore(self):
        from moodplayer.catalog.clusters import load_cluster_model
        from moodplayer.playback.queue import QueueStore

        conn = self._db.conn()
        model = load_cluster_model(conn)
        try:
            queue = QueueStore(conn).load()
        except Exception as err:  # noqa: BLE001 - a queue that cannot be restored starts empty
            log.warning("could not restore the saved queue: %s", err)
            queue = PlayQueue()
        liked = self._liked_keys(conn)
        return model, queue, liked

    @staticmethod
    def _liked_keys(conn) -> set[str]:
        try:
            rows = conn.execute("SELECT DISTINCT key FROM feedback WHERE kind = 'like'").fetchall()
        except Exception:  # noqa: BLE001 - no feedback table yet
            return set()
        return {r[0] for r in rows}

    def _db_demo(self, progress=None):
        from moodplayer.catalog import demo

        return demo.ensure_demo_library(self._db.conn(), progress=progress)

    def _make_player(self):
        from moodplayer.playback.player import Player

        return Player(self.player_options)

    def _load_analyzer(self, progress=None):
        from moodplayer.analysis import Analyzer, AnalyzerSettings
        from moodplayer.vision.faces import DetectorSettings

        settings = AnalyzerSettings(
            detector=DetectorSettings(
                min_face_size=self.settings.detector_min_face,
                min_confidence=self.settings.detector_min_confidence,
            ),
            emotion_weights=self.settings.emotion_weights,
        )
        analyzer = Analyzer(settings)
        try:
            with self._analyzer_lock:
                analyzer.load(progress=lambda msg, frac: progress and progress(frac, 1.0, msg))
        except Exception as err:
            self._lane_analyzer_error = str(err)
            raise
        freeze_heap()
        # later jobs on this lane use it before the GUI thread hears of it
        self._lane_analyzer = analyzer
        return analyzer

    # ---- results (GUI thread) ---------------------------------------------------------------

    def _restored(self, result) -> None:
        model, queue, liked = result
        self.cluster_model = model
        self.mood_view.set_model(model)
        self.liked = liked
        self.queue_panel.set_liked(liked)
        if len(queue) and not len(self.queue):
            self._set_queue(queue)
            self.status(f"Restored your queue of {len(queue)} songs.")
        if self.mood is not None:
            self._show_mood(self.mood, trail=False)

    def _db_failed(self, err: BaseException) -> None:
        self.status(f"The music database could not be opened: {err}", 0)

    def _demo_ready(self, items) -> None:
        self.demo_ready = True
        self._idle()
        if not len(self.queue) and self.mode == "idle":
            # a first start: something to play straight away
            self._apply_mood(
                Mood(NEUTRAL_VAD, "neutral", 0.0, {}, {"default": 1.0}), replan=True, autoplay=False
            )

    def _demo_failed(self, err: BaseException) -> None:
        self._idle()
        self.status(f"The demo music could not be made: {err}", 0)

    def _player_ready(self, player) -> None:
        self.player = player
        self.player_events.attach(player)
        player.set_volume(self.settings.volume)
        player.set_muted(self.settings.muted)
        win = self.video_area.native_id()
        if win:
            player.set_video_window(win)
        if self._autoplay_next_plan and self.queue.has_playable():
            self._start_playing()

    def _player_failed(self, err: BaseException) -> None:
        from moodplayer.playback.player import install_hint

        self.player_error = str(err)
        self.player_bar.set_unavailable(
            f"Playback is off: {err}"
            if install_hint() in str(err)
            else f"Playback is off: {err} {install_hint()}"
        )
        self.vlc_help_action.setVisible(True)
        self.status("libvlc is missing: moodplayer recommends, but cannot play.", 0)

    def _analyzer_loaded(self, analyzer) -> None:
        self.analyzer = analyzer
        self._idle()
        self.status("Models loaded.")
        self.analyzer_ready.emit()
        if self.mode == "live" and self.live_worker is None and self.capture is not None:
            self._start_live_worker()

    def _analyzer_failed(self, err: BaseException) -> None:
        self.analyzer_error = str(err)
        self._idle()
        self.status(f"The face models could not be loaded: {err}", 0)
        self.source_view.show_message(
            f"The face and emotion models could not be loaded:\n{err}\n\n"
            "You can still set the mood by hand on the right.",
            retry=False,
        )

    # ==== progress / status ==================================================================

    def status(self, text: str, timeout_ms: int = 6000) -> None:
        """Show a message; one shown with ``timeout_ms=0`` (a result or an error) stays at
        least 8 s before routine messages may replace it."""
        now = time.monotonic()
        if timeout_ms and now < self._sticky_until:
            log.info("%s", text)
            return
        self._sticky_until = now + 8.0 if timeout_ms == 0 else 0.0
        self.statusBar().showMessage(text, timeout_ms)

    def _busy(self, text: str, done: float | None, total: float | None) -> None:
        self.progress_label.setText(text)
        if total:
            self.progress_bar.setRange(0, 1000)
            self.progress_bar.setValue(int(1000 * min(1.0, (done or 0) / total)))
        else:
            self.progress_bar.setRange(0, 0)
        self.progress_bar.show()

    def _idle(self) -> None:
        busy = [
            t
            for lane in (self.analysis_lane, self.db_lane, self.tasks)
            for t in lane.active()
            if t.name in PROGRESS_TASKS
        ]
        if busy:
            return
        self.progress_label.setText("")
        self.progress_bar.hide()

    def _progress(self, what: str):
        def report(done, total, message) -> None:
            self._busy(f"{what}: {message}" if message else what, done, total)

        return report

    # ==== moods ==============================================================================

    def _assign(self, vad) -> int:
        return self.cluster_model.assign(vad) if self.cluster_model is not None else 0

    def _cluster_name(self, cluster: int | None) -> str:
        m = self.cluster_model
        if m is None or cluster is None or not (0 <= cluster < len(m.names)):
            return ""
        return m.names[cluster]

    def _show_mood(self, mood: Mood, trail: bool = True) -> None:
        self.mood = mood
        self.cluster = self._assign(mood.vad) if self.cluster_model is not None else None
        self.mood_view.set_mood(
            mood, cluster=self.cluster, cluster_name=self._cluster_name(self.cluster), trail=trail
        )
        self.mood_changed.emit(mood)

    def _apply_mood(self, mood: Mood, *, replan: bool = True, autoplay: bool = True) -> None:
        self._show_mood(mood)
        if replan:
            self._request_queue(mood, autoplay=autoplay)

    def set_manual_mood(self, mood: Mood) -> None:
        """A mood set by hand (plane click or emotion button)."""
        update = self.tracker.set_manual(mood, time.monotonic())
        if self.mode == "live":
            self.set_hold(True)
        self._show_mood(update.mood)
        self.mood_view.set_caption("Mood set by hand.")
        self._request_queue(update.mood, autoplay=True)
        self.status(f"Mood set by hand: {mood.emotion}.")

    def set_hold(self, hold: bool) -> None:
        hold = bool(hold)
        self.tracker.hold = hold
        for w in (self.hold_action, self.mood_view.hold_box):
            w.blockSignals(True)
            w.setChecked(hold)
            w.blockSignals(False)
        self.status("Holding this mood: the music stays." if hold else "Following the mood again.")

    def set_strategy(self, name: str) -> None:
        if name not in STRATEGIES:
            return
        self.settings.strategy = name
        self.strategy_actions[name].setChecked(True)
        self.mood_view.set_strategy(STRATEGY_WORDS[name])
        self.replan()

    def replan(self) -> None:
        if self.mood is not None:
            self._request_queue(self.mood, autoplay=False)

    # ==== recommendations ====================================================================

    def _request_queue(self, mood: Mood, *, autoplay: bool) -> None:
        self._rec_request += 1
        request = self._rec_request
        strategy = self.settings.strategy
        self._autoplay_next_plan = autoplay and self.autoplay
        self.db_lane.submit(
            "recommend",
            self._db_recommend,
            mood.vad,
            strategy,
            on_result=lambda recs: self._queue_planned(request, recs),
            on_error=lambda err: self.status(f"No recommendations: {err}", 0),
        )

    def _db_recommend(self, vad, strategy: str, top: int = QUEUE_LENGTH, exclude=()):
        from moodplayer.catalog.recommend import recommend

        return recommend(
            vad, top=top, strategy=strategy, conn=self._db.conn(), exclude=tuple(exclude)
        )

    def _queue_planned(self, request: int, recs: list) -> None:
        if request != self._rec_request:
            return  # a newer mood asked for another queue meanwhile
        playing = self._is_playing()
        keep = [
            e.item for e in self.queue if e.key in self.liked and e is not self.queue.current_entry
        ]
        self.queue.replace(list(recs) + keep, keep_current=playing)
        self._queue_edited()
        self.status(f"Queue follows the mood: {len(recs)} songs.")
        if self._autoplay_next_plan and not playing:
            self._autoplay_next_plan = False
            self._start_playing()

    def _set_queue(self, queue: PlayQueue) -> None:
        self.queue = queue
        self.queue_panel.set_queue(queue)
        self.queue_changed.emit()

    def _queue_edited(self) -> None:
        self.queue_panel.refresh()
        self.queue_changed.emit()
        self._save_queue()

    def _save_queue(self) -> None:
        snapshot = PlayQueue(
            [QueueEntry(e.item, e.origin, e.unplayable) for e in self.queue],
            self.queue.current,
        )
        self.db_lane.submit(
            "save queue",
            self._db_save_queue,
            snapshot,
            on_error=lambda err: log.warning("queue not saved: %s", err),
        )

    def _db_save_queue(self, snapshot: PlayQueue) -> None:
        from moodplayer.playback.queue import QueueStore

        QueueStore(self._db.conn()).save(snapshot)

    # ==== queue actions ======================================================================

    def feedback(self, kind: str, row: int) -> None:
        if not (0 <= row < len(self.queue)):
            return
        entry = self.queue[row]
        cluster = self.cluster if self.cluster is not None else getattr(entry.item, "cluster", None)
        artist = getattr(entry.item, "artist", None)
        self.db_lane.submit(
            "feedback",
            self._db_feedback,
            entry.key,
            kind,
            cluster,
            artist,
            on_error=lambda err: self.status(f"Feedback not saved: {err}", 0),
        )
        title = getattr(entry.item, "track", entry.key)
        if kind == "like":
            self.liked.add(entry.key)
            self.queue_panel.set_liked(self.liked)
            self.status(f"Liked “{title}”: more like it for this mood.")
            self._queue_edited()
            return
        was_current = row == self.queue.current
        self.queue.remove(row)
        self.liked.discard(entry.key)
        self.queue_panel.set_liked(self.liked)
        if was_current:
            self._advance(stop_if_none=True)
        self._queue_edited()
        word = "Skipped" if kind == "skip" else "Banned"
        self.status(f"{word} “{title}”.")

    def _db_feedback(self, key: str, kind: str, cluster, artist) -> None:
        from moodplayer.catalog import feedback

        feedback.record(self._db.conn(), key, kind, cluster=cluster, artist=artist)

    def remove_index(self, row: int) -> None:
        if not (0 <= row < len(self.queue)):
            return
        was_current = row == self.queue.current
        self.queue.remove(row)
        if was_current:
            self._advance(stop_if_none=True)
        self._queue_edited()

    def open_url(self, url: str) -> None:
        QDesktopServices.openUrl(QUrl(url))
        self.status(f"Opened {url} in your browser.")

    # ==== playback ===========================================================================

    def _is_playing(self) -> bool:
        if self.player is None or self.player.path is None:
            return False
        from moodplayer.playback.player import PlayerState

        return self.player.state() in (
            PlayerState.PLAYING,
            PlayerState.PAUSED,
            PlayerState.OPENING,
            PlayerState.BUFFERING,
        )

    def _start_playing(self) -> None:
        if self.player is None:
            self._autoplay_next_plan = True  # play once libvlc is ready
            return
        entry = self.queue.current_entry
        if entry is not None and entry.playable:
            self._play_entry(self.queue.current)
            return
        if self.queue.next() is not None:
            self._play_entry(self.queue.current)

    def play_index(self, row: int) -> None:
        if self.queue.jump(row) is None:
            return
        self._play_entry(row)

    def _play_entry(self, row: int) -> None:
        """Load and play queue row ``row`` (already made current)."""
        from moodplayer.errors import PlaybackError

        entry = self.queue[row]
        if self.player is None:
            self.status(self.player_error or "The player is still starting.")
            self.queue_panel.refresh()
            return
        try:
            self.player.load(entry.item.path)
            self.player.play()
        except PlaybackError as err:
            self.queue.mark_unplayable(row, str(err))
            self.status(f"Skipped: {err}", 8000)
            self._advance(stop_if_none=True)
            self._queue_edited()
            return
        self._user_paused = False
        item = entry.item
        self.video_area.setVisible(bool(getattr(item, "is_video", False)))
        self.player_bar.set_now_playing(
            f"{getattr(item, 'track', '')} — {getattr(item, 'artist', '')}"
        )
        self.player_bar.set_playing(True)
        self.db_lane.submit(
            "play history",
            self._db_feedback,
            entry.key,
            "play",
            self.cluster,
            getattr(item, "artist", None),
        )
        if self.mode == "album" and self.slideshow_action.isChecked() and entry.origin:
            self._show_album_photo(entry.origin)
        self._queue_edited()

    def _advance(self, *, stop_if_none: bool) -> bool:
        entry = self.queue.next()
        if entry is not None:
            self._play_entry(self.queue.current)
            return True
        if stop_if_none and self.player is not None:
            self.player.stop()
            self.player_bar.set_playing(False)
            self.video_area.hide()
        return False

    def _on_media_end(self) -> None:
        if self._advance(stop_if_none=False):
            return
        # the end of the queue: find more songs for the same mood
        self.player_bar.set_playing(False)
        self.video_area.hide()
        if self.mood is None:
            return
        exclude = self.queue.keys()
        self.db_lane.submit(
            "more",
            self._db_recommend,
            self.mood.vad,
            self.settings.strategy,
            QUEUE_LENGTH,
            exclude,
            on_result=self._continue_queue,
        )

    def _continue_queue(self, recs: list) -> None:
        added = self.queue.extend(recs)
        if added and self.queue.peek_next() is not None:
            self._advance(stop_if_none=True)
        else:
            self.status("The queue has ended.")
        self._queue_edited()

    def _on_media_error(self, message: str) -> None:
        row = self.queue.current
        if row >= 0:
            self.queue.mark_unplayable(row, message)
        self.status(f"Skipped: {message}", 8000)
        self._advance(stop_if_none=True)
        self._queue_edited()

    def _on_player_state(self, state) -> None:
        from moodplayer.playback.player import PlayerState

        self.player_bar.set_playing(state in (PlayerState.PLAYING, PlayerState.OPENING))
        self.queue_panel.set_active(
            state in (PlayerState.PLAYING, PlayerState.OPENING, PlayerState.PAUSED)
        )

    def play_pause(self) -> None:
        if self.player is None:
            self.status(self.player_error or "The player is still starting.")
            return
        if self.player.path is None or self.queue.current_entry is None:
            self._start_playing()
            return
        from moodplayer.playback.player import PlayerState

        state = self.player.state()
        if state in (PlayerState.ENDED, PlayerState.STOPPED, PlayerState.ERROR):
            self._play_entry(self.queue.current)
        else:
            self.player.toggle_pause()
            self._user_paused = state == PlayerState.PLAYING

    def next_track(self) -> None:
        if self.player is not None:
            self._advance(stop_if_none=False)

    def previous_track(self) -> None:
        if self.player is None:
            return
        if self.player.position_s() > 4:
            self.player.seek(0)
            return
        if self.queue.previous() is not None:
            self._play_entry(self.queue.current)

    def seek(self, seconds: float) -> None:
        if self.player is not None and self.player.path is not None:
            self.player.seek(seconds)

    def seek_relative(self, delta: float) -> None:
        if self.player is not None and self.player.path is not None:
            self.player.seek(self.player.position_s() + delta)

    def set_volume(self, volume: int, update_bar: bool = False) -> None:
        volume = max(0, min(100, int(volume)))
        self.settings.volume = volume
        if self.player is not None:
            self.player.set_volume(volume)
        if update_bar:
            self.player_bar.set_volume(volume, self.settings.muted)

    def set_muted(self, muted: bool, update_bar: bool = False) -> None:
        self.settings.muted = bool(muted)
        if self.player is not None:
            self.player.set_muted(bool(muted))
        if update_bar:
            self.player_bar.set_volume(self.settings.volume, bool(muted))

    def _update_position(self) -> None:
        if self.player is None or self.player.path is None:
            return
        self.player_bar.set_position(self.player.position_s(), self.player.duration_s())

    # ==== photos and albums ==================================================================

    def choose_photo(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Open photos",
            self.settings.last_folder,
            "Photos (" + " ".join(f"*{s}" for s in IMAGE_SUFFIXES) + ");;All files (*)",
        )
        if files:
            self.settings.last_folder = str(Path(files[0]).parent)
            self.open_paths([Path(f) for f in files])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Open a folder of photos", self.settings.last_folder
        )
        if folder:
            self.settings.last_folder = folder
            self.open_paths([Path(folder)])

    def open_paths(self, paths: Sequence[Path]) -> None:
        """One photo: photo mode. Several photos or a folder: album mode."""
        paths = [Path(p) for p in paths]
        if len(paths) == 1 and paths[0].is_file() and is_image(paths[0]):
            self.open_photo(paths[0])
            return
        photos = album_photos(paths)
        if not photos:
            self.status("No photos there (JPEG, PNG, BMP, WebP, TIFF or GIF).", 0)
            return
        if len(photos) == 1:
            self.open_photo(photos[0])
        else:
            self.open_album(photos)

    def open_photo(self, path: Path) -> None:
        self.stop_live()
        self.mode = "photo"
        self.mode_label.setText(f"photo · {path.name}")
        self.source_view.clear_message()
        self.source_view.set_hint("Reading the photo…")
        self.status(f"Analysing {path.name}…", 60000)
        self.analysis_lane.submit(
            "photo",
            self._analyse_photo,
            path,
            on_result=self._photo_analysed,
            on_error=lambda err: self._photo_failed(path, err),
        )

    def _analyse_photo(self, path: Path):
        analyzer = self._require_analyzer()
        with self._analyzer_lock:
            return analyzer.analyze_path(path)

    def _require_analyzer(self):
        # runs on the analysis lane, after the model-loading job
        if self._lane_analyzer is not None:
            return self._lane_analyzer
        from moodplayer.errors import ModelLoadError

        raise ModelLoadError(
            self._lane_analyzer_error or "The face and emotion models are not loaded."
        )

    def _photo_analysed(self, result) -> None:
        if self.mode != "photo":
            return
        self._show_analysis(result)
        self.tracker.reset()
        self.mood_view.plane.clear_trail()
        self._apply_mood(result.mood, replan=True, autoplay=True)
        self.status(_faces_sentence(result))

    def _photo_failed(self, path: Path, err: BaseException) -> None:
        self.source_view.set_hint("")
        self.source_view.show_message(f"{path.name} could not be read:\n{err}", retry=False)
        self.status(str(err), 0)

    def _show_analysis(self, result, *, image=True) -> None:
        if image and result.image is not None:
            self.source_view.set_image(result.image)
        scale = float(getattr(result, "scale", 1.0) or 1.0)
        size = (
            (round(result.width * scale), round(result.height * scale))
            if image and result.image is not None
            else (result.width, result.height)
        )
        s = scale if image and result.image is not None else 1.0
        faces = [
            FaceBox(
                tuple(int(round(v * s)) for v in f.box),
                f.emotion,
                float(f.probabilities.get(f.emotion, 0.0)),
            )
            for f in result.faces
        ]
        self.source_view.set_faces(faces, size)
        self.source_view.set_hint("" if result.faces else "No face: the mood comes from the scene")
        self.mood_view.set_caption(result.caption)

    def open_album(self, photos: list[Path]) -> None:
        self.stop_live()
        self.mode = "album"
        self.album = []
        self._album_by_path = {}
        self.mode_label.setText(f"album · {len(photos)} photos")
        self.source_view.clear_message()
        self.status(f"Reading {len(photos)} photos…", 60000)
        self.analysis_lane.submit(
            "album",
            self._analyse_album,
            photos,
            on_result=self._album_analysed,
            on_progress=self._progress("Album"),
            on_finished=self._idle,
            on_error=lambda err: self.status(f"Album failed: {err}", 0),
        )

    def _analyse_album(self, photos: list[Path], progress=None, cancel=None):
        from moodplayer.errors import ImageLoadError

        analyzer = self._require_analyzer()
        results = []
        for i, path in enumerate(photos):
            if cancel and cancel():
                break
            try:
                with self._analyzer_lock:
                    results.append((path, analyzer.analyze_path(path)))
            except ImageLoadError as err:
                log.warning("album: skipping %s: %s", path, err)
            if progress:
                progress(i + 1, len(photos), path.name)
        return results

    def _album_analysed(self, results) -> None:
        self._idle()
        if self.mode != "album":
            return
        if not results:
            self.status("None of those photos could be read.", 0)
            return
        self.album = results
        self._album_by_path = {str(p): r for p, r in results}
        first_path, first = results[0]
        self._show_album_photo(str(first_path))
        per_photo = max(2, min(4, QUEUE_LENGTH // len(results)))
        moods = [(str(p), r.mood.vad) for p, r in results]
        self._rec_request += 1
        request = self._rec_request
        self.db_lane.submit(
            "album queue",
            self._db_album_queue,
            moods,
            per_photo,
            self.settings.strategy,
            on_result=lambda plan: self._album_planned(request, plan),
        )

    def _db_album_queue(self, moods, per_photo: int, strategy: str):
        from moodplayer.catalog.recommend import recommend

        taken: set[str] = set()
        plan = []
        for origin, vad in moods:
            recs = recommend(
                vad, top=per_photo, strategy=strategy, conn=self._db.conn(), exclude=tuple(taken)
            )
            for r in recs:
                taken.add(r.key)
                plan.append((r, origin))
        return plan

    def _album_planned(self, request: int, plan) -> None:
        if request != self._rec_request:
            return
        queue = PlayQueue([QueueEntry(item, origin) for item, origin in plan])
        if self.player is not None:
            self.player.stop()
        self._set_queue(queue)
        self._queue_edited()
        self.status(f"Album soundtrack: {len(queue)} songs for {len(self.album)} photos.")
        if self.autoplay:
            self._start_playing()

    def _show_album_photo(self, origin: str) -> None:
        result = self._album_by_path.get(origin)
        if result is None:
            return
        self._show_analysis(result)
        self._show_mood(result.mood)
        index = next((i for i, (p, _) in enumerate(self.album) if str(p) == origin), 0)
        self.mode_label.setText(
            f"album · photo {index + 1} of {len(self.album)} · {Path(origin).name}"
        )

    def _slideshow_toggled(self, on: bool) -> None:
        self.settings.slideshow = bool(on)
        entry = self.queue.current_entry
        if on and self.mode == "album" and entry is not None and entry.origin:
            self._show_album_photo(entry.origin)

    # ==== live camera ========================================================================

    def toggle_live(self, on: bool | None = None) -> None:
        if on is None:
            on = self.mode != "live"
        if on:
            self.start_live()
        else:
            self.stop_live()

    def start_live(self, source: int | str | None = None) -> None:
        """Start the camera (or a video file) and follow the mood."""
        if source is not None:
            self.settings.camera_source = str(source)
        self.mode = "live"
        self.live_action.setChecked(True)
        self.tracker.reset()
        self.mood_view.plane.clear_trail()
        self.source_view.clear_message()
        self.source_view.set_faces([], (0, 0))
        self.source_view.frames_shown = 0
        self.live_updates = 0
        if self.capture is not None:
            self._retire_capture()
        if any(c.isRunning() for c in self._retired):
            self._pending_live_start = True  # starts when the old capture has let go
            return
        self._start_capture()

    def _start_capture(self) -> None:
        self._pending_live_start = False
        if self.mode != "live":
            return
        w, h = self.settings.resolution
        config = CaptureConfig(self.settings.camera_source, w, h, loop=self.camera_loop)
        self._live_mailbox = Mailbox()
        capture = CaptureThread(config, self._live_mailbox)
        capture.frame_ready.connect(self._on_frame_ready)
        capture.opened.connect(self._on_capture_opened)
        capture.failed.connect(self._on_capture_failed)
        capture.finished.connect(lambda c=capture: self._capture_finished(c))
        self.capture = capture
        self._all_workers = [w for w in self._all_workers if w.isRunning()] + [capture]
        self.live_updates = 0
        self.live_started_at = time.monotonic()
        self._live_stats_at = self.live_started_at
        self._live_stats_counts = (0, 0)
        self.source_view.frames_shown = 0
        self.source_view.set_hint("Starting the camera…")
        capture.start()
        if self.analyzer is not None:
            self._start_live_worker()
        else:
            self.source_view.set_hint("Loading the face models…")

    def _start_live_worker(self) -> None:
        if self._live_mailbox is None or self.analyzer is None:
            return
        analyzer = self.analyzer
        analyzer.reset_tracking()
        worker = AnalysisWorker(analyzer.analyze_frame, self._live_mailbox, self._analyzer_lock)
        worker.analysed.connect(self._on_live_analysis)
        worker.failed.connect(lambda msg: self.status(msg, 0))
        self.live_worker = worker
        self._all_workers = [w for w in self._all_workers if w.isRunning()] + [worker]
        worker.start()

    def _retire_capture(self) -> None:
        capture, self.capture = self.capture, None
        if capture is None:
            return
        capture.stop()
        if capture.isRunning():
            self._retired.append(capture)

    def _capture_finished(self, capture: CaptureThread) -> None:
        if capture in self._retired:
            self._retired.remove(capture)
            if self._pending_live_start and not any(c.isRunning() for c in self._retired):
                self._start_capture()

    def stop_live(self) -> None:
        """Stop the camera and the live analysis (without waiting for them)."""
        was_live = self.mode == "live"
        self._pending_live_start = False
        if self.live_worker is not None:
            self.live_worker.stop()
            self.live_worker = None
        self._retire_capture()
        if self._live_mailbox is not None:
            self._live_mailbox.close()
            self._live_mailbox = None
        if was_live:
            self.mode = "idle"
            self.source_view.set_hint("")
            self.mode_label.setText("")
        self.live_action.setChecked(False)

    def retry_live(self) -> None:
        self.source_view.clear_message()
        self.start_live()

    def _on_capture_opened(self, description: str, fps: float) -> None:
        self.source_view.set_hint("")
        self.mode_label.setText(f"live · {description}")
        self.status(
            f"Reading {description} at {fps:.0f} frames per second. "
            "Frames stay in memory; nothing is saved or sent."
        )

    def _on_capture_failed(self, kind: str, message: str) -> None:
        if self.live_worker is not None:
            self.live_worker.stop()
            self.live_worker = None
        self.source_view.set_hint("")
        self.source_view.show_message(message, retry=True)
        self.status(message, 0)
        self.mode_label.setText(f"live · {kind}")

    def _on_frame_ready(self) -> None:
        capture = self.sender() if isinstance(self.sender(), CaptureThread) else self.capture
        if capture is None or capture is not self.capture:
            return
        frame = capture.latest_frame()
        if frame is None:
            return
        self._live_frame_size = (frame.rgb.shape[1], frame.rgb.shape[0])
        self.source_view.show_frame(frame.rgb)
        now = time.monotonic()
        if now - self._live_stats_at >= 1.0:
            frames, updates = self._live_stats_counts
            dt = now - self._live_stats_at
            fps = (self.source_view.frames_shown - frames) / dt
            ups = (self.live_updates - updates) / dt
            self._live_stats_at = now
            self._live_stats_counts = (self.source_view.frames_shown, self.live_updates)
            label = self.mode_label.text().split("  ·  ")[0]
            self.mode_label.setText(f"{label}  ·  {fps:.0f} fps · {ups:.1f} moods/s")

    def _on_live_analysis(self, result, _index: int, _seconds: float) -> None:
        if self.mode != "live" or self.sender() is not self.live_worker:
            return
        self.live_updates += 1
        self._show_analysis(result, image=False)
        if not result.faces:
            dark = float(getattr(result, "brightness", 0.5)) < DARK_BRIGHTNESS
            self.source_view.set_hint(
                "The picture is very dark: is the camera covered?"
                if dark
                else "No face in view: the mood follows the scene"
            )
        update = self.tracker.update(result.mood, time.monotonic())
        self._show_mood(update.mood)
        if update.pending_cluster is not None and not update.held:
            self.mood_view.set_pending(
                f"moving to {update.pending_cluster + 1} ({update.pending_fraction * 100:.0f}%)"
            )
        else:
            self.mood_view.set_pending("held" if update.held else "")
        if update.replan:
            self._request_queue(update.mood, autoplay=True)

    # ==== music folders and catalog ==========================================================

    def choose_music_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a music folder")
        if folder:
            folders = self.settings.music_folders
            if folder not in folders:
                self.settings.music_folders = [*folders, folder]
            self.scan_music([folder])

    def scan_music(self, folders: Sequence[str] | None = None):
        """Index the music folders (a worker with progress; cancellable)."""
        folders = list(folders or self.settings.music_folders)
        task = self.tasks.submit(
            "scan",
            self._scan_worker,
            folders,
            on_progress=self._progress("Scanning music"),
            on_finished=self._idle,
            on_result=self._scan_done,
            on_error=lambda err: (self._idle(), self.status(f"Scan failed: {err}", 0)),
        )
        self._busy("Scanning music…", 0, 0)
        return task

    def _scan_worker(self, folders, progress=None, cancel=None):
        from moodplayer.catalog import library, store

        conn = store.connect(self._db.path)
        try:
            library.ensure_schema(conn)
            for folder in folders:
                library.add_folder(conn, folder)
            return library.scan(conn, progress=progress, cancel=cancel)
        finally:
            conn.close()

    def _scan_done(self, report) -> None:
        self._idle()
        self.status(report.summary(), 0)
        self.replan()

    def choose_catalog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import the MuSe catalog", self.settings.last_folder, "CSV files (*.csv)"
        )
        if path:
            self.import_catalog(Path(path))

    def import_catalog(self, path: Path):
        self._busy("Importing the catalog…", 0, 0)
        return self.tasks.submit(
            "import",
            self._import_worker,
            path,
            on_progress=self._progress("Importing MuSe"),
            on_finished=self._idle,
            on_result=self._import_done,
            on_error=lambda err: (self._idle(), self.status(f"Import failed: {err}", 0)),
        )

    def _import_worker(self, path: Path, progress=None):
        from moodplayer.catalog import store
        from moodplayer.catalog.clusters import load_cluster_model
        from moodplayer.catalog.muse import import_muse

        conn = store.connect(self._db.path)
        try:
            report = import_muse(
                path, conn, progress=lambda msg, frac: progress and progress(frac, 1.0, msg)
            )
            return report, load_cluster_model(conn)
        finally:
            conn.close()

    def _import_done(self, result) -> None:
        report, model = result
        self._idle()
        self.cluster_model = model
        self.mood_view.set_model(model)
        self.status(report.summary(), 0)
        self.replan()

    # ==== settings, theme, help ==============================================================

    def open_settings(self) -> None:
        from moodplayer.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        dialog.scan_requested.connect(lambda folders: self.scan_music(folders))
        dialog.import_requested.connect(self.import_catalog)
        if dialog.exec():
            self.apply_settings()

    def apply_settings(self) -> None:
        s = self.settings
        self.tracker.configure(time_constant_s=s.smoothing_s, settle_s=s.settle_s)
        for name, act in self.strategy_actions.items():
            act.setChecked(name == s.strategy)
        self.mood_view.set_strategy(STRATEGY_WORDS[s.strategy])
        if self.analyzer is not None:
            self.analysis_lane.submit("detector settings", self._apply_detector_settings)
        self.replan()

    def _apply_detector_settings(self) -> None:
        from moodplayer.vision.faces import DetectorSettings

        detector = DetectorSettings(
            min_face_size=self.settings.detector_min_face,
            min_confidence=self.settings.detector_min_confidence,
        )
        with self._analyzer_lock:
            a = self.analyzer
            a.settings = dataclasses.replace(a.settings, detector=detector)
            a.detector.settings = detector

    def set_theme(self, name: str) -> None:
        self.settings.theme = name
        app = QApplication.instance()
        if app is not None:
            apply_theme(app, name)
        self.mood_view.plane.update()

    def _show_vlc_help(self) -> None:
        from moodplayer.playback.player import install_hint

        QMessageBox.information(
            self,
            "Playing music needs VLC",
            "moodplayer plays music with libvlc, the engine of VLC media player, which is not "
            f"installed here.\n\n{install_hint()}\n\nThen start moodplayer again. Until then it "
            "still reads moods and recommends songs, with links to listen elsewhere.",
        )

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About moodplayer",
            f"<b>moodplayer {__version__}</b><p>Reads the mood of a face or a photo and plays "
            "music that fits it.</p><p>Faces: MTCNN. Emotions: DeepFace's client with "
            "moodplayer's weights. Songs and moods: the MuSe dataset (Akiki &amp; Burghardt, "
            "2021). Playback: libvlc.</p><p>No picture leaves your computer.</p>",
        )

    # ==== drag and drop ======================================================================

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if any(u.isLocalFile() for u in urls):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.open_paths(paths)

    # ==== shutdown ===========================================================================

    def closeEvent(self, event) -> None:  # noqa: N802
        self.settings.geometry = self.saveGeometry()
        self.settings.splitter_state = QByteArray(
            bytes(self.main_splitter.saveState().data())
            + b"\n--\n"
            + bytes(self.top_splitter.saveState().data())
        )
        self.settings.sync()
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop threads and libvlc; waits (briefly) because the window is going away."""
        if self._shut_down:
            return
        self._shut_down = True
        self.stop_live()
        wait_threads(*[w for w in self._all_workers if w.isRunning()])
        self._all_workers.clear()
        self._position_timer.stop()
        for lane in (self.tasks, self.analysis_lane):
            lane.cancel_all()
        self._save_queue()
        for lane in (self.db_lane, self.tasks, self.analysis_lane):
            lane.wait(5000)
        self.db_lane.submit("close", self._db.close)
        self.db_lane.wait(2000)
        for lane in (self.db_lane, self.tasks, self.analysis_lane):
            lane.shutdown()
        if self.player is not None:
            self.player.close()
            self.player = None


def _faces_sentence(result) -> str:
    n = len(result.faces)
    if n == 0:
        return "No faces found: the mood comes from the scene."
    who = "1 face" if n == 1 else f"{n} faces"
    return f"Found {who}; the mood is {result.mood.emotion}."
