"""The play queue model and its persistence in a real SQLite file."""

from __future__ import annotations

import importlib.util
import sqlite3
from dataclasses import dataclass, field

import pytest

from moodplayer.playback.queue import PlayQueue, QueueStore, dataclass_factory


@dataclass
class Item:
    """Same shape as the parts of ``Recommendation`` the queue relies on."""

    key: str
    playable: bool = True
    path: str | None = None
    track: str = ""
    seeds: list[str] = field(default_factory=list)


def items(tmp_path, spec: str) -> list[Item]:
    """``spec`` like "PPcP": P a playable local file, c a catalog-only song."""
    out = []
    for i, kind in enumerate(spec):
        if kind == "P":
            f = tmp_path / f"song{i}.wav"
            f.write_bytes(b"RIFF")
            out.append(Item(f"file:{f}", True, str(f), f"song {i}"))
        else:
            out.append(Item(f"muse:{i}", False, None, f"catalog {i}"))
    return out


def test_next_and_previous_step_over_catalog_only_and_unplayable(tmp_path):
    q = PlayQueue()
    q.replace(items(tmp_path, "PcPPcP"))
    assert q.current == -1
    assert q.next().item.track == "song 0"
    assert q.next().item.track == "song 2"
    q.mark_unplayable(3, "libvlc could not decode it")
    assert q.next().item.track == "song 5"
    assert q.next() is None and q.current == 5, "the end keeps the position"
    assert q.previous().item.track == "song 2"
    assert q.skipped == [(q[3].key, "libvlc could not decode it")]
    assert q.jump(1) is None, "a catalog-only song cannot be played"
    assert q.jump(0).item.track == "song 0" and q.previous() is None


def test_move_and_remove_keep_the_current_entry(tmp_path):
    q = PlayQueue()
    q.replace(items(tmp_path, "PPPP"))
    q.next()
    q.next()  # current: song 1
    q.move(1, 3)
    assert q.current == 3 and q.current_entry.item.track == "song 1"
    assert [e.item.track for e in q] == ["song 0", "song 2", "song 3", "song 1"]
    q.move(0, 2)
    assert q.current == 3
    q.remove(0)
    assert q.current == 2 and q.current_entry.item.track == "song 1"
    # removing the playing entry continues with the one that followed it
    q.move(2, 0)
    q.remove(0)
    assert q.current == -1 and q.current_entry is None
    assert q.next().item.track == "song 3"
    with pytest.raises(IndexError):
        q.move(9, 0)


def test_replace_keeps_the_playing_item_first_and_deduplicates(tmp_path):
    first = items(tmp_path, "PPP")
    q = PlayQueue()
    q.replace(first)
    q.jump(1)
    q.replace([first[2], first[1], first[2], first[0]])
    assert [e.item.track for e in q] == ["song 1", "song 2", "song 0"]
    assert q.current == 0
    assert q.extend(first) == 0
    q.replace(first, keep_current=False)
    assert q.current == -1 and len(q) == 3
    assert q.remove_key(first[0].key) and not q.remove_key("nope")


def test_queue_survives_a_restart_in_sqlite(tmp_path):
    db = tmp_path / "catalog.sqlite3"
    queue_items = items(tmp_path, "PcPP")
    q = PlayQueue()
    q.replace(queue_items[:2], origin="beach.jpg")
    q.extend(queue_items[2:], origin="party.jpg")
    q.next()
    q.next()
    q.mark_unplayable(3, "damaged")
    conn = sqlite3.connect(db)
    QueueStore(conn, dataclass_factory(Item)).save(q)
    conn.close()

    # a file removed while moodplayer was closed drops out of the restored queue
    (tmp_path / "song0.wav").unlink()
    conn = sqlite3.connect(db)
    restored = QueueStore(conn, dataclass_factory(Item)).load()
    assert [e.item.track for e in restored] == ["catalog 1", "song 2", "song 3"]
    assert restored.current_entry.item.track == "song 2"
    assert restored[0].origin == "beach.jpg" and restored[2].origin == "party.jpg"
    assert restored[2].unplayable == "damaged" and not restored[2].playable
    assert restored.next() is None
    QueueStore(conn).clear()
    assert len(QueueStore(conn, dataclass_factory(Item)).load()) == 0


@pytest.mark.skipif(
    importlib.util.find_spec("moodplayer.catalog.recommend") is None
    or importlib.util.find_spec("moodplayer.catalog.store") is None,
    reason="moodplayer.catalog.recommend/store are not written yet",
)
def test_recommendations_round_trip_through_the_catalog_store(tmp_path, monkeypatch):
    monkeypatch.setenv("MOODPLAYER_HOME", str(tmp_path / "home"))
    from moodplayer import paths
    from moodplayer.catalog import store
    from moodplayer.catalog.muse import import_muse
    from moodplayer.catalog.recommend import recommend
    from moodplayer.mood.vad import EMOTION_VAD

    shared = paths.shared_data_dir()
    head = shared / "data" / "muse" / "muse_v3_head20.csv" if shared else None
    if head is None or not head.is_file():
        pytest.skip("../shared/data/muse/muse_v3_head20.csv is absent")
    conn = store.connect(tmp_path / "db.sqlite3")
    import_muse(head, conn)
    recs = recommend(EMOTION_VAD["sad"], top=5, conn=conn)
    assert recs, "the imported catalog gave no recommendations"
    q = PlayQueue()
    q.replace(recs)
    QueueStore(conn).save(q)
    back = QueueStore(conn).load()
    assert back.keys() == [r.key for r in recs]
    assert type(back[0].item) is type(recs[0])
    assert back[0].item.track == recs[0].track
