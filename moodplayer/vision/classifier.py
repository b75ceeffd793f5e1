"""What is in a picture: the ImageNet MobileNetV2 classifier (quantised TFLite).

The model is TensorFlow's published ``mobilenet_v2_1.0_224_quant`` (Apache-2.0):
input 1 x 224 x 224 x 3 uint8 RGB, output 1 x 1001 uint8 class scores (index 0
is ``background``), about 7 ms per image on one CPU core.

Where the model file comes from, first found wins:

1. an explicit path given to :class:`SceneClassifier`;
2. ``$MOODPLAYER_SCENE_MODEL`` (the file, or a folder holding it; tests point it
   at ``../shared/models/scene/``);
3. ``$MOODPLAYER_HOME/models/mobilenet_v2_1.0_224_quant.tflite``, placed there by
   hand or by :func:`download_model`, which fetches TensorFlow's archive once,
   with progress, and keeps the model only after it loaded with the expected
   shapes.

The label names and the mood of every label come from the shipped table
``data/scene_label_vad.csv`` (built by :mod:`moodplayer.training.scene_lexicon`),
so no separate labels file is needed.

The TFLite interpreter is ``ai_edge_litert`` when installed, else TensorFlow's
``tf.lite.Interpreter`` (deprecated in favour of LiteRT, but working in TF 2.21).
"""

from __future__ import annotations

import contextlib
import csv
import functools
import gzip
import logging
import os
import shutil
import tarfile
import tempfile
import threading
import urllib.error
import urllib.request
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moodplayer import paths
from moodplayer.errors import ModelLoadError
from moodplayer.mood.vad import VAD
from moodplayer.vision.tflite_check import IDENTIFIER, check_tflite

log = logging.getLogger(__name__)

MODEL_FILENAME = "mobilenet_v2_1.0_224_quant.tflite"
#: TensorFlow's published archive of the model (a .tgz holding the .tflite file).
MODEL_URL = (
    "https://storage.googleapis.com/download.tensorflow.org/models/"
    "tflite_11_05_08/mobilenet_v2_1.0_224_quant.tgz"
)
MODEL_ENV = "MOODPLAYER_SCENE_MODEL"
INPUT_SHAPE = (1, 224, 224, 3)
OUTPUT_SHAPE = (1, 1001)
LABEL_TABLE = ("data", "scene_label_vad.csv")
#: Refuse downloads larger than this (the archive is about 7 MB, the model 3.4 MB).
MAX_DOWNLOAD_BYTES = 200 * 1024 * 1024

#: ``progress(bytes_done, bytes_total_or_None)``
Progress = Callable[[int, "int | None"], None]


class ModelDownloadError(ModelLoadError):
    """The scene model could not be downloaded."""


@dataclass(frozen=True)
class LabelInfo:
    """One row of the label table."""

    index: int
    label: str  # the full ImageNet label with synonyms
    name: str  # the first synonym, as it reads in a sentence
    vad: VAD | None
    matched: tuple[str, ...]


@dataclass(frozen=True)
class Label:
    """A label the classifier gave a picture, with its probability."""

    index: int
    name: str
    score: float
    vad: VAD | None
    label: str

    def to_json(self) -> dict:
        return {"label": self.name, "score": round(self.score, 4), "imagenet": self.label}


@functools.lru_cache(maxsize=1)
def label_table() -> tuple[LabelInfo, ...]:
    """The 1001 labels with their Warriner-derived VAD (``data/scene_label_vad.csv``)."""
    path = paths.resource(*LABEL_TABLE)
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            lines = [line for line in handle if not line.startswith("#")]
    except OSError as err:
        raise ModelLoadError(
            f"The scene label table {path} is missing or unreadable ({err.strerror}); "
            "reinstall moodplayer."
        ) from err
    rows = []
    for row in csv.DictReader(lines):
        vad = (
            VAD(float(row["valence"]), float(row["arousal"]), float(row["dominance"]))
            if row["valence"]
            else None
        )
        rows.append(
            LabelInfo(
                int(row["index"]), row["label"], row["name"], vad, tuple(row["matched"].split())
            )
        )
    if len(rows) != OUTPUT_SHAPE[1] or any(r.index != i for i, r in enumerate(rows)):
        raise ModelLoadError(f"The scene label table {path} is damaged; reinstall moodplayer.")
    return tuple(rows)


def user_model_path() -> Path:
    """Where a user places (or moodplayer downloads) the model."""
    return paths.models_dir() / MODEL_FILENAME


def find_model() -> Path | None:
    """The model file to use, or None when it is nowhere to be found."""
    env = os.environ.get(MODEL_ENV)
    if env:
        path = Path(env).expanduser()
        if path.is_dir():
            path = path / MODEL_FILENAME
        if path.is_file():
            return path
        log.warning("%s points at %s, which does not hold the scene model", MODEL_ENV, path)
    path = user_model_path()
    return path if path.is_file() else None


