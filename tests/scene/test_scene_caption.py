"""The caption sentence."""

from __future__ import annotations

import pytest

from moodplayer.mood.vad import VAD
from moodplayer.vision.caption import compose_caption, faces_phrase, join_words, with_article
from moodplayer.vision.classifier import Label
from moodplayer.vision.colour import ColourFeatures
from moodplayer.vision.scene import SceneDescription

BRIGHT_WARM = ColourFeatures(brightness=0.7, saturation=0.25, warmth=0.6, contrast=0.2)
PLAIN = ColourFeatures(brightness=0.45, saturation=0.23, warmth=0.2, contrast=0.2)


def scene(labels=(), colour=BRIGHT_WARM) -> SceneDescription:
    made = tuple(Label(i, name, score, None, name) for i, (name, score) in enumerate(labels))
    return SceneDescription(vad=VAD(5, 4, 5), confidence=0.5, colour=colour, labels=made)


def test_the_example_from_the_issue():
    text = compose_caption(["happy", "happy"], scene([("seashore", 0.6)]))
    assert text == "Two smiling people by the sea, bright and warm."


@pytest.mark.parametrize(
    "emotions,expected",
    [
        ([], ""),
        (["happy"], "a smiling person"),
        (["sad", "sad", "sad"], "three sad people"),
        (
            ["happy", "neutral", "happy", "surprise"],
            "four people (two smiling, one surprised, one calm)",
        ),
        (["angry"] * 12, "12 angry people"),
    ],
)
def test_faces_phrase(emotions, expected):
    assert faces_phrase(emotions) == expected


def test_things_places_and_worn_labels():
    assert compose_caption([], scene([("hotdog", 0.9)], PLAIN)) == "A hotdog."
    assert compose_caption([], scene([("owl", 0.9)], PLAIN)) == "An owl."
    assert compose_caption([], scene([("valley", 0.5)])) == "A view in a valley, bright and warm."
    one = compose_caption(["neutral"], scene([("military uniform", 0.7)], PLAIN))
    assert one == "A calm person in a military uniform."
    group = compose_caption(["happy", "happy"], scene([("suit", 0.5), ("volleyball", 0.3)], PLAIN))
    assert group == "Two smiling people with a volleyball."
    alone = compose_caption([], scene([("suit", 0.5)], PLAIN))
    assert alone == "A suit."
    both = compose_caption(["happy"], scene([("volleyball", 0.4), ("seashore", 0.3)], PLAIN))
    assert both == "A smiling person with a volleyball by the sea."


def test_unsure_labels_are_left_out():
    assert compose_caption([], scene([("kite", 0.1)])) == "A bright and warm picture."
    assert compose_caption([], scene([], PLAIN)) == "An evenly lit picture."
    assert compose_caption(["sad"], None) == "A sad person."


def test_words():
    assert join_words(["bright", "warm", "saturated"]) == "bright, warm and saturated"
    assert with_article("Egyptian cat") == "an Egyptian cat"
    assert with_article("unicycle") == "a unicycle"


def test_one_face_takes_the_right_article():
    from moodplayer.vision.caption import faces_phrase

    assert faces_phrase(["angry"]).startswith("an ")
    assert faces_phrase(["happy"]).startswith("a ")
