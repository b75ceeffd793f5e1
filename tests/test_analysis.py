"""Real MTCNN + the real emotion model through DeepFace's client, on real photos."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from moodplayer.cli import main
from moodplayer.mood.vad import EMOTION_VAD, EMOTIONS


def test_astronaut_one_happy_face(analyzer, astronaut):
    result = analyzer.analyze_array(astronaut)
    assert len(result.faces) == 1
    face = result.faces[0]
    assert face.emotion == "happy"
    assert sum(face.probabilities.values()) == pytest.approx(1.0, abs=1e-4)
    assert set(face.probabilities) == set(EMOTIONS)
    assert result.mood.emotion == "happy"
    # The mood sits on the happy side of valence.
    assert result.mood.vad.valence > 6.0


def test_face_jpg_has_four_faces(analyzer, photos):
    result = analyzer.analyze_path(photos / "face.jpg")
    assert len(result.faces) == 4
    for f in result.faces:
        x, y, w, h = f.box
        assert w > 20 and h > 20
        assert 0 <= x and x + w <= result.width and 0 <= y and y + h <= result.height
        assert f.confidence > 0.9
        assert {"left_eye", "right_eye", "nose"} <= set(f.landmarks)


def test_owl_has_no_face(analyzer, photos):
    result = analyzer.analyze_path(photos / "owl.jpg")
    assert result.faces == []
    assert result.mood is not None  # a mood all the same (neutral or from the scene)


def test_grace_hopper_one_face(analyzer, photos):
    result = analyzer.analyze_path(photos / "grace_hopper.bmp")
    assert len(result.faces) == 1


def _boxes(result):
    return sorted(f.box for f in result.faces)


@pytest.mark.parametrize("variant", ["exif_rotated", "grey", "rgba", "sixteen_bit"])
def test_variants_give_the_same_faces(analyzer, photos, tmp_path, variant):
    src = Image.open(photos / "face.jpg").convert("RGB")
    p = tmp_path / f"{variant}.png"
    if variant == "exif_rotated":
        p = p.with_suffix(".jpg")
        exif = Image.Exif()
        exif[0x0112] = 8  # stored turned clockwise; viewers turn it back
        src.transpose(Image.Transpose.ROTATE_270).save(p, "JPEG", exif=exif.tobytes(), quality=95)
    elif variant == "grey":
        src.convert("L").save(p)
    elif variant == "rgba":
        rgba = src.convert("RGBA")
        rgba.putalpha(255)
        rgba.save(p)
    else:
        grey16 = (np.asarray(src.convert("L"), dtype=np.uint16) * 257)
        Image.fromarray(grey16).save(p)
    base = analyzer.analyze_path(photos / "face.jpg")
    got = analyzer.analyze_path(p)
    assert (got.width, got.height) == (base.width, base.height)
    assert len(got.faces) == len(base.faces) == 4
    for a, b in zip(_boxes(got), _boxes(base)):
        assert np.abs(np.array(a) - np.array(b)).max() <= 8


def test_same_probabilities_as_deepface_analyze(analyzer, astronaut):
    """Our emotion path gives exactly what DeepFace.analyze gives on the same face."""
    from deepface import DeepFace

    from moodplayer.vision.emotion import face_crop

    face = analyzer.detector.detect(astronaut)[0]
    crop_bgr = np.round(face_crop(astronaut, face) * 255).astype(np.uint8)
    ours = analyzer.emotions.predict_crops(crop_bgr[None].astype(np.float32) / 255.0)[0]
    theirs = DeepFace.analyze(crop_bgr, actions=("emotion",), detector_backend="skip",
                              enforce_detection=False, silent=True)[0]["emotion"]
    theirs = np.array([theirs[e] for e in EMOTIONS]) / 100.0
    np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_many_faces_mood_weighted(analyzer, photos):
    result = analyzer.analyze_path(photos / "face.jpg")
    m = result.mood
    assert m.emotion in EMOTIONS
    lo = min(v.valence for v in EMOTION_VAD.values())
    hi = max(v.valence for v in EMOTION_VAD.values())
    assert lo <= m.vad.valence <= hi


def test_cli_analyze_json_keeps_going_after_bad_file(photos, tmp_path, capsys):
    bad = tmp_path / "broken.jpg"
    bad.write_text("not a picture")
    status = main(["analyze", "--json", str(bad), str(photos / "grace_hopper.bmp")])
    out = json.loads(capsys.readouterr().out)
    assert status == 1
    assert out[0]["path"] == str(bad) and "not an image" in out[0]["error"]
    good = out[1]
    assert len(good["faces"]) == 1
    face = good["faces"][0]
    assert len(face["box"]) == 4 and set(face["probabilities"]) == set(EMOTIONS)
    assert face["emotion"] in EMOTIONS
    assert {"valence", "arousal", "dominance", "emotion"} <= set(good["mood"])


def test_cli_analyze_text(photos, capsys):
    assert main(["analyze", str(photos / "face.jpg")]) == 0
    out = capsys.readouterr().out
    assert out.count("face ") >= 4 and "mood:" in out


def test_cli_eval_emotion_json(fer_test, capsys):
    assert main(["eval-emotion", "--data", str(fer_test), "--limit", "400", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n"] == 400
    assert set(report["per_class"]) == set(EMOTIONS)
    assert report["ms_per_face"] > 0
    # The shipped model is far above chance (14 %) and above DeepFace's published 57 %.
    assert report["accuracy"] >= 0.57


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert "moodplayer" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "analyze" in capsys.readouterr().out


def test_eval_path_matches_deepface_analyze(analyzer, fer_test):
    """A FER2013 face gives the same probabilities through eval-emotion's path and
    through DeepFace.analyze: training data and photos meet the network the same way."""
    from deepface import DeepFace

    from moodplayer.emotion_eval import load_faces
    from moodplayer.vision.emotion import grey48_to_face

    images, _ = load_faces(fer_test)
    for img in images[:3]:
        ours = analyzer.emotions.predict_crops(grey48_to_face(img)[None])[0]
        bgr = np.repeat(img[:, :, None], 3, axis=2)
        theirs = DeepFace.analyze(bgr, actions=("emotion",), detector_backend="skip",
                                  enforce_detection=False, silent=True)[0]["emotion"]
        np.testing.assert_allclose(ours, np.array([theirs[e] for e in EMOTIONS]) / 100, atol=1e-5)


def test_sample_face_is_found(analyzer):
    from moodplayer.sample import sample_face

    result = analyzer.analyze_array(sample_face())
    assert len(result.faces) == 1


def test_home_override(home):
    from moodplayer import paths

    assert paths.home() == home and home.is_dir()
    assert paths.database_path().parent == home
