"""Khmer: the harbor's scorer of khmercut's CRF gives khmercut's own tags, cluster for cluster.

The reference is the library itself: ``khmercut.seg_kcc`` for the clusters and
``pycrfsuite.Tagger.tag`` on ``khmercut.create_kcc_features`` for the tags.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path

import khmercut
import pytest
from bench import _gold as gold

from infoharbor.text import segment as segment_module
from infoharbor.text.segment import _khmer, segment, segment_for_search
from infoharbor.text.segment._base import KHMER
from infoharbor.text.segment._crfsuite import ModelFormatError, read_model
from infoharbor.text.segment._runs import script_runs


def khmercut_starts(kccs: list[str]) -> list[bool]:
    """Which clusters start a word, by khmercut's features and pycrfsuite's tagger."""
    return [tag == "1" for tag in khmercut.load().tag(khmercut.create_kcc_features(kccs))]


def pieces(text: str) -> Iterator[str]:
    """The stretches of Khmer letters that segment() hands to the CRF."""
    for run in script_runs(text):
        if run.script == KHMER:
            for start, end, _first, _last in _khmer._letter_pieces(run):
                yield text[start:end]


# Khmer blocks with the characters that shape clusters weighted up: consonants, the
# subscript sign, dependent vowels, signs, digits, symbols, lunar dates, unassigned points.
_BLOCKS = [chr(cp) for cp in [*range(0x1780, 0x1800), *range(0x19E0, 0x1A00)]]
_HEAVY = ["្"] * 12 + list("កខគងចញតទនបមយរលវសហអាិីុូេែោំះ់០១២") * 2


def random_khmer(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(_HEAVY if rng.random() < 0.6 else _BLOCKS) for _ in range(length))


# Seeded: the same texts on every run.
RANDOM_TEXTS = [
    random_khmer(random.Random(seed), 1 + seed % 60)  # noqa: S311 - test data, not secrets
    for seed in range(400)
]


@pytest.fixture
def khpos(shared_data: Path) -> list[str]:
    return [s.text for s in gold.load(shared_data, gold.KHPOS_FILE).sentences]


# --- The model file --------------------------------------------------------------------------


def test_model_weights_are_those_pycrfsuite_reports() -> None:
    # Given khmercut's model read from its file, and the dump pycrfsuite gives of it
    model = read_model(khmercut.model_path)
    info = khmercut.load().info()
    # Then labels, attributes and every weight agree (the dump rounds to six decimals)
    assert {label: str(i) for i, label in enumerate(model.labels)} == info.labels
    assert {name: str(i) for i, name in enumerate(model.attributes)} == info.attributes
    state = {(a, model.labels[label]): w for a, label, w in model.state_features()}
    assert state.keys() == info.state_features.keys()
    assert all(abs(w - info.state_features[key]) <= 5.1e-7 for key, w in state.items())
    for (source, target), weight in info.transitions.items():
        exact = model.transitions[model.labels.index(source)][model.labels.index(target)]
        assert abs(exact - weight) <= 5.1e-7


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:40],  # cut inside the header
        lambda data: b"xCRF" + data[4:],  # not a CRFsuite file
        lambda data: data[:0x500000],  # feature table and string tables cut off
        lambda data: data[:0x30] + b"TAEF" + data[0x34:],  # feature chunk renamed
    ],
)
def test_a_damaged_model_file_is_refused(tmp_path: Path, damage: Callable[[bytes], bytes]) -> None:
    # Given khmercut's model file, damaged
    path = tmp_path / "model.crfsuite"
    path.write_bytes(damage(Path(khmercut.model_path).read_bytes()))
    # When it is read, then the reader says so instead of scoring garbage
    with pytest.raises(ModelFormatError):
        read_model(path)


# --- Clusters and tags, against khmercut --------------------------------------------------


def test_clusters_are_khmercuts_on_random_khmer() -> None:
    for text in RANDOM_TEXTS:
        assert _khmer._clusters(text) == khmercut.seg_kcc(text), text


def test_tags_are_khmercuts_on_random_khmer() -> None:
    # Random code points of the Khmer blocks: unseen clusters, lone marks, digit runs
    for text in RANDOM_TEXTS:
        kccs = _khmer._clusters(text)
        assert _khmer._starts(kccs) == khmercut_starts(kccs), text


@pytest.mark.shared_data
def test_clusters_and_tags_are_khmercuts_on_khpos(khpos: list[str]) -> None:
    # Given every stretch of Khmer letters of khPOS OPEN-TEST, as segment() cuts them
    count = 0
    for sentence in khpos:
        for piece in pieces(sentence):
            # When the harbor cuts and tags it
            kccs = _khmer._clusters(piece)
            # Then the clusters and the tags are khmercut's, one for one
            assert kccs == khmercut.seg_kcc(piece), piece
            assert _khmer._starts(kccs) == khmercut_starts(kccs), piece
            count += 1
    assert count > len(khpos)


@pytest.mark.shared_data
def test_words_are_khmercuts_on_khpos(khpos: list[str]) -> None:
    # Given the sentences of khPOS OPEN-TEST
    for sentence in khpos:
        # When they are segmented
        words = {(s.start, s.end) for s in segment(sentence, "km")}
        # Then every word is a word of khmercut's tagger over the same stretch of letters
        expected = set()
        at = 0
        for piece in pieces(sentence):
            at = sentence.index(piece, at)
            kccs = khmercut.seg_kcc(piece)
            pos = start = at
            for kcc, starts in zip(kccs, khmercut_starts(kccs), strict=True):
                if starts and pos > start:
                    expected.add((start, pos))
                    start = pos
                pos += len(kcc)
            expected.add((start, pos))
            at = pos
        assert expected <= words, sentence


def test_a_text_in_khmer_alone_gets_the_run_the_script_split_gives() -> None:
    # Given texts whose letters are all Khmer, with digits, punctuation, spaces and symbols
    texts = [*HOSTILE, *RANDOM_TEXTS, "១២៣ ភ្នំពេញ។ 2024, ៛100 ៖ ៰ ា", "  ។ក"]
    for text in texts:
        single = segment_module._single_run(text, "km")
        if single is None:
            continue
        # When segment() takes its shortcut for a single-script text
        # Then the run is the one the full split into script runs gives
        assert [single[1]] == script_runs(text), text


# --- Hostile input --------------------------------------------------------------------------

HOSTILE = [
    "្",  # a lone subscript sign
    "្្្ក",
    "ាំះ",  # vowels and signs with no consonant
    "ក\u200bខ\u200cគ\u200dឃ\u2060ង\ufeff",  # zero-width characters between letters
    "ភ្នំពេញ\u0301\u0308",  # Latin combining marks after Khmer
    "១២៣៤៥៦៧៨៩០" * 30,  # a long digit run
    "ភ្នំពេញABCភ្នំពេញ123ภาษาไทยភ្នំពេញ我们ភ្នំពេញ",  # scripts glued
    "᧠᧡᧢ ᧣᧤",  # lunar date signs
    "\u17de\u17df\u17ea\u17ff",  # unassigned code points of the block
    "ក" * 5000,
]


@pytest.mark.parametrize("text", HOSTILE + RANDOM_TEXTS[:40])
def test_hostile_khmer_keeps_offsets_and_khmercuts_tags(text: str) -> None:
    # Given odd Khmer text
    # When it is segmented, for indexing and for search
    for spans in (segment(text, "km"), segment_for_search(text, "km")):
        # Then every span lies in the text, holds a letter or digit and no edge space
        for span in spans:
            assert 0 <= span.start < span.end <= len(text)
            word = text[span.start : span.end]
            assert word == word.strip()
            assert any(ch.isalnum() for ch in word)
    # And the CRF tags each stretch as khmercut would
    for piece in pieces(text):
        kccs = _khmer._clusters(piece)
        assert _khmer._starts(kccs) == khmercut_starts(kccs)


def test_an_unreadable_model_degrades_to_icu_words_instead_of_failing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a khmercut whose model file the reader refuses (a future format, a broken install)
    def refuse() -> None:
        raise ModelFormatError("not a CRFsuite first-order model")

    monkeypatch.setattr(_khmer, "_model", refuse)
    _khmer._model_usable.cache_clear()
    try:
        text = "ពាណិជ្ជកម្មកម្ពុជា"
        # When Khmer is segmented, then it is cut by ICU, whole and in order, and the log
        # says why
        words = segment(text, "km")
        assert words
        assert "".join(text[s.start : s.end] for s in words) == text
        assert "falls back to ICU" in caplog.text
    finally:
        _khmer._model_usable.cache_clear()
