"""M3U and XSPF export."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from moodplayer.catalog.playlist import export_playlist
from moodplayer.catalog.recommend import Recommendation
from moodplayer.errors import CatalogError


def rec(track, artist, *, path=None, spotify=None) -> Recommendation:
    return Recommendation(
        key=f"file:{path}" if path else f"muse:{abs(hash(track)) % 1000}", track=track,
        artist=artist, genre="rock", seeds=["sad"], valence=2.0, arousal=3.0, dominance=4.0,
        cluster=1, cluster_name="Calm and dark", score=0.9, playable=path is not None,
        path=str(path) if path else None, is_video=False,
        spotify_url=f"https://open.spotify.com/track/{spotify}" if spotify else None,
        video_search_url="https://www.youtube.com/results?search_query=x", reason="close <&>",
        source="library" if path else "catalog",
    )


@pytest.fixture
def items(tmp_path) -> list[Recommendation]:
    song = tmp_path / "Rock & Roll.mp3"
    song.write_bytes(b"ID3")
    return [rec("Rock & Roll", "Band <1>", path=song),
            rec("Elsewhere", "Catalog Artist", spotify="4xkOaSrkexMciUUogZKVTS")]


def test_m3u_lists_files_and_notes_catalog_songs(tmp_path, items):
    out = export_playlist(items, tmp_path / "mood.m3u", title="sad")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#EXTM3U"
    assert "#EXTINF:-1,Band <1> - Rock & Roll" in lines
    assert str(Path(items[0].path).resolve()) in lines
    notes = [ln for ln in lines if ln.startswith("# not in your library")]
    assert len(notes) == 1 and "open.spotify.com/track/4xkO" in notes[0]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_xspf_is_valid_xml_with_locations(tmp_path, items):
    out = export_playlist(items, tmp_path / "mood.xspf", title="sad & calm")
    ns = {"x": "http://xspf.org/ns/0/"}
    root = ET.parse(out).getroot()
    assert root.tag == "{http://xspf.org/ns/0/}playlist"
    assert root.find("x:title", ns).text == "sad & calm"
    tracks = root.findall("x:trackList/x:track", ns)
    assert len(tracks) == 2
    assert tracks[0].find("x:location", ns).text == Path(items[0].path).resolve().as_uri()
    assert tracks[0].find("x:creator", ns).text == "Band <1>"
    assert tracks[1].find("x:location", ns) is None
    assert tracks[1].find("x:info", ns).text.startswith("https://open.spotify.com/")
    assert tracks[1].find("x:annotation", ns).text == "close <&>"


def test_unknown_format_and_missing_folder_are_refused(tmp_path, items):
    with pytest.raises(CatalogError, match=r"\.m3u"):
        export_playlist(items, tmp_path / "mood.txt")
    with pytest.raises(CatalogError, match="does not exist"):
        export_playlist(items, tmp_path / "nope" / "mood.m3u")
