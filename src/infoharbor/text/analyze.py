"""Text to index terms: the one analysis that documents and queries go through.

``analyze`` normalizes (so that Traditional and Simplified, Zawgyi and Unicode, composed and
decomposed Vietnamese, upper and lower case meet), segments into words with the best segmenter
for the language, stems the words of Indonesian and Malay (:mod:`infoharbor.text.stem`), and
adds a recall path, *parts*: the pieces of a compound that the segmenter knows (北京大学 -> 北京,
大学; ນະຄອນຫຼວງວຽງຈັນ -> ນະຄອນຫຼວງ, ວຽງຈັນ), so a query for a part finds the whole.

Every term can say where it is in the text as given (:attr:`Analyzed.terms`), so snippets
highlight the original characters, never the normalized ones. The index reads the term lists
alone (:attr:`Analyzed.words`, ``stemmed``, ``parts``, ``tokens``, ``folded``), so those are
made straight from the segmenter's spans and the offsets only when asked for: an entry's body
is analysed once per indexing, and the offsets cost as much again as the term texts.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from infoharbor.text.normalize import Normalized, fold_diacritics, normalize
from infoharbor.text.segment import Span, segment_for_search
from infoharbor.text.stem import stem_words, stemmed_language

# Han, Thai, Lao, Myanmar (with extensions), Khmer (with symbols): scripts without spaces.
_UNSPACED_RUN = regex.compile(
    r"[\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF\u19E0-\u19FF\uA9E0-\uA9FF\uAA60-\uAA7F"
    r"\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\U00020000-\U0003134F]+"
)
# Terms are joined with spaces for the index's whitespace tokenizer; a compound that contains
# a space (Vietnamese "hồ chí minh") is kept as one term. (Normalized text has no white space
# but single plain spaces.)
_JOINER = "_"


@dataclass(frozen=True, slots=True)
class Term:
    text: str  # the index form: normalized, case-folded
    start: int  # offsets in the analysed text as given
    end: int
    part: bool  # a piece of a longer word, there for recall
    stem: str | None = None  # the word's stem, where its language is stemmed and it differs


class Analyzed:
    """The terms of a text: words, each followed by its parts, in text order."""

    __slots__ = ("_normalized", "_spans", "_stems", "_terms", "_texts", "_words", "lang")

    def __init__(
        self,
        texts: list[str],
        spans: list[Span],
        normalized: Normalized | None,
        lang: str | None,
    ) -> None:
        self._texts = texts  # the index form of each span, in order
        self._spans = spans
        self._normalized = normalized
        self.lang = lang
        self._words: list[str] | None = None
        self._stems: list[str] | None = None
        self._terms: list[Term] | None = None

    @classmethod
    def from_terms(cls, terms: list[Term]) -> Analyzed:
        """An analysis made of given terms (pieces of other analyses put together)."""
        analyzed = cls(
            [term.text for term in terms],
            [Span(term.start, term.end, term.part) for term in terms],
            None,
            None,
        )
        analyzed._terms = list(terms)
        analyzed._stems = [term.stem or term.text for term in terms if not term.part]
        return analyzed

    @property
    def terms(self) -> list[Term]:
        """Every term with its offsets in the text as given (queries and snippets need them)."""
        if self._terms is None:
            normalized = self._normalized
            assert normalized is not None  # noqa: S101 - only from_terms has none, and sets terms
            to_input = normalized.span_in_input
            stems = iter(self.stemmed)
            terms = []
            for text, (start, end, part) in zip(self._texts, self._spans, strict=True):
                first, last = to_input(start, end)
                if part:
                    terms.append(Term(text, first, last, True))
                else:
                    stemmed = next(stems)
                    terms.append(
                        Term(text, first, last, False, None if stemmed == text else stemmed)
                    )
            self._terms = terms
        return self._terms

    @property
    def text(self) -> str:
        """The search form of the whole text (normalized), "" for one made of terms."""
        return "" if self._normalized is None else self._normalized.text

    @property
    def words(self) -> list[str]:
        """The words alone (no parts), as written: what a query requires, and what names of
        countries and sectors are matched on."""
        if self._words is None:
            if any(span.part for span in self._spans):
                self._words = [
                    t for t, s in zip(self._texts, self._spans, strict=True) if not s.part
                ]
            else:
                self._words = self._texts
        return self._words

    @property
    def stemmed(self) -> list[str]:
        """The words, each by its stem where it has one: what a text field is searched by."""
        if self._stems is None:
            self._stems = stem_words(self.words, self.lang)
        return self._stems

    @property
    def parts(self) -> list[str]:
        """The parts of the compounds, in order: the recall path for a part of a word."""
        return [t for t, s in zip(self._texts, self._spans, strict=True) if s.part]

    @property
    def part_flags(self) -> list[bool]:
        """For each of :attr:`tokens`, whether it is a part."""
        return [span.part for span in self._spans]

    @property
    def tokens(self) -> list[str]:
        """Words and parts in order (short texts such as names match on both)."""
        return self._texts

    @property
    def folded(self) -> list[str]:
        """Accent-free forms of the words that have accents (Vietnamese typed without them)."""
        folded = []
        for text in self._texts:
            if not text.isascii():
                plain = fold_diacritics(text)
                if plain != text:
                    folded.append(plain)
        return folded


_EMPTY_SPANS: list[Span] = []


def analyze(text: str, lang: str | None) -> Analyzed:
    """The terms of ``text`` written in ``lang`` (a harbor content code, or None: by script)."""
    if not text:
        return Analyzed([], _EMPTY_SPANS, None, lang)
    normalized = normalize(text, lang)
    folded = normalized.text
    # The segmenter trims white space from its spans and keeps only those with a letter or a
    # digit, so every span is a term. Normalizing folded the text's Han to Simplified.
    spans = segment_for_search(folded, lang, simplified=True)
    texts = [folded[start:end] for start, end, _part in spans]
    if " " in folded:
        texts = [t.replace(" ", _JOINER) if " " in t else t for t in texts]
    return Analyzed(texts, spans, normalized, lang if stemmed_language(lang) else None)


def has_unspaced(text: str) -> bool:
    return _UNSPACED_RUN.search(text) is not None


def is_unspaced(text: str) -> bool:
    """Whether all of ``text`` is one run of scripts written without spaces."""
    return _UNSPACED_RUN.fullmatch(text) is not None


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
