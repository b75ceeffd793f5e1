"""The ImageNet classifier: labels on real photos, broken files, the download."""

from __future__ import annotations

import functools
import http.server
import io
import os
import shutil
import tarfile
import threading
import zipfile

import numpy as np
import pytest

from moodplayer.errors import ModelLoadError
from moodplayer.vision import classifier as cls
from moodplayer.vision.classifier import (
    MODEL_FILENAME,
    ModelDownloadError,
    SceneClassifier,
    download_model,
    find_model,
    label_table,
    preprocess,
)


def test_label_table_has_all_labels_with_names_and_vad():
    table = label_table()
    assert len(table) == 1001
    assert table[0].name == "background" and table[0].vad is None
    hotdog = next(t for t in table if t.name == "hotdog")
    assert "hotdog" in hotdog.matched and hotdog.vad is not None
    rated = [t for t in table if t.vad is not None]
    assert len(rated) > 900
    assert all(1 <= v <= 9 for t in rated for v in t.vad.as_tuple())


def test_preprocess_centre_crops_to_224():
    rgb = np.zeros((300, 600, 3), np.uint8)
    rgb[:, 150:450] = 200  # the centre square is bright, the sides black
    batch = preprocess(rgb)
    assert batch.shape == (1, 224, 224, 3) and batch.dtype == np.uint8
    assert batch.min() == 200


@pytest.mark.parametrize(
    "name,expected",
    [
        ("hot_dog.jpg", "hotdog"),
        ("sunflower.bmp", "daisy"),
        ("dragonfly.bmp", "dragonfly"),
        ("cat_720p.jpg", "cat"),
    ],
)
def test_top_label_on_known_photos(scene_classifier, photo, name, expected):
    labels = scene_classifier.classify(photo(name), top_k=5)
    assert 1 <= len(labels) <= 5  # labels with zero probability are left out
    assert expected in labels[0].name.lower()
    assert labels[0].score > 0.5
    scores = [label.score for label in labels]
    assert scores == sorted(scores, reverse=True) and sum(scores) <= 1.0 + 1e-6


def test_probabilities_sum_to_one(scene_classifier, photo):
    probs = scene_classifier.probabilities(photo("owl.jpg"))
    assert probs.shape == (1001,)
    assert probs.sum() == pytest.approx(1.0, abs=1e-5)


def test_classifier_loads_once(scene_model):
    classifier = SceneClassifier(scene_model)
    assert classifier.available()
    classifier.load()
    first = classifier._interpreter
    classifier.classify(np.zeros((50, 50, 3), np.uint8))
    assert classifier._interpreter is first


def test_find_model_uses_env_folder_then_home(home, monkeypatch, scene_model_dir):
    monkeypatch.delenv(cls.MODEL_ENV, raising=False)
    assert find_model() is None
    assert not SceneClassifier().available()
    monkeypatch.setenv(cls.MODEL_ENV, str(scene_model_dir))
    assert find_model() == scene_model_dir / MODEL_FILENAME
    monkeypatch.delenv(cls.MODEL_ENV)
    placed = home / "models" / MODEL_FILENAME
    placed.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(scene_model_dir / MODEL_FILENAME, placed)
    assert find_model() == placed


def test_missing_model_is_a_clear_error(home, monkeypatch):
    monkeypatch.delenv(cls.MODEL_ENV, raising=False)
    with pytest.raises(ModelLoadError, match="not installed"):
        SceneClassifier().load()


@pytest.mark.parametrize("content", [b"", b"this is not a model" * 100, "truncated"])
def test_broken_model_file_is_a_clear_error(tmp_path, scene_model, content):
    broken = tmp_path / MODEL_FILENAME
    if content == "truncated":
        broken.write_bytes(scene_model.read_bytes()[:100_000])
    else:
        broken.write_bytes(content)
    with pytest.raises(ModelLoadError) as info:
        SceneClassifier(broken).load()
    message = str(info.value)
    assert str(broken) in message and "damaged" in message


def test_default_classifier_none_without_model_error_when_broken(home, monkeypatch):
    from moodplayer.vision.scene import load_default_classifier

    monkeypatch.delenv(cls.MODEL_ENV, raising=False)
    assert load_default_classifier() is None
    (home / "models").mkdir(parents=True, exist_ok=True)
    (home / "models" / MODEL_FILENAME).write_bytes(b"\x00" * 4096)
    with pytest.raises(ModelLoadError):
        load_default_classifier()


