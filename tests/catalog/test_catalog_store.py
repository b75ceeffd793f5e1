"""The SQLite store: schema, transactions, damaged files and what survives them."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from moodplayer.catalog import feedback, store
from moodplayer.errors import CatalogError


def _aside(folder: Path, name: str) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.startswith(f"{name}.corrupt-")
                  and not p.name.endswith(("-wal", "-shm")))


def test_connect_creates_schema_in_wal_mode(tmp_path):
    conn = store.connect(tmp_path / "db.sqlite3")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"meta", "tracks", "seed_tags", "feedback"} <= tables
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
    conn.close()
    # opening again keeps what is there
    conn = store.connect(tmp_path / "db.sqlite3")
    store.set_meta(conn, "x", "1")
    conn.close()
    conn = store.connect(tmp_path / "db.sqlite3")
    assert store.get_meta(conn, "x") == "1"
    conn.close()


def test_default_path_is_under_moodplayer_home(home):
    conn = store.connect()
    assert Path(store.database_file(conn)) == home / "moodplayer.sqlite3"
    conn.close()


def test_transaction_rolls_back_on_error(conn):
    with pytest.raises(RuntimeError), store.transaction(conn):
        conn.execute("INSERT INTO meta VALUES ('a', '1')")
        conn.execute("INSERT INTO meta VALUES ('b', '2')")
        raise RuntimeError("boom")
    assert conn.execute("SELECT count(*) FROM meta WHERE key IN ('a', 'b')").fetchone()[0] == 0
    with store.transaction(conn):
        conn.execute("INSERT INTO meta VALUES ('a', '1')")
    assert store.get_meta(conn, "a") == "1"


def test_file_that_is_not_a_database_is_moved_aside(tmp_path, caplog):
    path = tmp_path / "moodplayer.sqlite3"
    path.write_text("this is a shopping list, not a database\n" * 100)
    with caplog.at_level(logging.WARNING, logger="moodplayer.catalog.store"):
        conn = store.connect(path)
    assert store.track_count(conn) == 0
    assert "recovered_from" in {r[0] for r in conn.execute("SELECT key FROM meta")}
    conn.close()
    aside = _aside(tmp_path, path.name)
    assert len(aside) == 1
    assert aside[0].read_text().startswith("this is a shopping list")
    assert any("damaged" in r.getMessage() for r in caplog.records)


def _user_db(path: Path, muse_sample: Path) -> dict:
    """A database with the user's feedback and a library table, then a big catalog."""
    from moodplayer.catalog.muse import import_muse

    conn = store.connect(path)
    for i in range(30):
        feedback.record(conn, f"file:/music/song{i}.mp3", ("like", "skip", "play")[i % 3],
                        cluster=i % 5, artist=f"Artist {i}")
    conn.execute("CREATE TABLE library_items_test (key TEXT PRIMARY KEY, path TEXT, title TEXT)")
    with store.transaction(conn):
        conn.executemany("INSERT INTO library_items_test VALUES (?, ?, ?)",
                         [(f"file:/m/{i}", f"/m/{i}.flac", f"Title {i}") for i in range(50)])
    kept = {
        "feedback": conn.execute("SELECT key, kind, cluster, artist FROM feedback ORDER BY id")
        .fetchall(),
        "library": conn.execute("SELECT * FROM library_items_test ORDER BY key").fetchall(),
    }
    import_muse(muse_sample, conn)  # the catalog's pages come after the user's
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return kept


def test_damaged_catalog_pages_keep_user_library_and_feedback(tmp_path, muse_sample):
    path = tmp_path / "moodplayer.sqlite3"
    kept = _user_db(path, muse_sample)
    size = path.stat().st_size
    with open(path, "r+b") as f:  # scribble over a stretch of the catalog's pages
        f.seek(int(size * 0.55))
        f.write(b"\xde\xad\xbe\xef" * (int(size * 0.2) // 4))
    conn = store.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        got_feedback = conn.execute(
            "SELECT key, kind, cluster, artist FROM feedback ORDER BY id").fetchall()
        got_library = conn.execute("SELECT * FROM library_items_test ORDER BY key").fetchall()
        assert got_feedback == kept["feedback"]
        assert got_library == kept["library"]
        assert store.track_count(conn) == 0  # the catalog is imported again from its file
        assert store.get_meta(conn, "catalog_source") is None
        assert "rows saved" in store.get_meta(conn, "recovered_from")
        # and the fresh database works: a catalog can be imported into it
        from moodplayer.catalog.muse import import_muse

        assert import_muse(muse_sample, conn).imported > 4000
    finally:
        conn.close()
    assert len(_aside(tmp_path, path.name)) == 1


def test_truncated_database_file_is_recovered(tmp_path, muse_sample):
    path = tmp_path / "moodplayer.sqlite3"
    kept = _user_db(path, muse_sample)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # a half-written copy of the file
    conn = store.connect(path)
    try:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        # the user's rows sit in the first half of the file and survive
        assert conn.execute("SELECT count(*) FROM feedback").fetchone()[0] == len(kept["feedback"])
        assert conn.execute("SELECT count(*) FROM library_items_test").fetchone()[0] == 50
    finally:
        conn.close()


def test_a_writer_holding_the_lock_is_not_mistaken_for_damage(tmp_path):
    path = tmp_path / "moodplayer.sqlite3"
    first = store.connect(path)
    first.execute("BEGIN IMMEDIATE")
    first.execute("INSERT INTO meta VALUES ('busy', '1')")
    second = store.connect(path)  # WAL: reading and checking while another writes
    assert store.get_meta(second, "busy") is None
    first.commit()
    assert store.get_meta(second, "busy") == "1"
    second.close()
    first.close()
    assert _aside(tmp_path, path.name) == []


def test_newer_schema_is_refused_without_touching_the_file(tmp_path):
    path = tmp_path / "moodplayer.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE tracks (id INTEGER)")
    raw.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 5}")
    raw.commit()
    raw.close()
    with pytest.raises(CatalogError, match="newer moodplayer"):
        store.connect(path)
    assert path.exists() and _aside(tmp_path, path.name) == []


def test_a_crashed_writer_leaves_the_previous_state(tmp_path):
    """A process that dies inside a transaction (kill -9 style) commits nothing."""
    path = tmp_path / "moodplayer.sqlite3"
    conn = store.connect(path)
    store.set_meta(conn, "before", "yes")
    conn.close()
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from moodplayer.catalog import store
        conn = store.connect(Path({str(path)!r}))
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO feedback (key, kind, at) VALUES (?, 'play', 0)",
                         [(f"k{{i}}",) for i in range(5000)])
        conn.execute("UPDATE meta SET value = 'no' WHERE key = 'before'")
        os._exit(9)
    """)
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-c", script], cwd=root, check=False)
    assert proc.returncode == 9
    conn = store.connect(path)
    assert store.get_meta(conn, "before") == "yes"
    assert conn.execute("SELECT count(*) FROM feedback").fetchone()[0] == 0
    conn.close()


def test_sample_copy_fixture_is_independent(sample_conn, sample_db_file, tmp_path):
    # the session database stays as imported when a test writes to its copy
    sample_conn.execute("DELETE FROM tracks")
    sample_conn.commit()
    copy = tmp_path / "again.sqlite3"
    shutil.copyfile(sample_db_file, copy)
    other = store.connect(copy)
    assert store.track_count(other) > 4000
    other.close()
