"""The ``catalog``, ``recommend`` and ``playlist`` commands, run through the real CLI."""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from moodplayer.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory) -> Path:
    """A fresh home where the demo library has been made once (tests copy nothing into it)."""
    pytest.importorskip("moodplayer.catalog.demo")
    return tmp_path_factory.mktemp("fresh-home")


@pytest.fixture
def in_demo_home(demo_home, monkeypatch) -> Path:
    monkeypatch.setenv("MOODPLAYER_HOME", str(demo_home))
    return demo_home


def test_catalog_import_info_and_clusters(home, capsys, muse_sample):
    code, out, _ = run(capsys, "catalog", "import", str(muse_sample), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["imported"] > 4000 and report["skipped"] == 0 and report["clusters"] >= 5

    code, out, _ = run(capsys, "catalog", "info", "--json")
    info = json.loads(out)
    assert code == 0 and info["tracks"] == report["imported"]
    assert info["source"] == str(muse_sample.resolve()) and info["imported_at"]
    assert info["cluster_model"]["k"] == report["clusters"]
    assert info["cluster_model"]["source"].startswith("catalog")

    code, out, _ = run(capsys, "catalog", "info")
    assert code == 0 and f"{report['imported']:,} songs" in out

    code, out, _ = run(capsys, "catalog", "clusters", "--json")
    data = json.loads(out)
    assert code == 0 and len(data["clusters"]) == data["k"] == report["clusters"]
    assert sum(c["size"] for c in data["clusters"]) == report["imported"]
    emotions = [e for c in data["clusters"] for e in c["emotions"]]
    assert sorted(emotions) == sorted(
        ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"])
    for c in data["clusters"]:
        assert c["name"] and c["top_tags"] and 0 < c["centroid"]["valence"] < 10

    code, out, _ = run(capsys, "catalog", "clusters")
    assert code == 0 and "top tags:" in out and "emotions:" in out


def test_catalog_import_reports_bad_rows_and_refuses_other_files(home, capsys, tmp_path):
    good = tmp_path / "muse.csv"
    good.write_text(
        "track,artist,seeds,number_of_emotion_tags,valence_tags,arousal_tags,dominance_tags\n"
        "A,B,['sad'],2,2,3,4\nC,D,['sad'],x,2,3,4\n", encoding="utf-8")
    code, out, _ = run(capsys, "catalog", "import", str(good))
    assert code == 0 and "Imported 1 songs" in out and "skipped line 3:" in out
    other = tmp_path / "photo.csv"
    other.write_text("name,size\nholiday.jpg,123\n", encoding="utf-8")
    code, out, err = run(capsys, "catalog", "import", str(other))
    assert code == 1 and "is not a MuSe CSV file" in err
    code, out, _ = run(capsys, "catalog", "info", "--json")
    assert json.loads(out)["tracks"] == 1


def test_recommend_json_with_a_catalog(home, capsys, muse_sample, tmp_path):
    run(capsys, "catalog", "import", str(muse_sample))
    lib = pytest.importorskip("moodplayer.catalog.library")
    # an own library item keeps the demo library out of this test
    from moodplayer.catalog import store
    from moodplayer.mood.vad import VAD

    song = tmp_path / "mine.wav"
    song.write_bytes(b"RIFF")
    conn = store.connect()
    lib.ensure_schema(conn)
    lib.upsert_item(conn, lib.LocalItem(
        key=f"file:{song}", path=str(song), title="Mine", artist="Me", album="", genre="",
        duration_s=None, vad=VAD(8.0, 6.0, 7.0), is_video=False, source="library",
        matched_track_id=None, estimated=True))
    conn.commit()
    conn.close()

    code, out, _ = run(capsys, "recommend", "--emotion", "happy", "--top", "8", "--json")
    recs = json.loads(out)
    assert code == 0 and len(recs) == 8
    assert recs[0]["track"] == "Mine" and recs[0]["playable"] and recs[0]["path"] == str(song)
    for r in recs[1:]:
        assert not r["playable"] and r["path"] is None and isinstance(r["seeds"], list)
        assert r["video_search_url"] and r["reason"]
    assert not (Path(home) / "demo").exists()

    code, out, _ = run(capsys, "recommend", "--vad", "2", "3.5", "4", "--top", "5",
                       "--strategy", "uplift")
    assert code == 0 and "strategy uplift" in out and "towards brighter songs" in out


def test_recommend_needs_exactly_one_mood(home, capsys):
    code, _, err = run(capsys, "recommend", "--emotion", "sad", "--vad", "1", "2", "3")
    assert code == 1 and "exactly one" in err
    code, _, err = run(capsys, "recommend")
    assert code == 1 and "exactly one" in err


def test_recommend_on_a_fresh_home_plays_demo_items(in_demo_home, capsys):
    code, out, _ = run(capsys, "recommend", "--emotion", "sad", "--json")
    sad = json.loads(out)
    assert code == 0 and sad and all(r["playable"] and r["source"] == "demo" for r in sad)
    code, out, _ = run(capsys, "recommend", "--emotion", "happy", "--json")
    happy = json.loads(out)
    assert happy[0]["path"] != sad[0]["path"]
    assert happy[0]["valence"] > sad[0]["valence"] + 3
    for r in (sad[0], happy[0]):
        assert Path(r["path"]).is_file() and Path(r["path"]).is_relative_to(in_demo_home)
    _assert_libvlc_plays(Path(sad[0]["path"]))


def _assert_libvlc_plays(path: Path) -> None:
    player_mod = pytest.importorskip("moodplayer.playback.player")
    if not player_mod.vlc_available():
        pytest.skip("libvlc is not installed here")
    player = player_mod.Player(player_mod.PlayerOptions.dummy())
    try:
        playing = threading.Event()
        player.on_state = lambda s: playing.set() if s == player_mod.PlayerState.PLAYING else None
        player.load(path)
        player.play()
        assert playing.wait(10), f"libvlc did not play {path}"
    finally:
        player.close()


def test_playlist_export(in_demo_home, capsys, tmp_path):
    out_file = tmp_path / "calm.xspf"
    code, out, _ = run(capsys, "playlist", "export", str(out_file), "--emotion", "neutral",
                       "--strategy", "calm", "--json")
    summary = json.loads(out)
    assert code == 0 and summary["songs"] >= 1 and summary["playable"] >= 1
    root = ET.parse(out_file).getroot()
    locations = root.findall(".//{http://xspf.org/ns/0/}location")
    assert locations and all(loc.text.startswith("file://") for loc in locations)
    m3u = tmp_path / "sad.m3u"
    code, _, _ = run(capsys, "playlist", "export", str(m3u), "--emotion", "sad")
    assert code == 0 and m3u.read_text().startswith("#EXTM3U")
    code, _, err = run(capsys, "playlist", "export", str(tmp_path / "x.doc"))
    assert code == 1 and ".xspf" in err