# -- download ------------------------------------------------------------------------------


@pytest.fixture
def server(tmp_path):
    """A real HTTP server on 127.0.0.1 serving ``tmp_path / "www"``."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args, **kwargs: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def make_tgz(target, model_bytes: bytes, member: str) -> None:
    with tarfile.open(target, "w:gz") as tar:
        for name, data in ((member, model_bytes), ("mobilenet_v2_1.0_224_quant_info.txt", b"x")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".download-"))


def test_download_published_tgz_with_progress(home, monkeypatch, server, scene_model):
    monkeypatch.delenv(cls.MODEL_ENV, raising=False)
    root, base = server
    make_tgz(
        root / "mobilenet_v2_1.0_224_quant.tgz", scene_model.read_bytes(), f"./{MODEL_FILENAME}"
    )
    size = (root / "mobilenet_v2_1.0_224_quant.tgz").stat().st_size
    calls = []
    path = download_model(
        f"{base}/mobilenet_v2_1.0_224_quant.tgz",
        progress=lambda done, total: calls.append((done, total)),
    )
    assert path == home / "models" / MODEL_FILENAME
    assert path.read_bytes() == scene_model.read_bytes()
    assert calls[0] == (0, size) and calls[-1] == (size, size)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert leftovers(path.parent) == []
    # ... and the app now finds and uses it.
    assert find_model() == path
    labels = SceneClassifier().classify(np.full((224, 224, 3), 128, np.uint8))
    assert labels and labels[0].score > 0


def test_download_bare_file_url_and_zip(tmp_path, scene_model):
    dest = tmp_path / "models" / MODEL_FILENAME
    path = download_model(scene_model.as_uri(), dest=dest)
    assert path == dest and dest.stat().st_size == scene_model.stat().st_size
    archive = tmp_path / "model.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(scene_model, f"model/{MODEL_FILENAME}")
    dest2 = tmp_path / "other" / MODEL_FILENAME
    download_model(archive.as_uri(), dest=dest2)
    assert dest2.read_bytes() == scene_model.read_bytes()


def test_broken_download_leaves_nothing_behind(home, server):
    root, base = server
    (root / "junk.tflite").write_bytes(os.urandom(50_000))
    with pytest.raises(ModelLoadError, match="damaged"):
        download_model(f"{base}/junk.tflite")
    models = home / "models"
    assert not (models / MODEL_FILENAME).exists()
    assert leftovers(models) == []


def test_archive_without_model_and_missing_url(tmp_path, server):
    root, base = server
    make_tgz(root / "empty.tgz", b"nothing", "readme.txt")
    dest = tmp_path / "m" / MODEL_FILENAME
    with pytest.raises(ModelDownloadError, match="holds no"):
        download_model(f"{base}/empty.tgz", dest=dest)
    with pytest.raises(ModelDownloadError, match="could not be downloaded") as info:
        download_model(f"{base}/absent.tgz", dest=dest)
    assert "absent.tgz" in str(info.value) and "by hand" in str(info.value)
    assert not dest.exists() and leftovers(dest.parent) == []


def test_ensure_model_does_not_download_when_present(home, monkeypatch, scene_model_dir):
    monkeypatch.setenv(cls.MODEL_ENV, str(scene_model_dir))
    assert cls.ensure_model(url="http://127.0.0.1:9/never") == scene_model_dir / MODEL_FILENAME


def test_structural_check_catches_truncated_models(tmp_path, scene_model):
    """The native interpreter segfaults on these files; the check must refuse them first."""
    from moodplayer.vision.tflite_check import check_tflite

    data = scene_model.read_bytes()
    check_tflite(scene_model)
    for keep in (8, 64, 5_000, len(data) // 2, len(data) - 60_000):
        cut = tmp_path / f"cut{keep}.tflite"
        cut.write_bytes(data[:keep])
        with pytest.raises(ModelLoadError, match="damaged"):
            check_tflite(cut)
    garbled = bytearray(data)
    garbled[32:36] = b"\xff\xff\xff\x7f"  # the model table's vtable offset
    (tmp_path / "garbled.tflite").write_bytes(bytes(garbled))
    with pytest.raises(ModelLoadError):
        check_tflite(tmp_path / "garbled.tflite")
