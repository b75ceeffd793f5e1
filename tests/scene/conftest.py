"""Fixtures for the scene tests: the shared photos, loaded once, and the shared model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from moodplayer.vision.images import load_image


@pytest.fixture(scope="session")
def scene_model_dir(shared) -> Path:
    folder = shared / "models" / "scene"
    if not (folder / "mobilenet_v2_1.0_224_quant.tflite").is_file():
        pytest.skip("the scene model is absent from ../shared/models/scene")
    return folder


@pytest.fixture(scope="session")
def scene_model(scene_model_dir) -> Path:
    return scene_model_dir / "mobilenet_v2_1.0_224_quant.tflite"


@pytest.fixture(scope="session")
def scene_classifier(scene_model):
    """One real classifier for the session, loaded from the shared copy."""
    from moodplayer.vision.classifier import SceneClassifier

    classifier = SceneClassifier(scene_model)
    classifier.load()
    return classifier


@pytest.fixture(scope="session")
def photo(photos):
    """``photo("owl.jpg")`` -> RGB uint8 array of a shared photo (cached)."""
    cache: dict[str, np.ndarray] = {}

    def get(name: str) -> np.ndarray:
        if name not in cache:
            path = photos / name
            if not path.is_file():
                pytest.skip(f"{name} is absent from ../shared/data/photos")
            cache[name] = load_image(path).rgb
        return cache[name]

    return get


def _dark_desaturated(rgb: np.ndarray, keep_colour: float = 0.25, light: float = 0.4) -> np.ndarray:
    f = rgb.astype(np.float32)
    grey = f.mean(axis=2, keepdims=True)
    return np.clip((grey + keep_colour * (f - grey)) * light, 0, 255).astype(np.uint8)


@pytest.fixture(scope="session")
def dark_desaturated():
    """``dark_desaturated(rgb)``: the picture with a quarter of its colour, 40 % of its light."""
    return _dark_desaturated
