"""Text to index terms: the one analysis that documents and queries go through.

``analyze`` normalizes (so that Traditional and Simplified, Zawgyi and Unicode, composed and
decomposed Vietnamese, upper and lower case meet), segments into words with the best segmenter
for the language, stems the words of Indonesian and Malay (:mod:`infoharbor.text.stem`), and
adds two recall paths:

- *parts*: the pieces of a compound that the segmenter knows (北京大学 -> 北京, 大学;
  ນະຄອນຫຼວງວຽງຈັນ -> ນະຄອນຫຼວງ, ວຽງຈັນ), so a query for a part finds the whole;
- *grams*: overlapping pairs of grapheme clusters over every run of a script written without
  spaces, for a backend that matches a word as a phrase of its pairs wherever the dictionary
  cut it (the PostgreSQL backend does; the embedded one relies on words and parts).

Every term carries its offsets in the text as given, so snippets highlight the original
characters, never the normalized ones.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import regex

from infoharbor.text.normalize import fold_diacritics, normalize
from infoharbor.text.segment import segment_for_search
from infoharbor.text.stem import stem

# Han, Thai, Lao, Myanmar (with extensions), Khmer (with symbols): scripts without spaces.
_UNSPACED_RUN = regex.compile(
    r"[\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF\u19E0-\u19FF\uA9E0-\uA9FF\uAA60-\uAA7F"
    r"\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\U00020000-\U0003134F]+"
)
_CLUSTER = regex.compile(r"\X")
# Han ideographs never combine with what follows: each is a cluster of its own.
_HAN_ONLY = regex.compile(r"[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\U00020000-\U0003134F]+")
# Terms are joined with spaces for the index's whitespace tokenizer; a compound that contains
# a space (Vietnamese "hồ chí minh") is kept as one term.
_JOINER = "_"


@dataclass(frozen=True, slots=True)
class Term:
    text: str  # the index form: normalized, case-folded
    start: int  # offsets in the analysed text as given
    end: int
    part: bool  # a piece of a longer word, there for recall
    stem: str | None = None  # the word's stem, where its language is stemmed and it differs


@dataclass(frozen=True, slots=True)
class Analyzed:
    terms: list[Term]  # words, each followed by its parts, in text order
    grams: list[str]  # grapheme-cluster pairs of the runs written without spaces

    @property
    def words(self) -> list[str]:
        """The words alone (no parts), as written: what a query requires, and what names of
        countries and sectors are matched on."""
        return [term.text for term in self.terms if not term.part]

    @property
    def stemmed(self) -> list[str]:
        """The words, each by its stem where it has one: what a text field is searched by."""
        return [term.stem or term.text for term in self.terms if not term.part]

    @property
    def parts(self) -> list[str]:
        """The parts of the compounds, in order: the recall path for a part of a word."""
        return [term.text for term in self.terms if term.part]

    @property
    def tokens(self) -> list[str]:
        """Words and parts in order (short texts such as names match on both)."""
        return [term.text for term in self.terms]

    @property
    def folded(self) -> list[str]:
        """Accent-free forms of the words that have accents (Vietnamese typed without them)."""
        folded = []
        for term in self.terms:
            plain = fold_diacritics(term.text)
            if plain != term.text:
                folded.append(plain)
        return folded


def analyze(text: str, lang: str | None) -> Analyzed:
    """The terms of ``text`` written in ``lang`` (a harbor content code, or None: by script)."""
    if not text:
        return Analyzed([], [])
    normalized = normalize(text, lang)
    folded = normalized.text
    terms = []
    for span in segment_for_search(folded, lang):
        word = folded[span.start : span.end]
        if not word or word.isspace():
            continue
        start, end = normalized.span_in_input(span.start, span.end)
        text = _JOINER.join(word.split())
        terms.append(Term(text, start, end, span.part, None if span.part else stem(text, lang)))
    return Analyzed(terms, cluster_pairs(folded))


def cluster_pairs(text: str) -> list[str]:
    """Overlapping pairs of grapheme clusters in the runs of scripts without spaces.

    A run of a single cluster yields that cluster, so one-character words still match.
    """
    pairs: list[str] = []
    for run in _UNSPACED_RUN.finditer(text):
        group = run.group()
        if _HAN_ONLY.fullmatch(group):
            pairs.extend([group[i : i + 2] for i in range(len(group) - 1)] or [group])
            continue
        clusters = _CLUSTER.findall(group)
        if len(clusters) == 1:
            pairs.append(clusters[0])
            continue
        pairs.extend(a + b for a, b in itertools.pairwise(clusters))
    return pairs


def has_unspaced(text: str) -> bool:
    return _UNSPACED_RUN.search(text) is not None


# One short text per segmenter, to load every model once.
_WARM_UP = {
    "zh-Hans": "北京大学的研究",
    "th": "ประชุมที่กรุงเทพ",
    "km": "ពាណិជ្ជកម្មកម្ពុជា",
    "lo": "ນະຄອນຫຼວງວຽງຈັນ",
    "my": "ရန်ကုန်မြို့",
    "vi": "Thành phố Hồ Chí Minh",
    "en": "The harbor's news",
    "id": "Berita pelabuhan",
    "fil": "Balita ng daungan",
}


def warm_up() -> None:
    """Load every segmenter's model now (several seconds), not in the first reader's search."""
    for lang, text in _WARM_UP.items():
        analyze(text, lang)
