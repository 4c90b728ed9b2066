"""Gold word segmentation: readers for the shared data sets and the scorer.

Used by ``bench/segmentation.py`` and by the gold-floor tests in ``tests/text``. The data sets
live in ``../shared/data`` (absent on some clones); khPOS, myPOS and UD Tagalog-Ugnayan are
CC BY-NC-SA and are only ever read from there, never copied into this repository.

Scoring follows ``shared/research/segmentation-baselines.md``: a predicted word is correct when
its start and end, counted in the sentence with whitespace and zero-width characters removed,
equal those of a gold word; precision, recall and F1 are micro-averaged over the file.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


def _squeezable(ch: str) -> bool:
    return ch.isspace() or ch in _ZERO_WIDTH


@dataclass(frozen=True)
class Sentence:
    text: str  # raw text, as a segmenter would get it
    words: tuple[str, ...]  # gold words, as written in the text (may hold spaces: Hà Nội)


@dataclass(frozen=True)
class GoldFile:
    lang: str  # the harbor content code the text is written in
    path: str  # relative to the shared data folder
    sentences: tuple[Sentence, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def chars(self) -> int:
        return sum(len(s.text) for s in self.sentences)


# --- Readers ---------------------------------------------------------------------------------


def read_conllu(path: Path) -> tuple[list[Sentence], int]:
    """Sentences of a UD file: ``# text =`` and the word lines.

    Multiword-token range lines are skipped and their words kept, except where the words do
    not spell the surface form (Tagalog linkers: ``akong`` = ``ako`` + ``-ng``): then the
    surface token is one gold unit. Empty nodes (``3.1``) are skipped. Returns the sentences
    and the count of multiword tokens kept whole.
    """
    sentences: list[Sentence] = []
    kept_whole = 0
    text = ""
    words: list[str] = []
    mwt_end = 0
    mwt_form = ""
    mwt_words: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# text ="):
            text = line.split("=", 1)[1].strip()
        elif not line.strip():
            if words:
                sentences.append(Sentence(text, tuple(words)))
            text, words, mwt_end = "", [], 0
        elif not line.startswith("#"):
            cols = line.split("\t")
            ident, form = cols[0], cols[1]
            if "." in ident:
                continue
            if "-" in ident:
                mwt_end = int(ident.split("-")[1])
                mwt_form, mwt_words = form, []
                continue
            number = int(ident)
            if number <= mwt_end:
                mwt_words.append(form)
                if number == mwt_end:
                    if "".join(mwt_words) == mwt_form:
                        words.extend(mwt_words)
                    else:
                        words.append(mwt_form)
                        kept_whole += 1
                continue
            words.append(form)
    if words:
        sentences.append(Sentence(text, tuple(words)))
    return sentences, kept_whole


_KHPOS_MARKS = str.maketrans("", "", "_~^")


def read_khpos(path: Path) -> list[Sentence]:
    """khPOS ``*.word``: words separated by spaces; ``_``, ``~`` and ``^`` join parts of a word.

    The corpus does not keep the original spaces: the raw text is the words joined.
    """
    sentences = []
    for line in path.read_text(encoding="utf-8").splitlines():
        words = tuple(w.translate(_KHPOS_MARKS) for w in line.split())
        words = tuple(w for w in words if w)
        if words:
            sentences.append(Sentence("".join(words), words))
    return sentences


_MYPOS_TAG = re.compile(r"/[A-Za-z]+(?=\||$)")
_LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9]")


def read_mypos(path: Path) -> tuple[list[Sentence], int]:
    """myPOS: ``word/tag`` separated by spaces, ``|`` joining the parts of a compound.

    The raw text is the words joined, with one space put back between two words that meet
    with Latin letters or digits on both sides (``Hat Yai``): those had a space in the
    original, and no segmenter can be expected to split ``HatYai``. Returns the sentences and
    the count of spaces put back.
    """
    sentences = []
    spaces = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        words = []
        for token in line.split():
            word = _MYPOS_TAG.sub("", token).replace("|", "")
            if word:
                words.append(word)
        if not words:
            continue
        text = words[0]
        for prev, word in itertools.pairwise(words):
            if _LATIN_OR_DIGIT.match(prev[-1]) and _LATIN_OR_DIGIT.match(word[0]):
                text += " "
                spaces += 1
            text += word
        sentences.append(Sentence(text, tuple(words)))
    return sentences, spaces


# The gold files measured, with the harbor language each is written in.
UD_FILES: tuple[tuple[str, str], ...] = (
    ("th", "ud-treebanks/UD_Thai-PUD/th_pud-ud-test.conllu"),
    ("zh-Hant", "ud-treebanks/UD_Chinese-GSD/zh_gsd-ud-test.conllu"),
    ("zh-Hans", "ud-treebanks/UD_Chinese-GSDSimp/zh_gsdsimp-ud-test.conllu"),
    ("zh-Hant", "ud-treebanks/UD_Chinese-PUD/zh_pud-ud-test.conllu"),
    ("vi", "ud-treebanks/UD_Vietnamese-VTB/vi_vtb-ud-test.conllu"),
    ("id", "ud-treebanks/UD_Indonesian-GSD/id_gsd-ud-test.conllu"),
    ("id", "ud-treebanks/UD_Indonesian-PUD/id_pud-ud-test.conllu"),
    ("fil", "ud-treebanks/UD_Tagalog-TRG/tl_trg-ud-test.conllu"),
    ("fil", "ud-treebanks/UD_Tagalog-Ugnayan/tl_ugnayan-ud-test.conllu"),
    ("en", "ud-treebanks/UD_English-PUD/en_pud-ud-test.conllu"),
)
KHPOS_FILE = "seg-khmer-khpos/OPEN-TEST.word"
MYPOS_FILE = "seg-burmese-mypos/otest.1k.txt"


def load(data: Path, path: str) -> GoldFile:
    """One gold file by its path relative to the shared data folder."""
    if path == KHPOS_FILE:
        return GoldFile("km", path, tuple(read_khpos(data / path)))
    if path == MYPOS_FILE:
        sentences, spaces = read_mypos(data / path)
        note = f"{spaces} spaces put back between Latin words or digits"
        return GoldFile("my", path, tuple(sentences), (note,))
    lang = {p: lang for lang, p in UD_FILES}[path]
    sentences, kept = read_conllu(data / path)
    notes = (
        (f"{kept} multiword tokens kept whole (words do not spell the surface)",) if kept else ()
    )
    return GoldFile(lang, path, tuple(sentences), notes)


def all_paths() -> list[str]:
    """Every gold file, in table order (Thai first, then zh, km, my, vi, id, fil, en)."""
    ud = [p for _lang, p in UD_FILES]
    return [ud[0], *ud[1:4], KHPOS_FILE, MYPOS_FILE, *ud[4:]]


# --- Scoring ---------------------------------------------------------------------------------


def _squeezed_offsets(text: str) -> list[int]:
    """For each offset in ``text``, the offset with whitespace and zero-width removed."""
    out = [0] * (len(text) + 1)
    n = 0
    for i, ch in enumerate(text):
        out[i] = n
        if not _squeezable(ch):
            n += 1
    out[len(text)] = n
    return out


def gold_offsets(sentence: Sentence, words_only: bool = False) -> set[tuple[int, int]] | None:
    """Gold words as squeezed offsets; None when the words do not spell the text.

    ``words_only`` leaves out punctuation and symbols (gold units without a letter or digit).
    """
    squeezed = "".join(ch for ch in sentence.text if not _squeezable(ch))
    offsets = set()
    pos = 0
    for word in sentence.words:
        letters = "".join(ch for ch in word if not _squeezable(ch))
        if not letters:
            continue
        if squeezed[pos : pos + len(letters)] != letters:
            return None
        if not words_only or any(ch.isalnum() for ch in letters):
            offsets.add((pos, pos + len(letters)))
        pos += len(letters)
    return offsets if pos == len(squeezed) else None


def predicted_offsets(
    text: str, spans: Iterable[tuple[int, int]], words_only: bool = False
) -> set[tuple[int, int]]:
    """Predicted words (start, end in ``text``) as squeezed offsets; whitespace-only dropped."""
    squeeze = _squeezed_offsets(text)
    out = set()
    for start, end in spans:
        if words_only and not any(ch.isalnum() for ch in text[start:end]):
            continue
        s, e = squeeze[start], squeeze[end]
        if e > s:
            out.add((s, e))
    return out


@dataclass
class Score:
    correct: int = 0
    predicted: int = 0
    gold: int = 0
    skipped: int = 0  # sentences whose gold words do not spell the text

    def add(self, gold: set[tuple[int, int]], predicted: set[tuple[int, int]]) -> None:
        self.correct += len(gold & predicted)
        self.predicted += len(predicted)
        self.gold += len(gold)

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(
    sentences: Sequence[Sentence],
    predictions: Iterator[Iterable[tuple[int, int]]],
    words_only: bool = False,
) -> Score:
    """Micro-averaged precision, recall and F1 of ``predictions`` (one per sentence).

    ``words_only`` leaves punctuation and symbols out of both sides: what ``segment()``
    returns, and what search cares about.
    """
    result = Score()
    for sentence, spans in zip(sentences, predictions, strict=True):
        gold = gold_offsets(sentence, words_only)
        if gold is None:
            result.skipped += 1
            continue
        result.add(gold, predicted_offsets(sentence.text, spans, words_only))
    return result
