"""Colour and light features, their words, and the Valdez & Mehrabian mood."""

from __future__ import annotations

import time

import numpy as np
import pytest

from moodplayer.vision.colour import (
    WARRINER_SPREAD,
    ColourFeatures,
    colour_features,
    colour_name,
    colour_vad,
    palette,
)


def flat(rgb: tuple[int, int, int], size: int = 64) -> np.ndarray:
    return np.full((size, size, 3), rgb, dtype=np.uint8)


def test_flat_colours_measure_as_expected():
    black, white = colour_features(flat((0, 0, 0))), colour_features(flat((255, 255, 255)))
    assert black.brightness == pytest.approx(0.0, abs=1e-3)
    assert white.brightness == pytest.approx(1.0, abs=1e-3)
    assert black.saturation < 0.01 and white.saturation < 0.01
    assert black.contrast == pytest.approx(0.0, abs=1e-3)
    orange, blue = colour_features(flat((255, 140, 0))), colour_features(flat((30, 60, 255)))
    assert orange.warmth > 0.6
    assert blue.warmth < -0.3
    assert orange.saturation > 0.6


def test_half_black_half_white_is_high_contrast():
    rgb = np.zeros((64, 64, 3), np.uint8)
    rgb[:, 32:] = 255
    features = colour_features(rgb)
    assert features.contrast == pytest.approx(0.5, abs=0.02)
    assert "high-contrast" in features.words()
    names = {c.name for c in features.palette}
    assert names == {"black", "white"}
    assert sum(c.fraction for c in features.palette) == pytest.approx(1.0)


def test_palette_finds_the_main_colours_and_their_shares():
    rgb = np.zeros((60, 60, 3), np.uint8)
    rgb[:, :45] = (20, 60, 200)  # blue, three quarters
    rgb[:, 45:] = (250, 220, 30)  # yellow, one quarter
    colours = palette(rgb)
    assert colours[0].name == "blue" and colours[0].fraction == pytest.approx(0.75, abs=0.05)
    assert any(c.name == "yellow" and c.fraction == pytest.approx(0.25, abs=0.05) for c in colours)
    assert colours[0].hex.startswith("#") and len(colours[0].hex) == 7


@pytest.mark.parametrize(
    "rgb,name",
    [
        ((0, 0, 0), "black"),
        ((255, 255, 255), "white"),
        ((128, 128, 128), "grey"),
        ((220, 30, 30), "red"),
        ((250, 220, 30), "yellow"),
        ((40, 160, 60), "green"),
        ((20, 60, 200), "blue"),
        ((120, 70, 30), "brown"),
        ((255, 140, 0), "orange"),
    ],
)
def test_colour_names(rgb, name):
    import cv2

    lab = cv2.cvtColor(np.array([[rgb]], np.float32) / 255.0, cv2.COLOR_RGB2Lab)[0, 0]
    assert colour_name(*(float(v) for v in lab)) == name


def test_phrase_for_bright_warm_saturated_and_dark_grey():
    sunny = colour_features(flat((255, 190, 40)))
    assert sunny.words()[:3] == ("bright", "warm", "saturated")
    assert sunny.phrase.startswith("bright, warm, saturated")
    gloomy = colour_features(flat((40, 40, 42)))
    assert gloomy.words()[0] == "dark"
    assert "almost colourless" in gloomy.words()


def test_valdez_mehrabian_directions():
    """Brighter -> more pleasant, less dominant; more saturated -> more arousing."""
    mid = ColourFeatures(brightness=0.45, saturation=0.23, warmth=0.0, contrast=0.2)
    bright = ColourFeatures(brightness=0.75, saturation=0.23, warmth=0.0, contrast=0.2)
    vivid = ColourFeatures(brightness=0.45, saturation=0.50, warmth=0.0, contrast=0.2)
    v_mid, v_bright, v_vivid = colour_vad(mid), colour_vad(bright), colour_vad(vivid)
    # At the reference statistics the picture reads as the average Warriner word.
    assert v_mid.valence == pytest.approx(WARRINER_SPREAD["valence"][0])
    assert v_mid.arousal == pytest.approx(WARRINER_SPREAD["arousal"][0])
    assert v_mid.dominance == pytest.approx(WARRINER_SPREAD["dominance"][0])
    assert v_bright.valence > v_mid.valence and v_bright.dominance < v_mid.dominance
    assert v_bright.arousal < v_mid.arousal
    assert v_vivid.arousal > v_mid.arousal and v_vivid.valence > v_mid.valence
    # Exact mapping: brightness z = (75 - 45) / 15 = 2 -> V = 5.06 + 1.27 * 0.69 * 2.
    assert v_bright.valence == pytest.approx(5.06 + 1.27 * 0.69 * 2.0)
    for vad in (v_mid, v_bright, v_vivid, colour_vad(colour_features(flat((255, 255, 255))))):
        assert all(1.0 <= x <= 9.0 for x in vad.as_tuple())


def test_rejects_non_rgb_input():
    with pytest.raises(ValueError, match="RGB"):
        colour_features(np.zeros((10, 10), np.uint8))


def test_colour_features_are_fast_on_a_large_photo(photo):
    rgb = photo("cat_720p.jpg")
    colour_features(rgb)
    times = []
    for _ in range(7):
        start = time.perf_counter()
        colour_features(rgb)
        times.append(time.perf_counter() - start)
    # target 10 ms; generous bound because the test machine may be busy
    assert sorted(times)[3] < 0.05
