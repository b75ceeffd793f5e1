"""Fixtures for the library tests: a database in a fresh home, a small catalog, a music folder."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from library_helpers import CATALOG, add_catalog

from moodplayer.catalog import library


@pytest.fixture
def db(home) -> sqlite3.Connection:
    """The moodplayer database of a fresh MOODPLAYER_HOME, with the library tables."""
    conn = library.connect()
    yield conn
    conn.close()


@pytest.fixture
def catalog_db(db) -> sqlite3.Connection:
    add_catalog(db, CATALOG)
    return db


@pytest.fixture
def music(tmp_path) -> Path:
    """A user's music folder (outside MOODPLAYER_HOME)."""
    folder = tmp_path / "Music"
    folder.mkdir()
    return folder
