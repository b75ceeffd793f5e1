"""One readable sentence for a picture: who is in it, what it shows, its light.

``compose_caption(["happy", "happy"], scene)`` ->
"Two smiling people by the sea, bright and warm."

Parts, each left out when unknown:

1. faces and their emotions ("a smiling person", "two smiling people",
   "four people (two smiling, one calm, one surprised)");
2. what the classifier recognised: a place label becomes a phrase ("by the
   sea", "in a valley"); worn things describe a single person ("in a military
   uniform"); other labels (and worn things when nobody is in the picture)
   name the subject ("a hotdog") or, with people, go after "with";
3. colour and light ("bright, warm and saturated").

A sentence from a captioning backend (``scene.sentence``) replaces part 2.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from moodplayer.mood.vad import EMOTIONS

#: How a face with each emotion is described.
EMOTION_WORDS: dict[str, str] = {
    "happy": "smiling",
    "sad": "sad",
    "angry": "angry",
    "fear": "frightened",
    "surprise": "surprised",
    "disgust": "disgusted",
    "neutral": "calm",
}

NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")

#: A label must reach this probability to be named; places a little less.
LABEL_MIN = 0.2
PLACE_MIN = 0.12

#: ImageNet labels (first synonym) that are places, and how a sentence puts them.
PLACES: dict[str, str] = {
    "alp": "in the mountains",
    "cliff": "on a cliff",
    "coral reef": "at a coral reef",
    "geyser": "by a geyser",
    "lakeside": "by a lake",
    "promontory": "on a headland",
    "sandbar": "on a sandbar",
    "seashore": "by the sea",
    "valley": "in a valley",
    "volcano": "near a volcano",
    "boathouse": "by a boathouse",
    "dock": "at a dock",
    "pier": "on a pier",
    "breakwater": "by a breakwater",
    "fountain": "by a fountain",
    "park bench": "on a park bench",
    "patio": "on a patio",
    "church": "at a church",
    "mosque": "at a mosque",
    "monastery": "at a monastery",
    "palace": "at a palace",
    "castle": "at a castle",
    "library": "in a library",
    "restaurant": "in a restaurant",
    "cinema": "at the cinema",
    "home theater": "in a home cinema",
    "stage": "on a stage",
    "bakery": "in a bakery",
    "barbershop": "at a barber's",
    "bookshop": "in a bookshop",
    "butcher shop": "at a butcher's",
    "confectionery": "in a sweet shop",
    "grocery store": "in a grocery store",
    "shoe shop": "in a shoe shop",
    "toyshop": "in a toyshop",
    "greenhouse": "in a greenhouse",
    "planetarium": "in a planetarium",
    "prison": "in a prison",
    "dining table": "at a dining table",
    "suspension bridge": "by a bridge",
    "steel arch bridge": "by a bridge",
    "viaduct": "by a viaduct",
}

#: Labels that are worn: they describe a single person ("in a suit").
WORN: frozenset[str] = frozenset(
    {
        "abaya",
        "academic gown",
        "apron",
        "bikini",
        "bolo tie",
        "bonnet",
        "bow tie",
        "brassiere",
        "bulletproof vest",
        "cardigan",
        "cloak",
        "cowboy hat",
        "crash helmet",
        "football helmet",
        "fur coat",
        "gown",
        "hoopskirt",
        "jean",
        "jersey",
        "kimono",
        "lab coat",
        "maillot",
        "military uniform",
        "miniskirt",
        "mortarboard",
        "overskirt",
        "pajama",
        "poncho",
        "sarong",
        "shower cap",
        "ski mask",
        "sombrero",
        "stole",
        "suit",
        "sunglass",
        "sunglasses",
        "sweatshirt",
        "swimming trunks",
        "trench coat",
        "vestment",
        "wig",
        "Windsor tie",
    }
)


def count_word(n: int) -> str:
    return NUMBERS[n] if 0 <= n < len(NUMBERS) else str(n)


def with_article(name: str) -> str:
    """``"a hotdog"``, ``"an owl"``."""
    lower = name.lower()
    vowel = lower[:1] in "aeiou" and not lower.startswith(("uni", "eu", "one"))
    return f"{'an' if vowel else 'a'} {name}"


def join_words(words: Sequence[str]) -> str:
    """``["a", "b", "c"]`` -> ``"a, b and c"``."""
    words = [w for w in words if w]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def faces_phrase(face_emotions: Sequence[str]) -> str:
    """``"two smiling people"``, ``"four people (two smiling, one calm, one surprised)"``."""
    n = len(face_emotions)
    if n == 0:
        return ""
    counts = Counter(EMOTION_WORDS.get(e, e) for e in face_emotions)
    if len(counts) == 1:
        word = next(iter(counts))
        return with_article(f"{word} person") if n == 1 else f"{count_word(n)} {word} people"
    order = {EMOTION_WORDS[e]: i for i, e in enumerate(EMOTIONS)}
    parts = sorted(counts.items(), key=lambda kv: (-kv[1], order.get(kv[0], 99), kv[0]))
    detail = ", ".join(f"{count_word(c)} {word}" for word, c in parts)
    return f"{count_word(n)} people ({detail})"


def _labels(scene) -> list:
    return list(getattr(scene, "labels", ()) or ())


def _pick(scene, people: int) -> tuple[str | None, str | None, str | None]:
    """(place phrase, thing, worn thing) from the scene's labels."""
    place = thing = worn = None
    for label in _labels(scene):
        name = label.name
        if name in PLACES:
            if place is None and label.score >= PLACE_MIN:
                place = PLACES[name]
        elif label.score < LABEL_MIN:
            continue
        elif name in WORN:
            if worn is None:
                worn = name
        elif thing is None:
            thing = name
    if people == 0 and thing is None:
        thing, worn = worn, None
    elif people > 1:
        worn = None
    return place, thing, worn


def compose_caption(face_emotions: Sequence[str], scene=None) -> str:
    """A sentence for the picture from its face emotions and scene (a ``SceneDescription``).

    ``face_emotions`` holds one emotion name per face (``"happy"``, ...);
    ``scene`` may be None (faces only).
    """
    people = faces_phrase(face_emotions)
    colour = getattr(scene, "colour", None)
    light = join_words(list(colour.words())) if colour is not None else ""
    sentence = getattr(scene, "sentence", None)

    if sentence:
        body = sentence.strip().rstrip(".")
        if people:
            body = f"{body}; {people}"
    else:
        place, thing, worn = _pick(scene, len(face_emotions))
        if people:
            body = people
            if worn:
                body += f" in {with_article(worn)}"
            if thing:
                body += f" with {with_article(thing)}"
        elif thing:
            body = with_article(thing)
        elif place:
            body = "a view"
        else:
            body = f"{with_article(light or 'evenly lit')} picture"
            light = ""
        if place:
            body += f" {place}"
    text = f"{body}, {light}" if light else body
    return text[:1].upper() + text[1:] + "."
