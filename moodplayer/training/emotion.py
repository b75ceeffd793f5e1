"""Train the facial-emotion network that moodplayer ships.

Reproducible: fixed seeds, a fixed schedule and augmentation, validation on the
FER2013 PublicTest split after every epoch, and resumable (``--resume`` picks up
from the last finished epoch in the work folder).

The network is a small batch-normalised VGG-style CNN (about 60 M multiply-adds
per face).  It is trained with TensorFlow/Keras and exported with tf2onnx to the
ONNX graph that DeepFace's onnx engine loads as
``facial_expression_model_weights.onnx``: input ``N x 48 x 48 x 1`` grey values
in ``[0, 1]`` (exactly what DeepFace's emotion client feeds), output the seven
class probabilities.  Test-time horizontal flip is baked into the exported graph.

Usage::

    python -m moodplayer.training.emotion --data ../shared/data/fer2013 \
        --work build/emotion-train --out models/emotion
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import time
from pathlib import Path

import numpy as np

log = logging.getLogger("moodplayer.training.emotion")

CLASSES = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
SEED = 1234


def load_npz(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Return images as float32 N x 48 x 48 x 1 in [0, 1] and integer labels."""
    with np.load(path, allow_pickle=False) as data:
        images = data["images"].astype(np.float32)[..., None] / 255.0
        labels = data["labels"].astype(np.int64)
    return images, labels


def build_model(width: int = 48):
    """The shipped architecture: 4 conv stages with batch norm, global pooling."""
    import keras
    from keras import layers

    def stage(x, filters: int, convs: int):
        for _ in range(convs):
            x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization()(x)
            x = layers.Activation("relu")(x)
        return layers.MaxPooling2D(2)(x)

    inputs = keras.Input((48, 48, 1), name="face")
    x = stage(inputs, 32, 1)  # 24 x 24
    x = stage(x, width, 2)  # 12 x 12
    x = stage(x, width * 2, 2)  # 6 x 6
    x = stage(x, width * 4, 2)  # 3 x 3
    x = layers.Conv2D(width * 8, 3, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.4)(x)
    outputs = layers.Dense(len(CLASSES), activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="moodplayer_emotion")


def augmenter():
    import keras
    from keras import layers

    return keras.Sequential(
        [
            layers.RandomFlip("horizontal", seed=SEED),
            layers.RandomRotation(0.04, fill_mode="reflect", seed=SEED + 1),
            layers.RandomTranslation(0.08, 0.08, fill_mode="reflect", seed=SEED + 2),
            layers.RandomZoom((-0.12, 0.12), fill_mode="reflect", seed=SEED + 3),
            layers.RandomContrast(0.3, seed=SEED + 4),
            layers.RandomBrightness(0.15, value_range=(0.0, 1.0), seed=SEED + 5),
        ],
        name="augment",
    )


def make_datasets(train, test, batch: int):
    import tensorflow as tf

    aug = augmenter()
    x_tr, y_tr = train
    x_te, y_te = test
    y_tr1 = tf.one_hot(y_tr, len(CLASSES))
    y_te1 = tf.one_hot(y_te, len(CLASSES))
    ds_train = (
        tf.data.Dataset.from_tensor_slices((x_tr, y_tr1))
        .shuffle(len(x_tr), seed=SEED, reshuffle_each_iteration=True)
        .batch(batch, drop_remainder=True)
        .map(lambda x, y: (tf.clip_by_value(aug(x, training=True), 0.0, 1.0), y),
             num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )
    ds_test = tf.data.Dataset.from_tensor_slices((x_te, y_te1)).batch(512)
    return ds_train, ds_test


def export_onnx(model, out_file: Path) -> None:
    """Export with test-time horizontal flip averaged inside the graph."""
    import tensorflow as tf
    import tf2onnx

    @tf.function(input_signature=[tf.TensorSpec([None, 48, 48, 1], tf.float32, name="face")])
    def predict(x):
        p = model(x, training=False) + model(tf.reverse(x, axis=[2]), training=False)
        return tf.identity(p / 2.0, name="probabilities")

    out_file.parent.mkdir(parents=True, exist_ok=True)
    tf2onnx.convert.from_function(predict, input_signature=predict.input_signature,
                                  opset=13, output_path=str(out_file))


def evaluate_onnx(onnx_file: Path, images: np.ndarray, labels: np.ndarray) -> dict:
    import onnxruntime as ort

    sess = ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    probs = np.concatenate(
        [sess.run(None, {name: images[i:i + 512]})[0] for i in range(0, len(images), 512)]
    )
    pred = probs.argmax(1)
    conf = np.zeros((7, 7), dtype=int)
    np.add.at(conf, (labels, pred), 1)
    return {
        "accuracy": float((pred == labels).mean()),
        "per_class": {c: float(conf[i, i] / max(conf[i].sum(), 1)) for i, c in enumerate(CLASSES)},
        "confusion": conf.tolist(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data/fer2013"))
    ap.add_argument("--work", type=Path, default=Path("build/emotion-train"))
    ap.add_argument("--out", type=Path, default=Path("models/emotion"))
    ap.add_argument("--epochs", type=int, default=32)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--width", type=int, default=48)
    ap.add_argument("--export-only", action="store_true", help="export the last checkpoint")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    os.environ.setdefault("TF_DETERMINISTIC_OPS", "0")
    random.seed(SEED)
    np.random.seed(SEED)
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(SEED)
    train = load_npz(args.data / "fer2013_train.npz")
    test = load_npz(args.data / "fer2013_publictest.npz")
    args.work.mkdir(parents=True, exist_ok=True)
    ckpt = args.work / "last.keras"

    model = build_model(args.width)
    steps = args.epochs * (len(train[0]) // args.batch)
    schedule = keras.optimizers.schedules.CosineDecay(
        1e-4, decay_steps=steps - steps // 20, warmup_target=args.lr, warmup_steps=steps // 20
    )
    model.compile(
        optimizer=keras.optimizers.AdamW(schedule, weight_decay=5e-4),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1),
        metrics=["accuracy"],
    )
    log.info("model: %d parameters", model.count_params())

    if not args.export_only:
        ds_train, ds_test = make_datasets(train, test, args.batch)
        t0 = time.time()
        model.fit(
            ds_train,
            validation_data=ds_test,
            epochs=args.epochs,
            verbose=2,
            callbacks=[
                keras.callbacks.BackupAndRestore(str(args.work / "backup")),
                keras.callbacks.ModelCheckpoint(str(ckpt)),
                keras.callbacks.CSVLogger(str(args.work / "history.csv"), append=True),
            ],
        )
        log.info("training took %.1f min", (time.time() - t0) / 60)
    else:
        model = keras.models.load_model(ckpt)

    onnx_file = args.out / "facial_expression_model_weights.onnx"
    export_onnx(model, onnx_file)
    metrics = evaluate_onnx(onnx_file, *test)
    metrics["parameters"] = int(model.count_params())
    metrics["epochs"] = args.epochs
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    log.info("PublicTest accuracy (onnx, flip TTA): %.4f", metrics["accuracy"])
    del tf
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
