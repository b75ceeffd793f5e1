"""The shipped label -> VAD table is reproducible from the Warriner norms and cites them."""

from __future__ import annotations

import csv

import pytest

from moodplayer import paths
from moodplayer.training import scene_lexicon as lex


@pytest.fixture(scope="module")
def norms_path(shared):
    path = shared / "data" / "lexicons" / "Ratings_Warriner_et_al.csv"
    if not path.is_file():
        pytest.skip("the Warriner norms are absent from ../shared/data/lexicons")
    return path


def test_shipped_table_is_reproducible(tmp_path, norms_path, scene_model_dir):
    out = tmp_path / "table.csv"
    code = lex.main(
        [
            "--labels",
            str(scene_model_dir / "imagenet_labels.txt"),
            "--lexicon",
            str(norms_path),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    shipped = paths.resource("data", "scene_label_vad.csv")
    assert out.read_text(encoding="utf-8") == shipped.read_text(encoding="utf-8")


def test_table_content_and_citation():
    path = paths.resource("data", "scene_label_vad.csv")
    text = path.read_text(encoding="utf-8")
    assert "Warriner, A.B., Kuperman, V., & Brysbaert, M. (2013)" in text
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    assert len(rows) == 1001  # labels only: the lexicon itself is not shipped
    by_name = {r["name"]: r for r in rows}
    assert by_name["seashore"]["matched"] == "seashore coast sea"
    assert by_name["beagle"]["matched"] == "~dog"  # breed -> its category word
    assert by_name["volcano"]["valence"] == "4.590"
    assert by_name["background"]["valence"] == ""


def test_matching_rules():
    norms = {
        "sea": (6.0, 3.0, 5.0),
        "pony": (7.0, 4.0, 6.0),
        "man": (5.0, 4.0, 5.0),
        "eater": (5.0, 4.0, 6.0),
        "bus": (5.0, 3.0, 5.0),
    }
    assert lex.lookup("ponies", norms) == "pony"
    assert lex.lookup("seas", norms) == "sea"
    assert lex.lookup("bus", norms) == "bus"
    assert lex.match_label("man-eater, sea, Seas", norms) == ["man", "eater", "sea"]
    rows = lex.derive(["background", "sea, pony", "Tinca tinca"], norms)
    assert rows[1].vad == pytest.approx((6.5, 3.5, 5.5))
    assert rows[2].vad is None  # no word, and its category word is not in these norms
    rows = lex.derive(["background", "tench, Tinca tinca"], {**norms, "fish": (6.4, 3.3, 6.1)})
    assert rows[1].matched == ("~fish",) and rows[1].vad == (6.4, 3.3, 6.1)
