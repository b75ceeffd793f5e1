"""describe_scene on the shared photos: captions, moods, JSON, extensibility."""

from __future__ import annotations

import json

import numpy as np
import pytest

from moodplayer.mood.vad import VAD
from moodplayer.vision.caption import compose_caption
from moodplayer.vision.scene import (
    SceneDescriber,
    SceneDescription,
    SceneFacts,
    describe_scene,
)

SHARED_PHOTOS = (
    "bird.bmp",
    "cat_720p.jpg",
    "dragonfly.bmp",
    "face.jpg",
    "grace_hopper.bmp",
    "hot_dog.jpg",
    "kite_and_cold.jpg",
    "owl.jpg",
    "parrot.jpg",
    "pets.jpg",
    "sunflower.bmp",
)
#: Photos with at least average colour (so that taking it away is a real change).
COLOURFUL = ("bird.bmp", "cat_720p.jpg", "owl.jpg", "parrot.jpg", "pets.jpg", "sunflower.bmp")


@pytest.fixture(scope="module", params=["colour", "colour+labels"])
def describe(request, scene_classifier):
    classifier = scene_classifier if request.param == "colour+labels" else None
    return lambda rgb: describe_scene(rgb, classifier)


@pytest.mark.parametrize("name", SHARED_PHOTOS)
def test_every_shared_photo_gets_a_caption_and_a_mood(describe, photo, name):
    scene = describe(photo(name))
    caption = scene.caption
    assert isinstance(caption, str) and len(caption) > 5
    assert caption[0].isupper() and caption.endswith(".")
    assert all(1.0 <= v <= 9.0 for v in scene.vad.as_tuple())
    assert 0.0 < scene.confidence <= 1.0
    assert sum(scene.weights.values()) == pytest.approx(1.0)
    mood = scene.mood()
    assert mood.sources == {"faces": 0.0, "scene": 1.0}
    assert mood.vad == scene.vad


def test_labels_become_words_of_the_caption(scene_classifier, photo):
    assert "hotdog" in describe_scene(photo("hot_dog.jpg"), scene_classifier).caption.lower()
    sunflower = describe_scene(photo("sunflower.bmp"), scene_classifier)
    assert sunflower.caption == "A daisy, bright, warm and saturated."
    assert sunflower.weights["imagenet"] == pytest.approx(0.5, abs=0.01)
    kite = describe_scene(photo("kite_and_cold.jpg"), scene_classifier)
    assert "by the sea" in kite.caption  # seashore is among its top labels


def test_sunflower_reads_more_positive_than_owl(describe, photo):
    sunflower = describe(photo("sunflower.bmp"))
    owl = describe(photo("owl.jpg"))
    assert sunflower.vad.valence > owl.vad.valence + 0.5


@pytest.mark.parametrize("name", COLOURFUL)
def test_dark_desaturated_version_reads_lower(describe, photo, dark_desaturated, name):
    original = describe(photo(name))
    dimmed = describe(dark_desaturated(photo(name)))
    assert dimmed.vad.valence < original.vad.valence - 0.3
    assert dimmed.vad.arousal < original.vad.arousal
    assert "dark" in dimmed.colour.words()


def test_colour_only_when_no_classifier(photo):
    scene = describe_scene(photo("hot_dog.jpg"))
    assert scene.labels == ()
    assert scene.weights == {"colour": 1.0}
    assert scene.confidence == pytest.approx(0.5)
    assert "hotdog" not in scene.caption


def test_face_photo_caption_mentions_people(describe, photo):
    scene = describe(photo("face.jpg"))
    caption = compose_caption(["happy", "happy", "neutral", "surprise"], scene)
    assert caption.startswith("Four people (two smiling, one surprised, one calm)")
    assert "people" in caption


def test_to_json_is_serialisable_and_complete(scene_classifier, photo):
    scene = describe_scene(photo("hot_dog.jpg"), scene_classifier)
    data = json.loads(json.dumps(scene.to_json()))
    assert data["labels"][0]["label"] == "hotdog" and 0.5 < data["labels"][0]["score"] <= 1
    assert set(data["colour"]) >= {"brightness", "saturation", "warmth", "contrast", "palette"}
    assert set(data["vad"]) == {"valence", "arousal", "dominance"}
    assert set(data["describers"]) == {"colour", "imagenet"}
    assert data["describers"]["imagenet"]["weight"] + data["describers"]["colour"]["weight"] == (
        pytest.approx(1.0, abs=0.002)
    )
    assert data["caption"] == scene.caption
    assert data["colour"]["palette"] and data["colour"]["palette"][0]["hex"].startswith("#")


class Letterbox:
    """A describer written outside this package: reports black bars, no mood.

    It stands for a later backend (e.g. a neural captioner) to show the
    interface takes one more describer without changes.
    """

    name = "letterbox"

    def describe(self, rgb: np.ndarray) -> SceneFacts:
        rows = rgb.reshape(rgb.shape[0], -1).max(axis=1)
        bars = int((rows < 16).sum())
        return SceneFacts(self.name, sentence=f"a picture with {bars} black rows")


class Sepia:
    name = "sepia"

    def describe(self, rgb: np.ndarray) -> SceneFacts:
        return SceneFacts(self.name, vad=VAD(3.0, 3.0, 3.0), weight=1.0, confidence=0.2)


def test_extra_describers_plug_in(photo):
    rgb = photo("owl.jpg").copy()
    rgb[:20] = 0
    assert isinstance(Letterbox(), SceneDescriber)
    plain = describe_scene(rgb)
    scene = describe_scene(rgb, describers=[Letterbox(), Sepia()])
    assert scene.sentence == "a picture with 20 black rows"
    assert compose_caption(["happy"], scene).startswith("A picture with 20 black rows; a smiling")
    # Sepia's VAD has the colour's weight: the scene VAD is their mean.
    assert scene.weights == {"colour": 0.5, "sepia": 0.5}
    assert scene.vad.valence == pytest.approx((plain.vad.valence + 3.0) / 2)
    assert scene.confidence == pytest.approx(1 - 0.5 * 0.8)


def test_a_failing_describer_is_left_out(photo):
    class Broken:
        name = "broken"

        def describe(self, rgb):
            raise RuntimeError("backend crashed")

    scene = describe_scene(photo("owl.jpg"), describers=[Broken()])
    assert isinstance(scene, SceneDescription)
    assert [f.source for f in scene.facts] == ["colour"]


def test_bad_input_is_a_value_error():
    with pytest.raises(ValueError):
        describe_scene(np.zeros((4, 4), np.uint8))
