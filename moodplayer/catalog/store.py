"""The moodplayer database: one SQLite file for the catalog, library, feedback and history.

:func:`connect` opens (and creates or migrates) it. The tables this module owns:

* ``meta``: key/value facts (where the catalog came from, when, the fitted cluster
  model as JSON, the catalog generation that changes with every import);
* ``tracks``: the imported MuSe catalog, one row per song;
* ``seed_tags``: per seed tag, how many songs carry it and, where the catalog tells,
  the tag's own VAD (see :mod:`moodplayer.catalog.muse`);
* ``feedback``: likes, skips, bans and plays (see :mod:`moodplayer.catalog.feedback`).

Other modules add their own tables (the user's library, the demo library).

Safety:

* writes go through :func:`transaction` (``BEGIN IMMEDIATE`` ... ``COMMIT``), so an
  import or a scan that fails half-way, or a process that dies, changes nothing;
  the journal is in WAL mode so readers are not blocked by a writer;
* on opening, ``PRAGMA quick_check`` verifies the file. A file that is not a database
  or is damaged is moved aside to ``<name>.corrupt-<timestamp>`` (with its ``-wal`` and
  ``-shm`` files) and a fresh database is made. Before that, every row that can still
  be read from the user's own tables (library, feedback, history, settings; everything
  except the catalog, which can be imported again from its file) is copied into the
  fresh database, so a damaged file loses as little as possible. Only where no fresh
  database can be made either (a read-only folder, a full disk) is a
  :class:`~moodplayer.errors.CatalogError` raised.

This module imports only the standard library.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from moodplayer import paths
from moodplayer.errors import CatalogError

log = logging.getLogger(__name__)

#: Bumped when the tables below change; :func:`_migrate` brings older files up to date.
SCHEMA_VERSION = 1

#: Tables whose content comes from the imported catalog file and can be rebuilt by
#: importing it again; everything else in the file is the user's and is salvaged.
DERIVED_TABLES = frozenset({"tracks", "seed_tags"})

#: ``meta`` keys that describe the catalog (dropped with it when a damaged file is salvaged).
CATALOG_META_KEYS = ("catalog_source", "catalog_imported_at", "catalog_report", "cluster_model")

BUSY_TIMEOUT_S = 10.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tracks (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    track TEXT NOT NULL,
    artist TEXT NOT NULL,
    genre TEXT NOT NULL DEFAULT '',
    seeds TEXT NOT NULL DEFAULT '[]',
    number_of_emotion_tags INTEGER NOT NULL DEFAULT 0,
    valence REAL NOT NULL,
    arousal REAL NOT NULL,
    dominance REAL NOT NULL,
    seed_valence REAL,
    seed_arousal REAL,
    seed_dominance REAL,
    mbid TEXT,
    spotify_id TEXT,
    lastfm_url TEXT,
    cluster INTEGER,
    line INTEGER,
    generation INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS tracks_cluster ON tracks (cluster);
CREATE TABLE IF NOT EXISTS seed_tags (
    tag TEXT PRIMARY KEY,
    songs INTEGER NOT NULL,
    mean_valence REAL NOT NULL,
    mean_arousal REAL NOT NULL,
    mean_dominance REAL NOT NULL,
    valence REAL,
    arousal REAL,
    dominance REAL
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('like', 'skip', 'ban', 'play')),
    cluster INTEGER,
    artist TEXT,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_kind_at ON feedback (kind, at);
CREATE INDEX IF NOT EXISTS feedback_key ON feedback (key);
"""

_CORRUPTION_WORDS = ("malformed", "not a database", "corrupt", "encrypted", "disk image")


def connect(path: Path | None = None) -> sqlite3.Connection:
    """Open the moodplayer database (default :func:`moodplayer.paths.database_path`).

    Creates or migrates the schema; recovers from a damaged file as described in the
    module docstring. The connection uses Python's default transaction handling, so
    ``with conn:`` commits or rolls back; :func:`transaction` takes the write lock
    up front.
    """
    target = Path(path) if path is not None else paths.database_path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise CatalogError(f"Cannot create the folder for the database {target}: {err}.") from err
    try:
        conn = _open_checked(target)
    except _Corrupt as err:
        log.warning("The database %s is damaged (%s); moving it aside.", target, err)
        conn = _recover(target, str(err))
    return conn


def transaction(conn: sqlite3.Connection) -> contextlib.AbstractContextManager[None]:
    """``with transaction(conn): ...``: one atomic write (``BEGIN IMMEDIATE``)."""
    return _transaction(conn)


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    if conn.in_transaction:  # nested: the outer transaction decides
        yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.rollback()
        raise
    else:
        conn.commit()


def database_file(conn: sqlite3.Connection) -> str:
    """The file behind ``conn`` ("" for an in-memory database)."""
    for _, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return file or ""
    return ""