def _interpreter_class() -> type:
    try:
        from ai_edge_litert.interpreter import Interpreter  # type: ignore[import-not-found]

        return Interpreter
    except ImportError:
        pass
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        import tensorflow as tf
    except ImportError as err:
        raise ModelLoadError(
            "No TFLite interpreter is installed: install the 'ai-edge-litert' or "
            "'tensorflow' package to recognise what is in pictures."
        ) from err
    return tf.lite.Interpreter


def open_interpreter(path: Path, num_threads: int | None = None):
    """Load a TFLite model and check it is the ImageNet classifier we expect."""
    path = Path(path)
    if not path.is_file():
        raise ModelLoadError(f"The scene model {path} does not exist.")
    check_tflite(path)  # the native interpreter may crash on a damaged file instead of raising
    interpreter_class = _interpreter_class()
    threads = num_threads or max(1, min(4, os.cpu_count() or 1))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            interpreter = interpreter_class(model_path=str(path), num_threads=threads)
        interpreter.allocate_tensors()
        inputs = interpreter.get_input_details()
        outputs = interpreter.get_output_details()
    except Exception as err:  # the interpreter raises ValueError/RuntimeError for bad files
        raise ModelLoadError(
            f"The scene model {path} is damaged or not a TFLite model ({err}). "
            f"Delete it so moodplayer downloads it again, or put a fresh copy of "
            f"{MODEL_FILENAME} there."
        ) from err
    if len(inputs) != 1 or len(outputs) != 1:
        raise ModelLoadError(f"The scene model {path} has an unexpected number of inputs/outputs.")
    got_in = (tuple(int(v) for v in inputs[0]["shape"]), np.dtype(inputs[0]["dtype"]))
    got_out = tuple(int(v) for v in outputs[0]["shape"])
    if got_in != (INPUT_SHAPE, np.dtype(np.uint8)) or got_out != OUTPUT_SHAPE:
        raise ModelLoadError(
            f"The scene model {path} takes {got_in[0]} {got_in[1]} and gives {got_out}; "
            f"expected {INPUT_SHAPE} uint8 in and {OUTPUT_SHAPE} out "
            f"(TensorFlow's {MODEL_FILENAME})."
        )
    return interpreter


def verify_model(path: Path) -> None:
    """Raise :class:`ModelLoadError` unless ``path`` is a working scene model."""
    open_interpreter(path, num_threads=1)


def preprocess(rgb: np.ndarray) -> np.ndarray:
    """Centre square crop, resized to 224 x 224, as a 1 x 224 x 224 x 3 uint8 batch."""
    import cv2

    if not isinstance(rgb, np.ndarray) or rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.size == 0:
        raise ValueError(
            f"Expected an RGB image (height, width, 3); got {getattr(rgb, 'shape', None)}."
        )
    h, w = rgb.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    square = np.ascontiguousarray(rgb[top : top + side, left : left + side])
    if square.dtype != np.uint8:
        square = np.clip(square, 0, 255).astype(np.uint8)
    interpolation = cv2.INTER_AREA if side > 224 else cv2.INTER_LINEAR
    resized = cv2.resize(square, (224, 224), interpolation=interpolation)
    return resized[None, ...]


class SceneClassifier:
    """The ImageNet classifier, loaded on first use and then kept (thread-safe).

    ``SceneClassifier()`` uses :func:`find_model`; ``SceneClassifier(path)`` a given
    file.  :meth:`available` tells without loading whether a model file exists.
    """

    def __init__(self, model_path: Path | str | None = None, num_threads: int | None = None):
        self._explicit = Path(model_path) if model_path is not None else None
        self._num_threads = num_threads
        self._interpreter = None
        self._input_index = 0
        self._output_index = 0
        self._scale = 1.0 / 256.0
        self._zero = 0
        self._lock = threading.Lock()
        self.model_path: Path | None = self._explicit

    def available(self) -> bool:
        path = self._explicit if self._explicit is not None else find_model()
        return path is not None and path.is_file()

    def load(self) -> None:
        """Load the model now (otherwise the first :meth:`classify` does)."""
        with self._lock:
            self._load_locked()

    def _load_locked(self) -> None:
        if self._interpreter is not None:
            return
        path = self._explicit if self._explicit is not None else find_model()
        if path is None:
            raise ModelLoadError(
                f"The scene model is not installed: let moodplayer download it, or place "
                f"{MODEL_FILENAME} in {paths.models_dir()}."
            )
        label_table()  # fail early if the table is broken
        interpreter = open_interpreter(path, self._num_threads)
        out = interpreter.get_output_details()[0]
        scale, zero = out.get("quantization", (0.0, 0))
        self._scale, self._zero = (float(scale), int(zero)) if scale else (1.0, 0)
        self._input_index = interpreter.get_input_details()[0]["index"]
        self._output_index = out["index"]
        self._interpreter = interpreter
        self.model_path = path
        log.info("scene classifier loaded from %s", path)

    def probabilities(self, rgb: np.ndarray) -> np.ndarray:
        """Probabilities over the 1001 labels (index 0 is background)."""
        batch = preprocess(rgb)
        with self._lock:
            self._load_locked()
            interpreter = self._interpreter
            interpreter.set_tensor(self._input_index, batch)
            interpreter.invoke()
            raw = interpreter.get_tensor(self._output_index)[0]
        probs = (raw.astype(np.float32) - self._zero) * self._scale
        probs = np.clip(probs, 0.0, None)
        total = float(probs.sum())
        return probs / total if total > 0 else probs

    def classify(self, rgb: np.ndarray, top_k: int = 5) -> list[Label]:
        """The ``top_k`` most likely labels (background excluded), best first."""
        probs = self.probabilities(rgb)
        probs[0] = 0.0
        table = label_table()
        best = np.argsort(-probs, kind="stable")[:top_k]
        return [
            Label(int(i), table[i].name, float(probs[i]), table[i].vad, table[i].label)
            for i in best
            if probs[i] > 0
        ]


