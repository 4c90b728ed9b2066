"""The Treebank rules run only where their trigger characters are: exactly NLTK's spans."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from infoharbor.text.segment._nltk import _nltk, treebank

# Every character and word some rule looks for, and plain words and spaces between them.
_PIECES = [
    *["abc", "XYZ", "12", "3,5", "3.88", "U.S.", "e.g.", "Smith.", "well-known", "ibu-ibu"],
    *list(".,:;@#$%&?!*()[]{}<>-'\"`«»“”‘’„\u2012\u2013\u2014\u2015"),
    *[
        "--",
        "...",
        "..",
        "''",
        "``",
        "'s",
        "'S",
        "n't",
        "N'T",
        "'ll",
        "'re",
        "'ve",
        "'m",
        "'d",
        "'ye",
        "'n",
        "'tis",
        "'twas",
    ],
    *[
        "cannot",
        "CanNot",
        "gimme",
        "gonna",
        "gotta",
        "lemme",
        "more'n",
        "wanna",
        "d'ye",
        "Don't",
        "can't",
    ],
]
_SPACES = [" ", " ", " ", "", "  ", "\n", "\t", "\u00a0"]


def _random_text(rng: random.Random) -> str:
    return "".join(
        rng.choice(_PIECES) + rng.choice(_SPACES) for _ in range(rng.randint(1, 12))
    ).strip(rng.choice(["", " "]))


def _nltk_spans(text: str) -> list[tuple[int, int]] | str:
    try:
        return list(_nltk().span_tokenize(text))
    except ValueError:
        return "ValueError"


def _fast_spans(text: str) -> list[tuple[int, int]] | str:
    try:
        return treebank().span_tokenize(text)
    except ValueError:
        return "ValueError"


def test_the_same_spans_as_nltk_on_random_text_of_every_trigger() -> None:
    rng = random.Random(20261203)  # noqa: S311 - reproducible test text
    for _ in range(3000):
        text = _random_text(rng)
        assert _fast_spans(text) == _nltk_spans(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Good muffins cost $3.88 (roughly 3,36 euros)\nin New York.  Please buy me\ntwo of them.",
        "Kementerian Pertanian mengumumkan harga beras, Senin (3/12).",
        "I cannot go -- he said: 'tis fine, isn't it?",
        "a,,b :x 1,5 wanna go... ok.",
        "",
        "   ",
    ],
)
def test_the_same_spans_as_nltk(text: str) -> None:
    assert _fast_spans(text) == _nltk_spans(text)


def test_the_same_spans_as_nltk_on_the_gold_sentences(shared_data: Path) -> None:
    ud = shared_data / "ud-treebanks"
    files = sorted(ud.glob("UD_English*/*.conllu")) + sorted(ud.glob("UD_Indonesian*/*.conllu"))
    sentences = [
        line[len("# text = ") :].rstrip("\n")
        for path in files
        for line in path.open(encoding="utf-8")
        if line.startswith("# text = ")
    ]
    if not sentences:
        pytest.skip("no English or Indonesian UD treebank in the shared data")
    for text in sentences:
        assert _fast_spans(text) == _nltk_spans(text), text