def get_meta(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Set a ``meta`` value (inside the caller's transaction, or its own)."""
    with transaction(conn):
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


def generation(conn: sqlite3.Connection) -> int:
    """A number that changes whenever the catalog's tracks change."""
    value = get_meta(conn, "catalog_generation", "0")
    try:
        return int(value or 0)
    except ValueError:
        return 0


def new_generation() -> int:
    """A fresh catalog generation number (unique in practice: microseconds since 1970)."""
    return time.time_ns() // 1000


def track_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM tracks").fetchone()[0])


# --------------------------------------------------------------------------- opening


class _Corrupt(Exception):
    """The file is damaged or is not a database (internal)."""


def _is_corruption(err: sqlite3.DatabaseError) -> bool:
    if isinstance(err, sqlite3.OperationalError):
        # "database is locked", "unable to open", "disk I/O error": not damage in the file
        return any(w in str(err).lower() for w in ("malformed", "not a database"))
    return any(w in str(err).lower() for w in _CORRUPTION_WORDS)


def _raw_connect(target: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as err:
        raise CatalogError(f"Cannot open the database {target}: {err}.") from err
    return conn


def _open_checked(target: Path) -> sqlite3.Connection:
    conn = _raw_connect(target)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()
        if mode and str(mode[0]).lower() != "wal":
            log.info("SQLite keeps journal mode %s for %s", mode[0], target)
        result = [r[0] for r in conn.execute("PRAGMA quick_check")]
        if result != ["ok"]:
            raise _Corrupt("; ".join(str(r) for r in result[:3]))
        conn.execute("PRAGMA synchronous = NORMAL")
        _migrate(conn)
    except sqlite3.DatabaseError as err:
        conn.close()
        if _is_corruption(err):
            raise _Corrupt(str(err)) from err
        raise CatalogError(f"Cannot use the database {target}: {err}.") from err
    except _Corrupt:
        conn.close()
        raise
    return conn


def _migrate(conn: sqlite3.Connection) -> None:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise CatalogError(
            "The database was written by a newer moodplayer "
            f"(schema {version}, this one knows {SCHEMA_VERSION}); update moodplayer."
        )
    if version == SCHEMA_VERSION and _has_table(conn, "tracks"):
        return
    with transaction(conn):
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None


# --------------------------------------------------------------------------- recovery


def _recover(target: Path, problem: str) -> sqlite3.Connection:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = target.with_name(f"{target.name}.corrupt-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = target.with_name(f"{target.name}.corrupt-{stamp}-{n}")
    try:
        target.replace(aside)
        for suffix in ("-wal", "-shm"):
            side = target.with_name(target.name + suffix)
            if side.exists():
                side.replace(aside.with_name(aside.name + suffix))
    except OSError as err:
        raise CatalogError(
            f"The database {target} is damaged ({problem}) and cannot be moved aside: {err}. "
            "Move or delete it by hand and start moodplayer again."
        ) from err
    log.warning("Moved the damaged database to %s; making a fresh one.", aside)
    try:
        conn = _open_checked(target)
    except (_Corrupt, CatalogError) as err:
        raise CatalogError(f"Cannot make a fresh database at {target}: {err}.") from err
    saved = _salvage(aside, conn)
    with transaction(conn):
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('recovered_from', ?)",
            (f"{aside} ({problem}); rows saved: {saved}",),
        )
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('catalog_generation', ?)",
            (str(new_generation()),),
        )
    if saved:
        log.warning("Saved %d rows of library, feedback and settings from %s.", saved, aside.name)
    log.warning(
        "The catalog must be imported again (moodplayer catalog import FILE); "
        "the damaged file is kept at %s.",
        aside,
    )
    return conn


def _salvage(source: Path, conn: sqlite3.Connection) -> int:
    """Copy every readable row of the user's tables from a damaged file; returns the count."""
    try:
        old = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=1.0)
    except sqlite3.Error:
        return 0
    saved = 0
    try:
        # Lets SQLite read a file shorter than its header says (a truncated copy) instead
        # of refusing it outright; this connection only reads.
        with contextlib.suppress(sqlite3.Error):
            old.execute("PRAGMA writable_schema = ON")
        try:
            tables = old.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL"
            ).fetchall()
            extras = old.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            ).fetchall()
        except sqlite3.DatabaseError as err:
            log.warning("Nothing can be read back from %s: %s", source.name, err)
            return 0
        for name, sql in tables:
            if name.startswith("sqlite_") or name in DERIVED_TABLES:
                continue
            saved += _copy_table(old, conn, name, sql)
        for (sql,) in extras:
            with contextlib.suppress(sqlite3.Error):
                conn.execute(sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
        with transaction(conn):
            conn.execute(
                f"DELETE FROM meta WHERE key IN ({','.join('?' * len(CATALOG_META_KEYS))})",
                CATALOG_META_KEYS,
            )
        conn.commit()
    finally:
        old.close()
    return saved


def _copy_table(old: sqlite3.Connection, conn: sqlite3.Connection, name: str, sql: str) -> int:
    quoted = '"' + name.replace('"', '""') + '"'
    if not _has_table(conn, name):
        try:
            conn.execute(sql)
        except sqlite3.Error as err:
            log.warning("Cannot recreate table %s: %s", name, err)
            return 0
    rows: dict[object, tuple] = {}
    columns: list[str] = []
    # Read forwards, then backwards: a damaged page in the middle stops one direction only.
    for order in ("ASC", "DESC"):
        try:
            cursor = old.execute(f"SELECT rowid AS _rowid_, * FROM {quoted} ORDER BY rowid {order}")
        except sqlite3.OperationalError:  # a WITHOUT ROWID table
            cursor = old.execute(f"SELECT NULL AS _rowid_, * FROM {quoted}")
        columns = [d[0] for d in cursor.description][1:]
        try:
            for n, row in enumerate(cursor):
                rows.setdefault(row[0] if row[0] is not None else (order, n), row[1:])
        except sqlite3.DatabaseError as err:
            log.warning("Table %s is partly unreadable (%s); keeping what was read.", name, err)
    if not rows:
        return 0
    present = {r[1] for r in conn.execute(f"PRAGMA table_info({quoted})")}
    keep = [i for i, c in enumerate(columns) if c in present]
    names = ",".join('"' + columns[i].replace('"', '""') + '"' for i in keep)
    placeholders = ",".join("?" * len(keep))
    copied = 0
    with transaction(conn):
        for row in rows.values():
            try:
                conn.execute(
                    f"INSERT OR IGNORE INTO {quoted} ({names}) VALUES ({placeholders})",
                    [row[i] for i in keep],
                )
                copied += 1
            except sqlite3.Error:
                continue
    return copied
