"""Build ``data/scene_label_vad.csv``: a valence-arousal-dominance value per ImageNet label.

For each of the 1001 labels of the MobileNet classifier (index 0 is
``background``) the label's synonyms (the comma-separated parts) are split into
words; each word is looked up in the Warriner et al. (2013) norms with
lemma-ish matching (lowercase; whole hyphenated word first, then its parts; a
plural ``-ies``/``-es``/``-s`` is stripped when the plain form is missing).  The
label's VAD is the plain mean over the distinct words found.

Many ImageNet labels are breeds and species the norms do not list (beagle,
macaw, chickadee).  A label none of whose words is found falls back to the
category word of its place in the ImageNet order (``FALLBACK_RANGES``: dog
breeds -> "dog", parrots and songbirds -> "bird", ...) or, for a few scene
labels, a hand-picked plain word (``FALLBACK_WORDS``: alp -> "mountain");
such matches are written as ``~word`` in the ``matched`` column.  A label with
neither gets empty VAD cells and carries no mood.

Only this derived table ships with moodplayer; the norms themselves are licensed
CC BY-NC-ND 3.0 and are read in place from the development data.

Usage::

    python -m moodplayer.training.scene_lexicon \\
        --labels ../shared/models/scene/imagenet_labels.txt \\
        --lexicon ../shared/data/lexicons/Ratings_Warriner_et_al.csv \\
        --out data/scene_label_vad.csv
"""

from __future__ import annotations

import argparse
import csv
import logging
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from moodplayer import paths

log = logging.getLogger("moodplayer.training.scene_lexicon")

HEADER = """\
# ImageNet label -> valence / arousal / dominance (1-9 scale), derived by
# moodplayer/training/scene_lexicon.py from:
#   Warriner, A.B., Kuperman, V., & Brysbaert, M. (2013). Norms of valence,
#   arousal, and dominance for 13,915 English lemmas. Behavior Research Methods,
#   45, 1191-1207. (V.Mean.Sum, A.Mean.Sum, D.Mean.Sum; norms CC BY-NC-ND 3.0)
# Each value is the mean over the distinct words of the label's synonyms found in
# the norms (listed in 'matched'); '~word': no word of the label was found, so the
# category word of its ImageNet group was used; empty cells: no value.
# Label names: the ImageNet (ILSVRC-2012) class names as listed with TensorFlow's
# mobilenet_v2_1.0_224_quant model (index 0 is 'background').
"""

FIELDS = ("index", "label", "name", "valence", "arousal", "dominance", "matched")

_WORD = re.compile(r"[a-z][a-z'\-]*")

#: (first, last, word): category words for label indices (inclusive, index 0 is
#: background), used only for labels none of whose own words is in the norms.
FALLBACK_RANGES: tuple[tuple[int, int, str], ...] = (
    (1, 7, "fish"),
    (8, 25, "bird"),
    (26, 33, "amphibian"),
    (34, 38, "turtle"),
    (39, 49, "lizard"),
    (52, 52, "dinosaur"),
    (53, 69, "snake"),
    (70, 70, "fossil"),
    (71, 80, "spider"),
    (81, 101, "bird"),
    (102, 102, "elephant"),
    (103, 107, "animal"),
    (108, 118, "shellfish"),
    (119, 127, "crab"),
    (128, 147, "bird"),
    (148, 151, "whale"),
    (152, 269, "dog"),
    (270, 281, "wolf"),
    (282, 294, "cat"),
    (295, 298, "bear"),
    (299, 300, "animal"),
    (301, 308, "beetle"),
    (309, 321, "insect"),
    (322, 327, "butterfly"),
    (331, 339, "animal"),
    (340, 340, "horse"),
    (341, 356, "animal"),
    (357, 365, "animal"),
    (366, 385, "monkey"),
    (390, 398, "fish"),
    (992, 998, "mushroom"),
)

#: Plain words for a few scene labels the norms lack.
FALLBACK_WORDS: dict[str, str] = {
    "alp": "mountain",
    "lakeside": "lake",
    "geyser": "water",
    "rapeseed": "field",
}


