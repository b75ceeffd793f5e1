"""The play queue: an ordered list of recommendations and where playback is in it.

:class:`PlayQueue` is a plain model (no GUI, no libvlc): the window shows it and
drives the player from it.  Items are :class:`moodplayer.catalog.recommend.Recommendation`
values (anything with ``key``, ``playable`` and ``path`` works).  Catalog-only
songs stay in the queue, with their links, but playback steps over them; a file
that turns out unplayable is marked with the reason and stepped over too.

:class:`QueueStore` keeps the queue in the catalog's SQLite database, so the
queue and the position in it survive a restart.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class QueueEntry:
    """One queued item; ``origin`` names what it was chosen for (an album photo)."""

    item: Any
    origin: str | None = None
    unplayable: str | None = None

    @property
    def key(self) -> str:
        return str(self.item.key)

    @property
    def playable(self) -> bool:
        """Can the player try this entry (a local file not already found unplayable)?"""
        path = getattr(self.item, "path", None)
        return bool(getattr(self.item, "playable", False) and path and self.unplayable is None)


class PlayQueue:
    """Queue of entries with a current position.

    ``current`` is the index of the entry being played (``-1`` when none).  After the
    current entry is removed, :meth:`next` continues with the entry that followed it.
    """

    def __init__(self, entries: Iterable[QueueEntry] = (), current: int = -1) -> None:
        self._entries: list[QueueEntry] = list(entries)
        self._current = current if 0 <= current < len(self._entries) else -1
        self._anchor = self._current
        #: ``(key, reason)`` for every entry that could not be played, oldest first.
        self.skipped: list[tuple[str, str]] = []

    # ---- reading -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, index: int) -> QueueEntry:
        return self._entries[index]

    def __iter__(self):
        return iter(self._entries)

    @property
    def entries(self) -> Sequence[QueueEntry]:
        return tuple(self._entries)

    @property
    def items(self) -> list[Any]:
        return [e.item for e in self._entries]

    def keys(self) -> list[str]:
        return [e.key for e in self._entries]

    @property
    def current(self) -> int:
        return self._current

    @property
    def current_entry(self) -> QueueEntry | None:
        return self._entries[self._current] if self._current >= 0 else None

    def index_of(self, key: str) -> int:
        for i, entry in enumerate(self._entries):
            if entry.key == key:
                return i
        return -1

    def has_playable(self) -> bool:
        return any(e.playable for e in self._entries)

    # ---- filling -------------------------------------------------------------------------------

    def replace(
        self, items: Iterable[Any], *, keep_current: bool = True, origin: str | None = None
    ) -> None:
        """Put ``items`` in the queue; the playing entry stays first when ``keep_current``."""
        keep = self.current_entry if keep_current else None
        new = [QueueEntry(item, origin) for item in _unique(items)]
        if keep is not None:
            new = [keep] + [e for e in new if e.key != keep.key]
            self._entries, self._current, self._anchor = new, 0, 0
        else:
            self._entries, self._current, self._anchor = new, -1, -1

    def extend(self, items: Iterable[Any], *, origin: str | None = None) -> int:
        """Append items not already queued; returns how many were added."""
        present = set(self.keys())
        added = 0
        for item in _unique(items):
            if str(item.key) not in present:
                self._entries.append(QueueEntry(item, origin))
                present.add(str(item.key))
                added += 1
        return added

    def clear(self) -> None:
        self._entries.clear()
        self._current = self._anchor = -1

    # ---- moving through it ---------------------------------------------------------------------

    def jump(self, index: int) -> QueueEntry | None:
        """Make ``index`` current if it is playable; returns it, else None."""
        if 0 <= index < len(self._entries) and self._entries[index].playable:
            self._current = self._anchor = index
            return self._entries[index]
        return None

    def next(self) -> QueueEntry | None:
        """Move to the next playable entry; None (position unchanged) at the end."""
        for i in range(self._anchor + 1, len(self._entries)):
            if self._entries[i].playable:
                self._current = self._anchor = i
                return self._entries[i]
        return None

    def previous(self) -> QueueEntry | None:
        """Move to the previous playable entry; None (position unchanged) at the start."""
        start = self._anchor - 1 if self._current >= 0 else self._anchor
        for i in range(min(start, len(self._entries) - 1), -1, -1):
            if self._entries[i].playable:
                self._current = self._anchor = i
                return self._entries[i]
        return None

    def peek_next(self) -> QueueEntry | None:
        for i in range(self._anchor + 1, len(self._entries)):
            if self._entries[i].playable:
                return self._entries[i]
        return None

    def mark_unplayable(self, index: int, reason: str) -> None:
        """Record that an entry cannot be played, so playback steps over it."""
        if 0 <= index < len(self._entries):
            entry = self._entries[index]
            entry.unplayable = reason
            self.skipped.append((entry.key, reason))
            log.info("skipping %s: %s", entry.key, reason)

    # ---- editing -------------------------------------------------------------------------------

    def move(self, source: int, destination: int) -> None:
        """Move the entry at ``source`` so it ends up at index ``destination``."""
        n = len(self._entries)
        if not (0 <= source < n):
            raise IndexError(f"no queue entry at {source}")
        destination = max(0, min(n - 1, destination))
        if source == destination:
            return
        entry = self._entries.pop(source)
        self._entries.insert(destination, entry)
        self._current = _moved_index(self._current, source, destination)
        self._anchor = _moved_index(self._anchor, source, destination)

    def remove(self, index: int) -> QueueEntry:
        """Remove and return an entry; removing the current one keeps the place in the queue."""
        entry = self._entries.pop(index)
        if index == self._current:
            self._current = -1
            self._anchor = index - 1
        else:
            if index < self._current:
                self._current -= 1
            if index <= self._anchor:
                self._anchor -= 1
        return entry

    def remove_key(self, key: str) -> bool:
        i = self.index_of(key)
        if i < 0:
            return False
        self.remove(i)
        return True


def _moved_index(index: int, source: int, destination: int) -> int:
    if index < 0:
        return index
    if index == source:
        return destination
    if source < index <= destination:
        return index - 1
    if destination <= index < source:
        return index + 1
    return index


def _unique(items: Iterable[Any]) -> list[Any]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = str(item.key)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


# ---- persistence ---------------------------------------------------------------------------------

SCHEMA = """
CREATE TABLE IF NOT EXISTS play_queue (
    position   INTEGER PRIMARY KEY,
    key        TEXT NOT NULL,
    item       TEXT NOT NULL,
    origin     TEXT,
    unplayable TEXT
);
CREATE TABLE IF NOT EXISTS play_queue_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    current  INTEGER NOT NULL,
    saved_at REAL NOT NULL
);
"""


def _item_to_json(item: Any) -> str:
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        data = dataclasses.asdict(item)
    elif hasattr(item, "to_json"):
        data = item.to_json()
    else:
        raise TypeError(f"cannot store {type(item).__name__} in the queue")
    return json.dumps(data, default=str)


def _default_item_factory() -> Callable[[dict], Any]:
    from moodplayer.catalog.recommend import Recommendation

    return dataclass_factory(Recommendation)


def dataclass_factory(cls: type) -> Callable[[dict], Any]:
    """Build ``cls`` from a stored dict, ignoring fields the class no longer has."""
    names = {f.name for f in dataclasses.fields(cls)}

    def build(data: dict) -> Any:
        return cls(**{k: v for k, v in data.items() if k in names})

    return build


class QueueStore:
    """Saves and restores a :class:`PlayQueue` in an SQLite connection (the catalog's)."""

    def __init__(
        self, conn: sqlite3.Connection, item_factory: Callable[[dict], Any] | None = None
    ) -> None:
        self.conn = conn
        self._factory = item_factory
        conn.executescript(SCHEMA)

    def save(self, queue: PlayQueue) -> None:
        rows = [
            (i, e.key, _item_to_json(e.item), e.origin, e.unplayable)
            for i, e in enumerate(queue.entries)
        ]
        with self.conn:
            self.conn.execute("DELETE FROM play_queue")
            self.conn.executemany(
                "INSERT INTO play_queue (position, key, item, origin, unplayable) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            self.conn.execute(
                "INSERT OR REPLACE INTO play_queue_state (id, current, saved_at) VALUES (1, ?, ?)",
                (queue.current, time.time()),
            )

    def load(self) -> PlayQueue:
        """The saved queue; entries that no longer load, or whose file vanished, are dropped."""
        factory = self._factory or _default_item_factory()
        entries: list[QueueEntry] = []
        saved_current = self.conn.execute(
            "SELECT current FROM play_queue_state WHERE id = 1"
        ).fetchone()
        current_pos = saved_current[0] if saved_current else -1
        current = -1
        rows = self.conn.execute(
            "SELECT position, key, item, origin, unplayable FROM play_queue ORDER BY position"
        ).fetchall()
        for position, key, raw, origin, unplayable in rows:
            try:
                item = factory(json.loads(raw))
            except (ValueError, TypeError) as err:
                log.warning("dropping saved queue entry %s: %s", key, err)
                continue
            path = getattr(item, "path", None)
            if getattr(item, "playable", False) and path and not Path(path).exists():
                log.info("dropping saved queue entry %s: %s is gone", key, path)
                continue
            if position == current_pos:
                current = len(entries)
            entries.append(QueueEntry(item, origin, unplayable))
        return PlayQueue(entries, current)

    def clear(self) -> None:
        with self.conn:
            self.conn.execute("DELETE FROM play_queue")
            self.conn.execute("DELETE FROM play_queue_state")
