"""The user's own music: tags, matching to the catalog, mood estimates, rescans, cancelling."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest
from library_helpers import CATALOG, add_catalog, folder_snapshot, tag, write_media

from moodplayer import cli
from moodplayer.catalog import library
from moodplayer.catalog.library import (
    LibraryError,
    normalise_artist,
    normalise_title,
    similarity,
)
from moodplayer.mood.vad import NEUTRAL_VAD, VAD

# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Don't Stop Me Now (Remastered 2011)", "dont stop me now"),
        ("Hey Jude - Remastered 2015", "hey jude"),
        ("Crazy in Love feat. Jay-Z", "crazy in love"),
        ("Crazy in Love (feat. JAY Z)", "crazy in love"),
        ("Crazy In Love ft. Jay Z", "crazy in love"),
        ("Señorita [Live]", "senorita"),
        ("Hoppípolla", "hoppipolla"),
        ("Smells Like Teen Spirit - Live at Reading", "smells like teen spirit"),
        ("Rock & Roll", "rock and roll"),
        ("Stay With Me", "stay with me"),  # "with" is not "featuring"
        ("낯선자 (Stranger)", "낯선자"),  # other scripts are kept
        ("(Untitled)", "untitled"),  # nothing but brackets: keep the words
    ],
)
def test_normalise_title(raw, expected):
    assert normalise_title(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("The Beatles", "beatles"),
        ("Beyoncé featuring JAY-Z", "beyonce"),
        ("Sigur Rós", "sigur ros"),
        ("Mötley Crüe", "motley crue"),
        ("Røyksopp", "royksopp"),
        ("Simon & Garfunkel", "simon and garfunkel"),
        ("AC/DC", "ac dc"),
        ("志方あきこ", "志方あきこ"),
    ],
)
def test_normalise_artist(raw, expected):
    assert normalise_artist(raw) == expected


def test_similarity_threshold_separates_typos_from_other_songs():
    assert similarity("dont stop me now", "dont stop me now") == 1.0
    assert similarity("hey jud", "hey jude") >= library.MATCH_THRESHOLD
    assert similarity("garfunkel and simon", "simon and garfunkel") >= library.MATCH_THRESHOLD
    assert similarity("yesterday", "yesterday once more") < library.MATCH_THRESHOLD
    assert similarity("hey jude", "hey you") < library.MATCH_THRESHOLD


def test_tags_from_filename():
    assert library.tags_from_filename("/m/03 - Queen - Bohemian Rhapsody.mp3") == (
        "Queen", "Bohemian Rhapsody")
    assert library.tags_from_filename("/m/2Pac - Changes.flac") == ("2Pac", "Changes")
    assert library.tags_from_filename("/m/01. Intro.ogg") == ("", "Intro")
    assert library.tags_from_filename("/m/Song_Without_Artist.wav") == ("", "Song Without Artist")


# --------------------------------------------------------------------------- tags


@pytest.mark.parametrize("suffix", [".mp3", ".flac", ".ogg", ".opus", ".m4a", ".wav", ".mp4"])
def test_read_tags_of_every_audio_and_mp4_format(tmp_path, suffix):
    path = write_media(tmp_path / f"x{suffix}", seconds=1.5)
    tag(path, title="Hoppípolla", artist="Sigur Rós", album="Takk...", genre="post-rock",
        comment="ethereal and uplifting")
    tags = library.read_tags(path)
    assert (tags.title, tags.artist, tags.album, tags.genre) == (
        "Hoppípolla", "Sigur Rós", "Takk...", "post-rock")
    assert "ethereal" in tags.comment
    assert tags.duration_s == pytest.approx(1.5, abs=0.15)
    assert not tags.from_filename


@pytest.mark.parametrize("suffix", [".mkv", ".webm"])
def test_read_tags_of_matroska_video_through_pyav(tmp_path, suffix):
    path = write_media(tmp_path / f"clip{suffix}", seconds=1.0,
                       metadata={"title": "Exit Music", "artist": "Radiohead", "genre": "rock"})
    tags = library.read_tags(path)
    assert (tags.title, tags.artist, tags.genre) == ("Exit Music", "Radiohead", "rock")
    assert tags.duration_s == pytest.approx(1.0, abs=0.2)


def test_untagged_file_falls_back_to_its_name(tmp_path):
    path = write_media(tmp_path / "07 - Adele - Someone Like You.wav")
    tags = library.read_tags(path)
    assert (tags.artist, tags.title, tags.from_filename) == ("Adele", "Someone Like You", True)


def test_unreadable_file_is_an_error(tmp_path):
    bad = tmp_path / "broken.mp3"
    bad.write_bytes(b"this is not audio at all" * 10)
    with pytest.raises(LibraryError, match="could not be read"):
        library.read_tags(bad)


# --------------------------------------------------------------------------- matching


def _by_title(conn) -> dict[str, library.LocalItem]:
    return {i.title: i for i in library.list_items(conn, source="library")}


def test_scan_matches_accents_feat_articles_and_typos(catalog_db, music):
    tag(write_media(music / "a.mp3"), artist="Beyonce feat. Jay-Z",
        title="Crazy In Love (Remastered 2011)")
    tag(write_media(music / "b.flac"), artist="sigur ros", title="Hoppipolla")
    tag(write_media(music / "c.ogg"), artist="Beatles", title="Hey Jud - 2009 Remaster")
    write_media(music / "Queen - Dont Stop Me Now.wav")  # no tags: the file name
    tag(write_media(music / "e.m4a"), artist="RADIOHEAD", title="Exit Music [For A Film]")

    library.add_folder(catalog_db, music)
    report = library.scan(catalog_db)
    assert (report.added, report.matched, report.estimated, report.errors) == (5, 5, 0, [])

    items = _by_title(catalog_db)
    catalog = {(r[0], r[1]): VAD(*r[4:7]) for r in CATALOG}
    expected = {
        "Crazy In Love (Remastered 2011)": ("Beyoncé", "Crazy in Love"),
        "Hoppipolla": ("Sigur Rós", "Hoppípolla"),
        "Hey Jud - 2009 Remaster": ("The Beatles", "Hey Jude"),
        "Dont Stop Me Now": ("Queen", "Don't Stop Me Now"),
        "Exit Music [For A Film]": ("Radiohead", "Exit Music (For a Film)"),
    }
    for title, key in expected.items():
        item = items[title]
        assert not item.estimated, item.reason
        assert item.vad == pytest.approx(catalog[key]) or item.vad == catalog[key]
        row = catalog_db.execute(
            "SELECT artist, track FROM tracks WHERE id = ?", (item.matched_track_id,)
        ).fetchone()
        assert tuple(row) == key
        assert item.seeds  # the matched song's seed tags come along
    assert items["Hoppipolla"].match_score == 1.0
    assert library.MATCH_THRESHOLD <= items["Hey Jud - 2009 Remaster"].match_score < 1.0
    assert "similarity" in items["Hey Jud - 2009 Remaster"].reason


def test_unmatched_files_get_estimated_moods_and_say_why(catalog_db, music):
    tag(write_media(music / "genre.mp3"), artist="Nobody Known", title="Unknown Song",
        genre="Metal")
    tag(write_media(music / "seeds.ogg"), artist="Nobody Known", title="Another One",
        genre="Shoegaze", comment="a melancholy record")
    tag(write_media(music / "nothing.flac"), artist="Nobody Known", title="Third One")
    library.add_folder(catalog_db, music)
    library.scan(catalog_db)
    items = _by_title(catalog_db)

    metal = [VAD(*r[4:7]) for r in CATALOG if r[2] == "metal"]
    by_genre = items["Unknown Song"]
    assert by_genre.estimated and by_genre.matched_track_id is None
    assert by_genre.vad.valence == pytest.approx(sum(v.valence for v in metal) / len(metal))
    assert by_genre.vad.arousal == pytest.approx(sum(v.arousal for v in metal) / len(metal))
    assert "genre 'metal'" in by_genre.reason

    melancholy = [VAD(*r[4:7]) for r in CATALOG if "melancholy" in r[3]]
    by_seed = items["Another One"]
    assert by_seed.estimated
    assert by_seed.vad.valence == pytest.approx(
        sum(v.valence for v in melancholy) / len(melancholy))
    assert by_seed.seeds == ["melancholy"] and "'melancholy'" in by_seed.reason

    fallback = items["Third One"]
    assert fallback.estimated
    assert fallback.vad.valence == pytest.approx(sum(r[4] for r in CATALOG) / len(CATALOG))
    assert "mean of all 8 catalog songs" in fallback.reason


def test_scan_without_catalog_then_catalog_import_rematches(db, music):
    tag(write_media(music / "q.mp3"), artist="Queen", title="Don't Stop Me Now")
    library.add_folder(db, music)
    first = library.scan(db)
    assert first.added == 1
    item = library.list_items(db)[0]
    assert item.estimated and item.vad == NEUTRAL_VAD and "No catalog" in item.reason

    add_catalog(db, CATALOG)
    again = library.scan(db)
    assert (again.added, again.updated, again.rematched, again.matched) == (0, 0, 1, 1)
    item = library.list_items(db)[0]
    assert not item.estimated and item.vad == VAD(7.8, 6.3, 6.9)
    # Nothing changed since: the next scan does nothing.
    assert library.scan(db).unchanged == 1


def test_rematch_function_after_catalog_change(db, music):
    tag(write_media(music / "q.mp3"), artist="Adele", title="Someone Like You")
    library.add_folder(db, music)
    library.scan(db)
    add_catalog(db, CATALOG)
    assert library.rematch(db) == 1
    assert library.rematch(db) == 0
    assert library.list_items(db)[0].vad == VAD(2.6, 3.3, 4.0)


def test_real_muse_rows_match(db, music, shared):
    head = shared / "data" / "muse" / "muse_v3_head20.csv"
    if not head.is_file():
        pytest.skip("the MuSe head (../shared/data/muse/muse_v3_head20.csv) is absent")
    from moodplayer.catalog.muse import import_muse

    import_muse(head, db)
    tag(write_media(music / "x.mp3"), artist="Eminem", title="Till I Collapse (Explicit)")
    tag(write_media(music / "y.opus"), artist="M.I.A", title="Bamboo Banga")
    library.add_folder(db, music)
    report = library.scan(db)
    assert report.matched == 2
    items = _by_title(db)
    eminem = items["Till I Collapse (Explicit)"]
    assert eminem.vad.valence == pytest.approx(4.55)
    assert eminem.seeds == ["aggressive"]
    mia = items["Bamboo Banga"]
    assert mia.vad.valence == pytest.approx(6.555071429)
    assert set(mia.seeds) == {"aggressive", "fun", "sexy", "energetic"}

    # a new import (a new catalog generation) is noticed cheaply and matched again
    assert library.rematch_if_stale(db) == 0
    import_muse(head, db)
    assert library.rematch_if_stale(db) == 2
    assert library.rematch_if_stale(db) == 0
    assert _by_title(db)["Bamboo Banga"].vad.valence == pytest.approx(6.555071429)


# --------------------------------------------------------------------------- rescans


def test_rescan_picks_up_new_changed_and_deleted_files(catalog_db, music):
    a = tag_file(music / "a.mp3", "Queen", "Don't Stop Me Now")
    b = tag_file(music / "sub" / "b.flac", "Adele", "Someone Like You")
    c = tag_file(music / "sub" / "deep" / "c.ogg", "Metallica", "St. Anger")
    (music / "cover.jpg").write_bytes(b"\xff\xd8 not music")
    (music / "notes.txt").write_text("not music")
    library.add_folder(catalog_db, music)
    first = library.scan(catalog_db)
    assert (first.seen, first.added) == (3, 3)

    # new file, changed tags (size and time change), deleted file
    tag_file(music / "sub" / "new.m4a", "Slayer", "Angel of Death")
    time.sleep(0.01)
    tag(b, artist="Radiohead", title="Exit Music (For a Film)")
    c.unlink()
    second = library.scan(catalog_db)
    assert (second.added, second.updated, second.removed, second.unchanged) == (1, 1, 1, 1)
    items = _by_title(catalog_db)
    assert set(items) == {"Don't Stop Me Now", "Exit Music (For a Film)", "Angel of Death"}
    assert items["Exit Music (For a Film)"].vad == VAD(2.9, 3.8, 4.2)
    assert items["Exit Music (For a Film)"].path == str(b)

    third = library.scan(catalog_db)
    assert (third.added, third.updated, third.removed, third.unchanged) == (0, 0, 0, 3)
    assert a.exists()


def tag_file(path, artist, title):
    write_media(path)
    tag(path, artist=artist, title=title)
    return path


def test_missing_folder_keeps_its_items_until_it_returns(catalog_db, music, tmp_path):
    tag_file(music / "a.mp3", "Queen", "Don't Stop Me Now")
    library.add_folder(catalog_db, music)
    library.scan(catalog_db)
    moved = tmp_path / "unplugged"
    music.rename(moved)
    report = library.scan(catalog_db)
    assert report.missing_folders == [str(music)] and report.removed == 0
    assert len(library.list_items(catalog_db, source="library")) == 1
    assert library.playable_items(catalog_db) == []  # the file is not there to play
    moved.rename(music)
    assert len(library.playable_items(catalog_db)) == 1


def test_unreadable_files_are_reported_not_indexed(db, music):
    (music / "broken.mp3").write_bytes(b"\0" * 4096)
    (music / "empty.flac").write_bytes(b"")
    tag_file(music / "good.opus", "Queen", "Don't Stop Me Now")
    library.add_folder(db, music)
    report = library.scan(db)
    assert report.added == 1
    assert sorted(os.path.basename(p) for p, _ in report.errors) == ["broken.mp3", "empty.flac"]
    assert [i.title for i in library.list_items(db)] == ["Don't Stop Me Now"]


# --------------------------------------------------------------------------- cancel, progress


def test_progress_and_cancel_leave_a_consistent_index(catalog_db, music):
    for i in range(6):
        tag_file(music / f"{i:02d}.wav", f"Artist {i}", f"Song {i}")
    library.add_folder(catalog_db, music)
    stop = threading.Event()
    seen = []

    def progress(done, total, path):
        seen.append((done, total, os.path.basename(path)))
        if done == 2:
            stop.set()

    report = library.scan(catalog_db, progress=progress, cancel=stop)
    assert report.cancelled
    assert seen == [(1, 6, "00.wav"), (2, 6, "01.wav")]
    rows = catalog_db.execute("SELECT path, title FROM library_items").fetchall()
    assert sorted(os.path.basename(p) for p, _ in rows) == ["00.wav", "01.wav"]
    # the database is consistent and another connection sees the committed rows
    other = library.connect()
    try:
        assert other.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert other.execute("SELECT count(*) FROM library_items").fetchone()[0] == 2
    finally:
        other.close()

    # a callable works as a cancel token too; then a full scan finishes the job
    done_files = []
    report = library.scan(
        catalog_db, progress=lambda d, t, p: done_files.append(p), cancel=lambda: bool(done_files)
    )
    assert report.cancelled and report.added == 1 and len(done_files) == 1
    report = library.scan(catalog_db)
    assert not report.cancelled and report.added == 3 and report.unchanged == 3
    assert len(library.list_items(catalog_db)) == 6


def test_cancelled_scan_does_not_drop_deleted_files(catalog_db, music):
    for i in range(3):
        tag_file(music / f"{i}.wav", "A", f"S{i}")
    library.add_folder(catalog_db, music)
    library.scan(catalog_db)
    (music / "0.wav").unlink()
    tag_file(music / "3.wav", "A", "S3")
    report = library.scan(catalog_db, cancel=lambda: True)
    assert report.cancelled and report.removed == 0
    assert len(library.list_items(catalog_db)) == 3
    assert library.scan(catalog_db).removed == 1


# --------------------------------------------------------------------------- the user's files


def test_user_folder_is_left_byte_identical(catalog_db, music):
    tag_file(music / "a.mp3", "Queen", "Don't Stop Me Now")
    tag_file(music / "b" / "b.flac", "Beyoncé", "Crazy in Love")
    tag_file(music / "b" / "c.m4a", "Nobody", "Nothing")
    write_media(music / "Adele - Someone Like You.wav")
    write_media(music / "v" / "clip.mp4")
    write_media(music / "v" / "clip.mkv", metadata={"title": "Clip"})
    (music / "folder.jpg").write_bytes(b"\xff\xd8\xff cover")
    before = folder_snapshot(music)

    library.add_folder(catalog_db, music)
    library.scan(catalog_db)
    library.scan(catalog_db)
    assert len(library.playable_items(catalog_db)) == 6
    library.rematch(catalog_db)
    library.remove_folder(catalog_db, music)

    assert folder_snapshot(music) == before


def test_add_and_remove_folders(db, music, tmp_path):
    with pytest.raises(LibraryError, match="does not exist"):
        library.add_folder(db, tmp_path / "nope")
    afile = write_media(music / "a.wav")
    with pytest.raises(LibraryError, match="not a folder"):
        library.add_folder(db, afile)
    with pytest.raises(LibraryError, match="not in the library"):
        library.remove_folder(db, music)

    inner = music / "inner"
    write_media(inner / "b.wav")
    library.add_folder(db, music)
    library.add_folder(db, inner)
    library.add_folder(db, music)  # twice is fine
    assert library.list_folders(db) == [music.resolve(), inner.resolve()]
    assert library.scan(db).added == 2
    # removing the inner folder keeps its file: the outer folder still holds it
    assert library.remove_folder(db, inner) == 0
    assert len(library.list_items(db)) == 2
    assert library.remove_folder(db, music) == 2
    assert library.list_items(db) == []
    with pytest.raises(LibraryError, match="add it first"):
        library.scan(db, folders=[music])


def test_videos_are_marked_as_videos(db, music):
    write_media(music / "Artist - Clip.mp4")
    write_media(music / "Artist - Track.opus")
    library.add_folder(db, music)
    library.scan(db)
    kinds = {i.title: i.is_video for i in library.playable_items(db)}
    assert kinds == {"Clip": True, "Track": False}


# --------------------------------------------------------------------------- command


def test_library_command(home, music, capsys):
    tag_file(music / "a.mp3", "Queen", "Don't Stop Me Now")
    write_media(music / "sub" / "Adele - Someone Like You.flac")

    assert cli.main(["library", "add", str(music)]) == 0
    out = capsys.readouterr().out
    assert f"Added {music.resolve()}" in out and "2 new" in out

    assert cli.main(["library", "list", "--json", "--source", "library"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert sorted(i["title"] for i in items) == ["Don't Stop Me Now", "Someone Like You"]
    assert all(i["source"] == "library" and i["estimated"] for i in items)
    assert {"path", "valence", "arousal", "dominance", "reason", "is_video"} <= set(items[0])

    (music / "a.mp3").unlink()
    assert cli.main(["library", "scan", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["removed"] == 1 and report["unchanged"] == 1

    assert cli.main(["library", "list"]) == 0
    assert "Adele - Someone Like You" in capsys.readouterr().out

    assert cli.main(["library", "remove", str(music)]) == 0
    assert "1 file(s)" in capsys.readouterr().out
    assert cli.main(["library", "remove", str(music)]) == 1
    assert "not in the library" in capsys.readouterr().err
    assert cli.main(["library", "add", str(music / "missing")]) == 1
    assert "does not exist" in capsys.readouterr().err


# --------------------------------------------------------------------------- a damaged database


def test_damaged_catalog_pages_do_not_lose_the_library(home, music, shared):
    sample = shared / "data" / "muse" / "muse_sample.csv"
    if not sample.is_file():
        pytest.skip("the MuSe sample (../shared/data/muse/muse_sample.csv) is absent")
    from moodplayer.catalog.muse import import_muse

    conn = library.connect()
    import_muse(sample, conn)
    tag_file(music / "a.mp3", "Queen", "Don't Stop Me Now")
    tag_file(music / "b.opus", "Nobody", "Nothing")
    library.add_folder(conn, music)
    library.scan(conn)
    before = [i.to_json() for i in library.list_items(conn)]
    pages = [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = 'tracks'")]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()

    from moodplayer import paths

    db_file = paths.database_path()
    with open(db_file, "r+b") as f:  # scribble over a page in the middle of the catalog
        f.seek((pages[len(pages) // 2] - 1) * page_size)
        f.write(os.urandom(page_size))

    conn = library.connect()  # the store notices, moves the file aside and salvages
    try:
        assert list(db_file.parent.glob(db_file.name + ".corrupt-*"))
        assert [i.to_json() for i in library.list_items(conn)] == before
        assert library.list_folders(conn) == [music.resolve()]
        report = library.scan(conn)
        assert report.unchanged == 0 and report.rematched == 2  # the catalog is gone
        assert all(i.estimated for i in library.list_items(conn))
    finally:
        conn.close()
