"""Fixtures for the catalog tests: MuSe files from ../shared, databases made from them."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from moodplayer.catalog import store


@pytest.fixture(scope="session")
def muse_sample(shared) -> Path:
    path = shared / "data" / "muse" / "muse_sample.csv"
    if not path.is_file():
        pytest.skip("the MuSe sample (../shared/data/muse/muse_sample.csv) is absent")
    return path


@pytest.fixture(scope="session")
def muse_head(shared) -> Path:
    path = shared / "data" / "muse" / "muse_v3_head20.csv"
    if not path.is_file():
        pytest.skip("the MuSe head (../shared/data/muse/muse_v3_head20.csv) is absent")
    return path


@pytest.fixture(scope="session")
def sample_db_file(tmp_path_factory, muse_sample) -> Path:
    """A database file with the MuSe sample imported (made once; copy before writing)."""
    from moodplayer.catalog.muse import import_muse

    path = tmp_path_factory.mktemp("sample-db") / "moodplayer.sqlite3"
    conn = store.connect(path)
    import_muse(muse_sample, conn)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture
def sample_conn(tmp_path, sample_db_file) -> sqlite3.Connection:
    """A private copy of the sample database, open."""
    target = tmp_path / "catalog.sqlite3"
    shutil.copyfile(sample_db_file, target)
    conn = store.connect(target)
    yield conn
    conn.close()


@pytest.fixture
def conn(tmp_path) -> sqlite3.Connection:
    """An empty moodplayer database."""
    c = store.connect(tmp_path / "empty.sqlite3")
    yield c
    c.close()