@dataclass(frozen=True)
class LabelVAD:
    index: int
    label: str
    matched: tuple[str, ...]
    vad: tuple[float, float, float] | None


def read_norms(path: Path) -> dict[str, tuple[float, float, float]]:
    """Word -> (valence, arousal, dominance) from the Warriner CSV."""
    norms: dict[str, tuple[float, float, float]] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            word = row["Word"].strip().lower()
            norms[word] = (
                float(row["V.Mean.Sum"]),
                float(row["A.Mean.Sum"]),
                float(row["D.Mean.Sum"]),
            )
    return norms


def read_labels(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        labels = [line.strip() for line in handle if line.strip()]
    if len(labels) != 1001:
        raise ValueError(f"{path} holds {len(labels)} labels; expected 1001.")
    return labels


def lookup(word: str, norms: Mapping[str, object]) -> str | None:
    """The norms entry for ``word``: as written, else its singular."""
    if word in norms:
        return word
    candidates = []
    if word.endswith("ies") and len(word) > 4:
        candidates.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 3:
        candidates.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        candidates.append(word[:-1])
    return next((c for c in candidates if c in norms), None)


def label_words(label: str) -> list[str]:
    """Lower-case words of every synonym of a label, in order, without repeats."""
    words: list[str] = []
    for token in _WORD.findall(label.lower().replace("'s", "")):
        token = token.strip("-'")
        if token and token not in words:
            words.append(token)
    return words


def match_label(label: str, norms: Mapping[str, tuple[float, float, float]]) -> list[str]:
    """Norms entries matched by the words of ``label`` (distinct, in order)."""
    found: list[str] = []
    for word in label_words(label):
        parts = [word] if lookup(word, norms) else word.split("-")
        for part in parts:
            entry = lookup(part, norms)
            if entry and entry not in found:
                found.append(entry)
    return found


def fallback_word(index: int, label: str) -> str | None:
    """The category or hand-picked word for a label with no word in the norms."""
    name = readable_name(label).lower()
    if name in FALLBACK_WORDS:
        return FALLBACK_WORDS[name]
    return next((w for lo, hi, w in FALLBACK_RANGES if lo <= index <= hi), None)


def derive(
    labels: Sequence[str], norms: Mapping[str, tuple[float, float, float]]
) -> list[LabelVAD]:
    rows = []
    for index, label in enumerate(labels):
        matched = match_label(label, norms) if index else []
        if index and not matched:
            word = fallback_word(index, label)
            if word and word in norms:
                matched = [f"~{word}"]
        if matched:
            values = [norms[w.lstrip("~")] for w in matched]
            vad = tuple(sum(v[i] for v in values) / len(values) for i in range(3))
        else:
            vad = None
        rows.append(LabelVAD(index, label, tuple(matched), vad))  # type: ignore[arg-type]
    return rows


def readable_name(label: str) -> str:
    """The first synonym of a label, as it reads in a sentence."""
    return label.split(",")[0].strip()


def write_table(rows: Iterable[LabelVAD], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as handle:
        handle.write(HEADER)
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(FIELDS)
        for row in rows:
            vad = [f"{v:.3f}" for v in row.vad] if row.vad else ["", "", ""]
            writer.writerow(
                [row.index, row.label, readable_name(row.label), *vad, " ".join(row.matched)]
            )


def _default(*parts: str) -> Path | None:
    shared = paths.shared_data_dir()
    return shared.joinpath(*parts) if shared else None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--labels", type=Path, default=_default("models", "scene", "imagenet_labels.txt")
    )
    parser.add_argument(
        "--lexicon", type=Path, default=_default("data", "lexicons", "Ratings_Warriner_et_al.csv")
    )
    parser.add_argument("--out", type=Path, default=paths.resource("data", "scene_label_vad.csv"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.labels is None or args.lexicon is None:
        parser.error("the shared data folder is absent: give --labels and --lexicon")
    rows = derive(read_labels(args.labels), read_norms(args.lexicon))
    write_table(rows, args.out)
    covered = sum(1 for r in rows if r.vad)
    log.info("wrote %s: %d labels, %d with a VAD value", args.out, len(rows), covered)
    return 0


if __name__ == "__main__":
    sys.exit(main())
