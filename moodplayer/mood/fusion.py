"""One mood from the faces and the scene of a picture.

Weighting (a = fraction of the image area the face boxes fill, 0..1)::

    e        = sqrt(a)                            # the faces' linear extent: a face box is
                                                  # only the face, a portrait's subject is more
    g        = clamp(0.5 + 2e, 0.5, 1)            # 0.5 for tiny faces, 1 from e >= 0.25
    c_faces  = face_confidence * (0.5 + 0.5 * faces.confidence)
               # detector confidence, times how sure the emotion reading is
    c_scene  = scene.confidence                   # 0.5 colour alone .. ~0.95 with labels
    s_faces  = c_faces * g
    s_scene  = c_scene * (1.5 - g)                # the scene counts more where faces are small
    w_faces  = min(0.85, s_faces / (s_faces + s_scene))
    w_scene  = 1 - w_faces

The cap keeps at least 15 % of the scene in every mood, so a smiling face at a
funeral is tempered by the scene.  No faces (or a = 0): the scene alone
(``{"faces": 0, "scene": 1}``); no scene: the faces alone.

Examples: a close portrait (a = 0.25, detector 0.99, emotion 0.9) with a
recognised scene (confidence 0.9) -> faces 68 %; a group far away or a half-length
portrait (a = 0.03) -> faces 58 %; tiny faces (a = 0.002) -> 40 %;
the portrait with colour alone (confidence 0.5) -> faces 79 %.

The fused mood's VAD is the weighted mean of the two VAD points (this is what
picks the music); its emotion is the faces' dominant emotion while the faces
have at least half the weight, else the emotion word nearest the fused point;
its confidence is the weighted mean of the two confidences; its
``probabilities`` stay those of the faces' emotions.
"""

from __future__ import annotations

from moodplayer.mood.vad import NEUTRAL_VAD, VAD, Mood, nearest_emotion, weighted_mean

MAX_FACE_SHARE = 0.85
AREA_GAIN = 2.0


def face_weight(
    face_area_fraction: float,
    face_confidence: float,
    emotion_confidence: float,
    scene_confidence: float,
) -> float:
    """The faces' share of the fused mood, in [0, ``MAX_FACE_SHARE``]."""
    area = min(1.0, max(0.0, face_area_fraction))
    if area <= 0:
        return 0.0
    g = min(1.0, max(0.5, 0.5 + AREA_GAIN * area**0.5))
    c_faces = max(0.0, min(1.0, face_confidence)) * (
        0.5 + 0.5 * max(0.0, min(1.0, emotion_confidence))
    )
    s_faces = c_faces * g
    s_scene = max(0.0, min(1.0, scene_confidence)) * (1.5 - g)
    if s_faces + s_scene <= 0:
        return 0.0
    return min(MAX_FACE_SHARE, s_faces / (s_faces + s_scene))


def _scene_mood(scene) -> Mood | None:
    if scene is None:
        return None
    if isinstance(scene, Mood):
        return scene
    return scene.mood()


def fuse(
    faces: Mood | None,
    face_area_fraction: float,
    face_confidence: float,
    scene,
) -> Mood:
    """The mood of a picture from its faces' mood and its scene.

    ``scene`` is a :class:`~moodplayer.vision.scene.SceneDescription` (or any
    :class:`Mood`, or None).  ``face_area_fraction`` is the summed area of the
    faces over the image area; ``face_confidence`` the detector's confidence.
    ``Mood.sources`` gives ``{"faces": w, "scene": 1 - w}``.
    """
    scene_mood = _scene_mood(scene)
    if scene_mood is None:
        if faces is None:
            return Mood(NEUTRAL_VAD, "neutral", 0.0, {}, {"faces": 0.0, "scene": 0.0})
        return Mood(
            faces.vad,
            faces.emotion,
            faces.confidence,
            dict(faces.probabilities),
            {"faces": 1.0, "scene": 0.0},
        )
    if faces is None:
        w = 0.0
    else:
        w = face_weight(
            face_area_fraction, face_confidence, faces.confidence, scene_mood.confidence
        )
    if w <= 0 or faces is None:
        return Mood(
            scene_mood.vad,
            scene_mood.emotion,
            scene_mood.confidence,
            {},
            {"faces": 0.0, "scene": 1.0},
        )
    vad: VAD = weighted_mean([(faces.vad, w), (scene_mood.vad, 1.0 - w)])
    confidence = w * faces.confidence + (1.0 - w) * scene_mood.confidence
    return Mood(
        vad,
        faces.emotion if w >= 0.5 else nearest_emotion(vad),
        confidence,
        dict(faces.probabilities),
        {"faces": w, "scene": 1.0 - w},
    )
