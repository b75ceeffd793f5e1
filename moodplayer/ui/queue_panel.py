"""The queue: what plays next, why, and what the user thinks of it."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from moodplayer.playback.queue import PlayQueue, QueueEntry
from moodplayer.ui.theme import cluster_colour

ROW_MIME = "application/x-moodplayer-queue-row"

COLUMNS = ("", "Title", "Artist", "Mood cluster", "Plays")


def _item_text(entry: QueueEntry, column: int) -> str:
    item = entry.item
    if column == 1:
        return str(getattr(item, "track", "") or entry.key)
    if column == 2:
        return str(getattr(item, "artist", ""))
    if column == 3:
        name = getattr(item, "cluster_name", "") or ""
        cluster = getattr(item, "cluster", None)
        return f"{cluster + 1} · {name}" if isinstance(cluster, int) else name
    if column == 4:
        if entry.unplayable:
            return "unplayable"
        if entry.playable:
            kind = "video" if getattr(item, "is_video", False) else "audio"
            source = getattr(item, "source", "")
            return f"here · {kind}" + (" (demo)" if source == "demo" else "")
        return "catalog only"
    return ""


class QueueModel(QAbstractTableModel):
    """Table over a :class:`PlayQueue`; rows can be dragged to reorder."""

    moved = Signal(int, int)

    def __init__(self, queue: PlayQueue, parent=None) -> None:
        super().__init__(parent)
        self.queue = queue
        self.liked: set[str] = set()
        #: True while the current entry is loaded in the player (playing or paused).
        self.active = False

    def set_queue(self, queue: PlayQueue) -> None:
        self.beginResetModel()
        self.queue = queue
        self.endResetModel()

    def refresh(self) -> None:
        self.beginResetModel()
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.queue)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.queue):
            return None
        entry = self.queue[index.row()]
        col = index.column()
        current = index.row() == self.queue.current
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                mark = ("▶" if self.active else "›") if current else ""
                return mark + (" ♥" if entry.key in self.liked else "")
            return _item_text(entry, col)
        if role == Qt.ItemDataRole.FontRole and current and self.active:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == 3 and isinstance(getattr(entry.item, "cluster", None), int):
                return QBrush(cluster_colour(entry.item.cluster))
            if not entry.playable and col != 0:
                return QBrush(QColor("#8c959f"))
        if role == Qt.ItemDataRole.ToolTipRole:
            item = entry.item
            lines = [f"{getattr(item, 'track', '')} — {getattr(item, 'artist', '')}"]
            reason = getattr(item, "reason", "")
            if reason:
                lines.append(reason)
            seeds = getattr(item, "seeds", None)
            if seeds:
                lines.append("tags: " + ", ".join(list(seeds)[:6]))
            if entry.unplayable:
                lines.append(f"Could not be played: {entry.unplayable}")
            elif not entry.playable:
                lines.append("Not on this computer: use Open in Spotify or Find the music video.")
            return "\n".join(lines)
        return None

    def flags(self, index: QModelIndex):
        base = super().flags(index)
        if index.isValid():
            return base | Qt.ItemFlag.ItemIsDragEnabled
        return base | Qt.ItemFlag.ItemIsDropEnabled

    def supportedDropActions(self):  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeTypes(self):  # noqa: N802
        return [ROW_MIME]

    def mimeData(self, indexes):  # noqa: N802
        data = QMimeData()
        rows = sorted({i.row() for i in indexes})
        data.setData(ROW_MIME, str(rows[0] if rows else -1).encode())
        return data

    def dropMimeData(self, data, action, row, _column, parent):  # noqa: N802
        if not data.hasFormat(ROW_MIME):
            return False
        source = int(bytes(data.data(ROW_MIME)).decode() or -1)
        if source < 0:
            return False
        target = row if row >= 0 else (parent.row() if parent.isValid() else len(self.queue))
        if target > source:
            target -= 1
        self.move(source, target)
        return False  # we moved the row ourselves; the view must not delete anything

    def move(self, source: int, destination: int) -> None:
        if source == destination or not (0 <= source < len(self.queue)):
            return
        destination = max(0, min(len(self.queue) - 1, destination))
        self.layoutAboutToBeChanged.emit()
        self.queue.move(source, destination)
        self.layoutChanged.emit()
        self.moved.emit(source, destination)


class QueuePanel(QWidget):
    """Queue table with its buttons; the window does the work behind each signal."""

    play_requested = Signal(int)
    remove_requested = Signal(int)
    feedback_requested = Signal(str, int)  # like / skip / ban, row
    open_url = Signal(str)
    order_changed = Signal()

    def __init__(self, queue: PlayQueue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = QueueModel(queue, self)
        self.model.moved.connect(lambda *_: self.order_changed.emit())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        head = QHBoxLayout()
        self.title = QLabel("Queue")
        self.title.setObjectName("Heading")
        self.summary = QLabel("")
        self.summary.setObjectName("Muted")
        head.addWidget(self.title)
        head.addWidget(self.summary)
        head.addStretch(1)
        layout.addLayout(head)

        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setDragEnabled(True)
        self.table.setAcceptDrops(True)
        self.table.setDropIndicatorShown(True)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.table.setDefaultDropAction(Qt.DropAction.MoveAction)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(0, 34)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(2, 170)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(4, 165)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.doubleClicked.connect(self._activated)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        layout.addWidget(self.table, 1)

        row = QHBoxLayout()
        row.setSpacing(4)

        def button(text: str, tip: str, slot) -> QPushButton:
            b = QPushButton(text)
            b.setToolTip(tip)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(slot)
            row.addWidget(b)
            return b

        self.play_button = button(
            "Play", "Play the selected song (Enter)", lambda: self._emit_row(self.play_requested)
        )
        self.up_button = button("Up", "Move up (Alt+Up)", lambda: self.move_selected(-1))
        self.down_button = button("Down", "Move down (Alt+Down)", lambda: self.move_selected(1))
        self.remove_button = button(
            "Remove",
            "Remove from the queue (Delete)",
            lambda: self._emit_row(self.remove_requested),
        )
        row.addSpacing(10)
        self.like_button = button(
            "♥ Like", "More like this for this mood", lambda: self._feedback("like")
        )
        self.skip_button = button(
            "Skip",
            "Not now: skip it, and play it less for this mood",
            lambda: self._feedback("skip"),
        )
        self.ban_button = button("Ban", "Never for this mood", lambda: self._feedback("ban"))
        row.addStretch(1)
        self.spotify_button = button(
            "Open in Spotify",
            "Open the song in Spotify (browser)",
            lambda: self._open("spotify_url"),
        )
        self.video_button = button(
            "Find the music video",
            "Search for the song's music video",
            lambda: self._open("video_search_url"),
        )
        layout.addLayout(row)
        self._update_buttons()

    # ---- state ------------------------------------------------------------------------------

    @property
    def queue(self) -> PlayQueue:
        return self.model.queue

    def set_queue(self, queue: PlayQueue) -> None:
        self.model.set_queue(queue)
        self.refresh()

    def refresh(self) -> None:
        selected = self.selected_row()
        self.model.refresh()
        if 0 <= selected < len(self.queue):
            self.table.selectRow(selected)
        q = self.queue
        if 0 <= q.current < len(q):
            self.table.scrollTo(self.model.index(q.current, 0))
        here = sum(1 for e in q if e.playable)
        self.summary.setText(f"{len(q)} songs · {here} playable here" if len(q) else "empty")
        self._update_buttons()

    def set_active(self, active: bool) -> None:
        """Mark the current entry as loaded in the player (▶) or just the place to resume (›)."""
        if active != self.model.active:
            self.model.active = active
            self.model.refresh()

    def set_liked(self, keys: set[str]) -> None:
        self.model.liked = set(keys)
        self.model.refresh()

    def selected_row(self) -> int:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return rows[0].row() if rows else -1

    def select_row(self, row: int) -> None:
        if 0 <= row < len(self.queue):
            self.table.selectRow(row)

    def _target_row(self) -> int:
        row = self.selected_row()
        return row if row >= 0 else self.queue.current

    def _update_buttons(self) -> None:
        row = self._target_row()
        entry = self.queue[row] if 0 <= row < len(self.queue) else None
        for b in (
            self.remove_button,
            self.like_button,
            self.skip_button,
            self.ban_button,
            self.up_button,
            self.down_button,
        ):
            b.setEnabled(entry is not None)
        self.play_button.setEnabled(entry is not None and entry.playable)
        self.spotify_button.setEnabled(bool(entry and getattr(entry.item, "spotify_url", None)))
        self.video_button.setEnabled(bool(entry and getattr(entry.item, "video_search_url", None)))

    # ---- actions ----------------------------------------------------------------------------

    def _emit_row(self, signal) -> None:
        row = self._target_row()
        if 0 <= row < len(self.queue):
            signal.emit(row)

    def _feedback(self, kind: str) -> None:
        row = self._target_row()
        if 0 <= row < len(self.queue):
            self.feedback_requested.emit(kind, row)

    def _open(self, attribute: str) -> None:
        row = self._target_row()
        if 0 <= row < len(self.queue):
            url = getattr(self.queue[row].item, attribute, None)
            if url:
                self.open_url.emit(str(url))

    def _activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        entry = self.queue[index.row()]
        if entry.playable:
            self.play_requested.emit(index.row())
        elif getattr(entry.item, "spotify_url", None):
            self.open_url.emit(str(entry.item.spotify_url))
        elif getattr(entry.item, "video_search_url", None):
            self.open_url.emit(str(entry.item.video_search_url))

    def move_selected(self, step: int) -> None:
        row = self._target_row()
        target = row + step
        if 0 <= row < len(self.queue) and 0 <= target < len(self.queue):
            self.model.move(row, target)
            self.table.selectRow(target)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        key = event.key()
        if key == Qt.Key.Key_Delete:
            self._emit_row(self.remove_requested)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            row = self._target_row()
            if 0 <= row < len(self.queue):
                self._activated(self.model.index(row, 0))
        elif event.modifiers() & Qt.KeyboardModifier.AltModifier and key == Qt.Key.Key_Up:
            self.move_selected(-1)
        elif event.modifiers() & Qt.KeyboardModifier.AltModifier and key == Qt.Key.Key_Down:
            self.move_selected(1)
        else:
            super().keyPressEvent(event)