def _copy_stream(source, target, total: int | None, progress: Progress | None) -> int:
    done = 0
    if progress:
        progress(0, total)
    while True:
        chunk = source.read(64 * 1024)
        if not chunk:
            break
        done += len(chunk)
        if done > MAX_DOWNLOAD_BYTES:
            raise ModelDownloadError("The scene model download is far larger than expected.")
        target.write(chunk)
        if progress:
            progress(done, total)
    return done


def _extract_model(archive: Path, target: Path) -> None:
    """Write the .tflite inside ``archive`` (tar/tgz/zip/gzip or a bare model) to ``target``."""
    with open(archive, "rb") as handle:
        magic = handle.read(8)
    if magic[4:8] == IDENTIFIER:  # a bare model (it may carry a zip of labels at its end)
        shutil.copyfile(archive, target)
    elif tarfile.is_tarfile(archive):
        with tarfile.open(archive) as tar:
            members = [
                m for m in tar.getmembers() if m.isfile() and Path(m.name).name == MODEL_FILENAME
            ]
            if not members:
                raise ModelDownloadError(f"The downloaded archive holds no {MODEL_FILENAME}.")
            source = tar.extractfile(members[0])
            with source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
    elif zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            names = [n for n in zf.namelist() if Path(n).name == MODEL_FILENAME]
            if not names:
                raise ModelDownloadError(f"The downloaded archive holds no {MODEL_FILENAME}.")
            with zf.open(names[0]) as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
    elif magic[:2] == b"\x1f\x8b":
        with gzip.open(archive, "rb") as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out)
    else:
        shutil.copyfile(archive, target)


def download_model(
    url: str = MODEL_URL,
    dest: Path | None = None,
    progress: Progress | None = None,
    timeout: float = 60.0,
) -> Path:
    """Fetch the scene model once and return its path.

    ``url`` may name the published ``.tgz`` (default), a ``.zip`` or a bare
    ``.tflite`` (``file://`` works too).  The file is written to a temporary
    name beside ``dest`` (default :func:`user_model_path`), checked with
    :func:`verify_model` and only then renamed into place, so an interrupted or
    broken download never leaves a model file behind.  ``progress(done, total)``
    is called as bytes arrive (``total`` is None when the server does not say).
    """
    dest = Path(dest) if dest is not None else user_model_path()
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, raw_name = tempfile.mkstemp(prefix=".download-", dir=dest.parent)
    raw = Path(raw_name)
    model_tmp = raw.with_suffix(".tflite")
    try:
        try:
            with (
                os.fdopen(fd, "wb") as target,
                urllib.request.urlopen(url, timeout=timeout) as resp,
            ):
                length = resp.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
                _copy_stream(resp, target, total, progress)
        except (urllib.error.URLError, OSError, ValueError) as err:
            reason = getattr(err, "reason", None) or err
            raise ModelDownloadError(
                f"The scene model could not be downloaded from {url} ({reason}). Check the "
                f"internet connection, or place {MODEL_FILENAME} in {dest.parent} by hand."
            ) from err
        try:
            _extract_model(raw, model_tmp)
        except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError) as err:
            raise ModelDownloadError(
                f"The scene model downloaded from {url} is damaged ({err}); try again later."
            ) from err
        verify_model(model_tmp)
        os.replace(model_tmp, dest)
        log.info("scene model saved to %s", dest)
        return dest
    finally:
        for leftover in (raw, model_tmp):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def ensure_model(progress: Progress | None = None, url: str = MODEL_URL) -> Path:
    """The model path, downloading the model first when it is not installed."""
    return find_model() or download_model(url, progress=progress)


__all__ = [
    "Label",
    "LabelInfo",
    "MODEL_FILENAME",
    "MODEL_URL",
    "ModelDownloadError",
    "SceneClassifier",
    "download_model",
    "ensure_model",
    "find_model",
    "label_table",
    "preprocess",
    "user_model_path",
    "verify_model",
]
