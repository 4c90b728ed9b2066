"""Burmese: the harbor's syllables and longest match give burmesenlp's own words.

The reference is the library itself: ``burmesenlp.normalize.normalize``, then
``burmesenlp.tokenize.syllable.tokenize`` and ``WordSegmenter(Lexicon.default()).segment``.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import Any

import pytest
from bench import _gold as gold
from burmesenlp import Lexicon
from burmesenlp.normalize import normalize
from burmesenlp.tokenize import syllable
from burmesenlp.tokenize.longest import WordSegmenter

from infoharbor.text.segment import _myanmar, segment, segment_for_search
from infoharbor.text.segment._base import aligner

_KINDS = {
    _myanmar._SYLLABLE: {syllable.SYLLABLE},
    _myanmar._DIGIT_RUN: {syllable.DIGITS},
    _myanmar._OTHER: {syllable.PUNCT, syllable.OTHER},
}


@pytest.fixture(scope="module")
def library() -> Any:
    return WordSegmenter(Lexicon.default())


def library_words(segmenter: Any, normal: str) -> list[tuple[int, int]]:
    return [(w.start, w.end) for w in segmenter.segment(syllable.tokenize(normal))]


def harbor_words(normal: str) -> list[tuple[int, int]]:
    tokens = _myanmar._tokens(normal)
    return [(tokens[a].start, tokens[b - 1].end) for a, b in _myanmar._words(normal, tokens)]


def assert_same_as_burmesenlp(segmenter: Any, text: str) -> None:
    normal = normalize(text, warn_zawgyi=False)
    tokens = _myanmar._tokens(normal)
    expected = syllable.tokenize(normal)
    assert [(t.start, t.end) for t in tokens] == [(t.start, t.end) for t in expected], text
    assert all(t.kind in _KINDS[mine.kind] for mine, t in zip(tokens, expected, strict=True))
    assert harbor_words(normal) == library_words(segmenter, normal), text


# Myanmar text shaped at random: consonants, asat, the stack virama, dot below, medials,
# vowels, digits, punctuation and independent vowels, with zero-width characters, spaces,
# Latin letters and Shan letters mixed in; and syllables of real words shuffled.
_HEAVY = list("ကခဂငစဆဇညတထဒနပဖဗဘမယရလဝသဟအ့်္းျြွှါာိီုူေဲံ၀၁၂၃၄၅၆၇၈၉၊။ဣဥဦဧဩ")
_ODD = [chr(cp) for cp in range(0x1000, 0x10A0)] + list("\u200b\u200c\u200d\u2060\ufeff Ab1.")
_WORDS = "ကျွန်တော် ရန်ကုန် မြို့ သို့ သွား မည် သုံး ခု ၁၂ ယောက် သလို ဒါပေမယ့် ကတော့ ဆိုတဲ့ မြန်မာ"


def random_myanmar(rng: random.Random, length: int) -> str:
    if rng.random() < 0.3:
        return "".join(rng.choice(_WORDS.split()) for _ in range(length // 3 + 1))
    return "".join(rng.choice(_HEAVY if rng.random() < 0.7 else _ODD) for _ in range(length))


# Seeded: the same texts on every run.
RANDOM_TEXTS = [
    random_myanmar(random.Random(seed), 1 + seed % 50)  # noqa: S311 - test data, not secrets
    for seed in range(500)
]


# --- Against burmesenlp ------------------------------------------------------------------


def test_the_expressions_are_still_burmesenlps() -> None:
    # burmesenlp's syllable rule is copied, not imported (its names are private): a new
    # release that changes it must show up here.
    assert _myanmar._RUNS.pattern == syllable._RUNS.pattern
    assert _myanmar._BREAK.pattern == syllable._BREAK.pattern
    assert _myanmar._OTHER_SPLIT.pattern == syllable._OTHER_SPLIT.pattern
    assert set(_myanmar._DIGITS) == syllable.MY_DIGITS
    assert set(_myanmar._PUNCT) == {syllable.SECTION, syllable.FULL_STOP}


def test_words_are_burmesenlps_on_random_myanmar(library: Any) -> None:
    for text in RANDOM_TEXTS:
        assert_same_as_burmesenlp(library, text)


@pytest.mark.shared_data
def test_words_are_burmesenlps_on_mypos(shared_data: Path, library: Any) -> None:
    # Given every sentence of myPOS otest.1k
    for sentence in gold.load(shared_data, gold.MYPOS_FILE).sentences:
        # Then syllables and words are burmesenlp's, one for one
        assert_same_as_burmesenlp(library, sentence.text)


@pytest.mark.shared_data
def test_offsets_back_through_normalization_are_a_whole_text_alignments(
    shared_data: Path,
) -> None:
    # Given the myPOS sentences that burmesenlp's normalizer changes (dot below and asat
    # reordered, ဦ composed), and random text with zero-width characters
    texts = [s.text for s in gold.load(shared_data, gold.MYPOS_FILE).sentences]
    changed = [t for t in texts + RANDOM_TEXTS if normalize(t, warn_zawgyi=False) != t]
    assert len(changed) > 200
    for text in changed:
        normal = normalize(text, warn_zawgyi=False)
        # When offsets of its syllable boundaries are mapped back cluster by cluster
        fast, whole = _myanmar._back(text, normal), aligner(normal, text)
        # Then they land where an alignment of the whole text puts them
        for token in _myanmar._tokens(normal):
            assert (fast(token.start), fast(token.end)) == (whole(token.start), whole(token.end))


# --- Hostile input --------------------------------------------------------------------------

HOSTILE = [
    "်",  # asat with no consonant
    "္္္က",  # stacked viramas
    "ျြွှ",  # medials alone
    "က\u200bခ\u200cဂ\u200dဃ\u2060င\ufeff",  # zero-width characters between letters
    "ကျွန်တော့်\u0301\u0308အိမ်",  # Latin combining marks inside Burmese
    "\u1025\u102e\u1025\u102e",  # composes to ဦ under NFC
    "\u1037\u103a" * 50,  # marks to reorder, no base
    "၁၂၃၄၅၆၇၈၉၀" * 40 + "ယောက်",
    "ရန်ကုန်ABCမြို့123ภาษาไทยသို့我们",  # scripts glued
    "ရန်ကုန်မြို့" * 2000,  # long, no spaces
]


@pytest.mark.parametrize("text", HOSTILE + RANDOM_TEXTS[:60])
def test_hostile_burmese_keeps_offsets(text: str) -> None:
    # Given odd Burmese text
    # When it is segmented, for indexing and for search
    words = segment(text, "my")
    for spans in (words, segment_for_search(text, "my")):
        # Then every span lies in the text, holds a letter or digit and no edge space
        for span in spans:
            assert 0 <= span.start < span.end <= len(text)
            word = text[span.start : span.end]
            assert word == word.strip()
            assert any(ch.isalnum() for ch in word)
    # And words do not overlap
    assert all(a.end <= b.start for a, b in itertools.pairwise(words))
