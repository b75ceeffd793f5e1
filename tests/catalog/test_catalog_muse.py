"""Importing MuSe CSV files: real rows, spreadsheet quirks, malformed rows, refusals, atomicity."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from moodplayer.catalog import store
from moodplayer.catalog.muse import import_muse, parse_seeds, read_muse_csv
from moodplayer.errors import CatalogError

HEADER = ("track,artist,seeds,number_of_emotion_tags,valence_tags,arousal_tags,"
          "dominance_tags,mbid,spotify_id,genre")
GOOD = [
    "Song A,Artist A,['sad'],3,2.1,3.5,3.8,,4xkOaSrkexMciUUogZKVTS,rock",
    "Song B,Artist B,\"['happy', 'fun']\",5,8.2,6.0,7.0,abc,,pop",
    "Song C,Artist C,['calm'],1,6.1,2.9,5.9,,,",
]


def write(path: Path, lines: list[str], *, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


def dump(conn) -> list[tuple]:
    return conn.execute(
        "SELECT id, uid, track, artist, genre, seeds, number_of_emotion_tags, valence, arousal, "
        "dominance, mbid, spotify_id, lastfm_url, cluster FROM tracks ORDER BY id"
    ).fetchall()


def test_parse_seeds_forms():
    assert parse_seeds("['sad']") == ("sad",)
    assert parse_seeds("['aggressive', 'fun', 'sexy', 'energetic']") == (
        "aggressive", "fun", "sexy", "energetic")
    assert parse_seeds('["rock \'n\' roll"]') == ("rock 'n' roll",)
    assert parse_seeds("[]") == ()
    assert parse_seeds("['Sad ', 'sad']") == ("sad",)
    for broken in ("['sad'", "sad", "[1, 2]", "['a', __import__('os')]", "[,]", ""):
        with pytest.raises(ValueError):
            parse_seeds(broken)


def test_head_file_imports(conn, muse_head):
    report = import_muse(muse_head, conn)
    assert report.imported == 20 and report.skipped == 0
    rows = conn.execute(
        "SELECT track, artist, seeds, number_of_emotion_tags, valence, spotify_id, genre "
        "FROM tracks ORDER BY id").fetchall()
    with open(muse_head, encoding="utf-8", newline="") as f:
        first = next(csv.DictReader(f))
    track, artist, seeds, tags, valence, spotify, genre = rows[0]
    assert (track, artist) == (first["track"], first["artist"])
    assert json.loads(seeds) == list(parse_seeds(first["seeds"]))
    assert tags == int(first["number_of_emotion_tags"])
    assert valence == pytest.approx(float(first["valence_tags"]))
    assert spotify == first["spotify_id"] and genre == first["genre"]
    assert store.get_meta(conn, "catalog_source") == str(muse_head.resolve())
    # 20 songs are too few for clusters of their own: the shipped default stays in use
    from moodplayer.catalog.clusters import load_cluster_model

    assert load_cluster_model(conn).source.startswith("default")


def test_sample_imports_with_clusters_and_seed_tags(sample_conn, muse_sample):
    from moodplayer.catalog.clusters import K_RANGE, load_cluster_model

    n = store.track_count(sample_conn)
    with open(muse_sample, encoding="utf-8", newline="") as f:
        assert n == sum(1 for _ in csv.DictReader(f))
    model = load_cluster_model(sample_conn)
    assert model.source.startswith("catalog") and model.k in K_RANGE
    clusters = dict(sample_conn.execute("SELECT cluster, count(*) FROM tracks GROUP BY cluster"))
    assert set(clusters) == set(range(model.k)) and sum(clusters.values()) == n
    # a tag's own VAD is learnt from songs that carry only that tag: "happy" is Warriner's
    v, a, d = sample_conn.execute(
        "SELECT valence, arousal, dominance FROM seed_tags WHERE tag = 'happy'").fetchone()
    assert (v, a, d) == pytest.approx((8.47, 6.05, 7.21), abs=0.01)
    assert sample_conn.execute(
        "SELECT count(*) FROM tracks WHERE seed_valence IS NULL").fetchone()[0] == 0


def test_reimport_is_idempotent_and_keeps_ids(conn, muse_sample):
    first = import_muse(muse_sample, conn)
    before = dump(conn)
    gen = store.generation(conn)
    again = import_muse(muse_sample, conn)
    assert dump(conn) == before
    assert (again.added, again.updated, again.removed) == (0, first.imported, 0)
    assert store.generation(conn) != gen  # caches know the catalog was rewritten


def test_importing_another_file_replaces_the_catalog_but_keeps_shared_ids(tmp_path, conn):
    a = write(tmp_path / "a.csv", [HEADER, *GOOD])
    b = write(tmp_path / "b.csv", [HEADER, GOOD[1], "Song D,Artist D,['dark'],2,3,4,4,,,"])
    import_muse(a, conn)
    id_b = conn.execute("SELECT id FROM tracks WHERE track = 'Song B'").fetchone()[0]
    report = import_muse(b, conn)
    assert (report.added, report.updated, report.removed) == (1, 1, 2)
    assert [r[0] for r in conn.execute("SELECT track FROM tracks ORDER BY id")] == [
        "Song B", "Song D"]
    assert conn.execute("SELECT id FROM tracks WHERE track = 'Song B'").fetchone()[0] == id_b


def test_malformed_rows_are_reported_with_their_line_numbers(tmp_path, conn):
    lines = [
        HEADER,                                                         # line 1
        GOOD[0],                                                        # 2
        "Only,three,fields",                                            # 3
        "Bad V,Artist,['sad'],3,high,3.5,3.8,,,rock",                   # 4
        "No A,Artist,['sad'],3,2.1,,3.8,,,rock",                        # 5
        "Broken seeds,Artist,\"['sad', 'dark'\",3,2.1,3.5,3.8,,,rock",  # 6
        "Too bright,Artist,['happy'],3,11.5,3.5,3.8,,,pop",             # 7
        '"A title with',                                                # 8
        'a newline",Artist Q,[\'sad\'],2,2.5,3.5,3.9,,,',               # 9 (same row)
        "Negative,Artist,['sad'],-2,2.1,3.5,3.8,,,rock",                # 10
        ",Artist,['sad'],2,2.1,3.5,3.8,,,rock",                         # 11
        "",                                                             # 12 (blank)
        "Code,Artist,\"[__import__('os').getcwd()]\",2,2.1,3.5,3.8,,,", # 13
        GOOD[1],                                                        # 14
    ]
    path = write(tmp_path / "muse.csv", lines)
    report = import_muse(path, conn)
    problems = {p.line: p.reason for p in report.problems}
    assert sorted(problems) == [3, 4, 5, 6, 7, 10, 11, 13]
    assert "missing fields" in problems[3]
    assert "valence_tags is not a number" in problems[4]
    assert "arousal_tags is missing" in problems[5]
    assert "seeds" in problems[6] and "seeds" in problems[13]
    assert "valence 11.5 is outside 0-10" in problems[7]
    assert "not a count" in problems[10]
    assert "track is missing" in problems[11]
    assert report.skipped == 8 and report.imported == 3
    titles = [r[0] for r in conn.execute("SELECT track FROM tracks ORDER BY id")]
    assert titles == ["Song A", "A title with a newline", "Song B"]
    line = conn.execute("SELECT line FROM tracks WHERE track = 'Song B'").fetchone()[0]
    assert line == 14


def test_spreadsheet_files_import(tmp_path, conn):
    # UTF-8 with a byte-order mark, CRLF line ends, a quoted newline, trailing empty cells
    lines = [HEADER + ",,", '"Caf\u00e9\r\nSong",Beyonc\u00e9,[\'happy\'],2,8,6,7,,,pop,,',
             GOOD[0] + ",,", ",,,,,,,,,,,"]
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    report = import_muse(path, conn)
    assert report.imported == 2 and report.skipped == 0
    assert conn.execute("SELECT track, artist FROM tracks ORDER BY id").fetchone() == (
        "Caf\u00e9 Song", "Beyonc\u00e9")
    # semicolons and decimal commas (spreadsheets in many locales), Windows-1252 text
    semi = [HEADER.replace(",", ";"), "Chanson;Zo\u00e9;['sad'];3;2,5;3,5;3,9;;;chanson"]
    path2 = write(tmp_path / "semicolon.csv", semi, encoding="cp1252", newline="\r\n")
    report = import_muse(path2, conn)
    assert report.imported == 1
    assert conn.execute("SELECT artist, valence FROM tracks").fetchone() == ("Zo\u00e9", 2.5)


def test_lastfm_url_column_is_optional_and_kept(tmp_path, conn):
    lines = ["lastfm_url," + HEADER,
             "https://www.last.fm/music/eminem/_/%2527till%2bi%2bcollapse," + GOOD[0]]
    import_muse(write(tmp_path / "kaggle.csv", lines), conn)
    assert conn.execute("SELECT lastfm_url FROM tracks").fetchone()[0].startswith(
        "https://www.last.fm/")


def test_repeated_songs_are_kept_once(tmp_path, conn):
    report = import_muse(write(tmp_path / "d.csv", [HEADER, GOOD[0], GOOD[0].replace(
        "Song A,Artist A", "song a,ARTIST A")]), conn)
    assert report.imported == 1 and report.duplicates == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Word,V.Mean.Sum,A.Mean.Sum\naardvark,6.26,2.41\n", "not a MuSe CSV file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "not a MuSe CSV file"),
        (b"", "empty"),
        (b"track,artist\nx,y\n", "lacks the columns seeds"),
    ],
)
def test_files_that_are_not_muse_are_refused_and_change_nothing(
    tmp_path, sample_conn, content, message
):
    before = store.track_count(sample_conn)
    gen = store.generation(sample_conn)
    path = tmp_path / "other.csv"
    path.write_bytes(content)
    with pytest.raises(CatalogError, match=message):
        import_muse(path, sample_conn)
    assert store.track_count(sample_conn) == before
    assert store.generation(sample_conn) == gen


def test_missing_file_and_folder_are_refused(tmp_path, conn):
    with pytest.raises(CatalogError, match="does not exist"):
        import_muse(tmp_path / "nope.csv", conn)
    with pytest.raises(CatalogError, match="folder"):
        import_muse(tmp_path, conn)


def test_a_file_of_only_malformed_rows_changes_nothing(tmp_path, sample_conn):
    before = dump(sample_conn)
    path = write(tmp_path / "bad.csv", [HEADER, "a,b,['x'],1,x,y,z,,,", "c,d,oops,1,1,1,1,,,"])
    with pytest.raises(CatalogError, match="line 2") as err:
        import_muse(path, sample_conn)
    assert "Nothing was imported" in str(err.value)
    assert dump(sample_conn) == before


def test_an_import_interrupted_mid_write_leaves_the_old_catalog(tmp_path, sample_db_file,
                                                                 muse_head):
    """Half-written import: the process dies inside the write transaction."""
    db = tmp_path / "moodplayer.sqlite3"
    db.write_bytes(sample_db_file.read_bytes())
    conn = store.connect(db)
    before = dump(conn)
    model_before = store.get_meta(conn, "cluster_model")
    conn.close()
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from moodplayer.catalog import store
        from moodplayer.catalog.muse import import_muse

        def die(stage, fraction):
            if stage == "writing":  # rows written, meta updated, not committed
                os._exit(7)

        conn = store.connect(Path({str(db)!r}))
        import_muse(Path({str(muse_head)!r}), conn, progress=die)
    """)
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-c", script], cwd=root, check=False,
                          capture_output=True, text=True)
    assert proc.returncode == 7, proc.stderr
    conn = store.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert dump(conn) == before
        assert store.get_meta(conn, "cluster_model") == model_before
    finally:
        conn.close()


def test_read_muse_csv_reports_encoding_and_rows(muse_sample):
    parsed = read_muse_csv(muse_sample)
    assert parsed.problem_count == 0 and len(parsed.rows) == parsed.data_rows > 4000
    assert parsed.delimiter == ","
    assert all(0 <= r.valence <= 10 for r in parsed.rows)
