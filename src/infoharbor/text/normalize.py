"""Text to its search form, with a map back to the text as written.

Two spellings that a reader takes for the same word must become the same string before
segmentation, at index time and at query time alike: composed and decomposed Vietnamese, old
and new tone-mark placement, Zawgyi and Unicode Burmese, Thai typed in a different key order,
Traditional and Simplified Chinese, upper and lower case. The original text stays what is
shown; :class:`Normalized` keeps, for every character of the search form, where it came from,
so a match is highlighted on the characters the author wrote.

Speed matters (every document and every query passes through here), so each step first asks
a cheap question (a compiled character class, a quick check) and does nothing when the
answer is "nothing to do"; the offset map is only rebuilt by a step that changes the length
or the order of characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate

import burmesenlp
import icu
import opencc

__all__ = [
    "Normalized",
    "fold_diacritics",
    "is_zawgyi",
    "normalize",
    "zawgyi_to_unicode",
]


@dataclass(frozen=True, slots=True)
class Normalized:
    """The search form of a text and, for each of its characters, where it came from.

    ``origin[i]`` is the index in the input of normalized character ``i``; ``origin[-1] ==
    len(input)``. Where a step turned a group of input characters into a group of others
    (a decomposed vowel composed, ß folded to ss, a Zawgyi word converted, Thai marks
    reordered), every character of the output group points at the start of the input
    group, and :meth:`span_in_input` widens a span that touches a group to all of it.
    """

    text: str
    origin: list[int]
    # Input characters removed without a trace in the text (zero-width characters, trimmed
    # spaces): the end of each removed range -> its start. Lets a span end before them.
    _removed: dict[int, int] = field(default_factory=dict, repr=False, compare=False)

    def span_in_input(self, start: int, end: int) -> tuple[int, int]:
        """The input span ``[a, b)`` that ``text[start:end]`` was made from.

        Never cuts a group of input characters that became one unit (a base letter and its
        marks, a reordered Thai cluster, a converted Zawgyi word): the span is widened to the
        whole group, so slicing the input with it never shows half a character cluster.
        Invisible characters removed inside the span are in it; removed ones just before or
        after it are not.
        """
        origin = self.origin
        size = len(self.text)
        if not 0 <= start <= end <= size:
            raise ValueError(f"span [{start}, {end}) outside 0..{size}")
        first = origin[start]
        if end == start:
            return first, first
        # The span ends where the next group starts, less what was removed just before it.
        last = origin[end - 1]
        while end < size and origin[end] == last:
            end += 1
        stop = origin[end]
        return first, self._removed.get(stop, stop)


class _Work:
    """The text between steps, and its map, built only once a step changes a length."""

    __slots__ = ("identity", "removed", "starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.identity = True  # starts not built yet: character i came from input i
        self.starts: list[int] = []
        self.removed: dict[int, int] = {}

    def _materialize(self) -> list[int]:
        if self.identity:
            self.starts = list(range(len(self.text) + 1))
            self.identity = False
        return self.starts

    def rewrite(self, edits: list[tuple[int, int, str]], new_text: str | None = None) -> None:
        """Replace each ``text[start:end]`` by its replacement, as one group.

        ``edits`` are sorted and do not overlap. When ``new_text`` is given, it is the whole
        result and the characters outside ``edits`` changed one for one (case folding).
        """
        if not edits:
            if new_text is not None:
                self.text = new_text
            return
        text = self.text
        if new_text is None:
            pieces = []
            pos = 0
            for start, end, replacement in edits:
                pieces.append(text[pos:start])
                pieces.append(replacement)
                pos = end
            pieces.append(text[pos:])
            new_text = "".join(pieces)
        starts = self._materialize()
        removed = self.removed
        new_starts: list[int] = []
        pos = 0
        for start, end, replacement in edits:
            new_starts += starts[pos:start]
            if replacement:
                new_starts += [starts[start]] * len(replacement)
            elif end > start:
                first, stop = starts[start], starts[end]
                removed[stop] = removed.get(first, first)
            pos = end
        new_starts += starts[pos:]
        self.text, self.starts = new_text, new_starts

    def substitute(self, edits: list[tuple[int, int, str]]) -> None:
        """Replace characters one for one (each replacement as long as what it replaces)."""
        if not edits:
            return
        pieces = []
        pos = 0
        for start, end, replacement in edits:
            pieces.append(self.text[pos:start])
            pieces.append(replacement)
            pos = end
        pieces.append(self.text[pos:])
        self.text = "".join(pieces)

    def rewrite_proportionally(self, edits: list[tuple[int, int, str]]) -> None:
        """Like :meth:`rewrite`, but spread each replacement over its source evenly.

        For the conversion of a run whose output has another length and no known alignment
        (OpenCC on a Han run): a span inside the run maps to about the right part of it
        instead of the whole run.
        """
        starts = self._materialize()
        pieces: list[str] = []
        new_starts: list[int] = []
        pos = 0
        for start, end, replacement in edits:
            pieces.append(self.text[pos:start])
            pieces.append(replacement)
            new_starts += starts[pos:start]
            size, count = end - start, len(replacement)
            new_starts += [starts[start + k * size // count] for k in range(count)]
            pos = end
        pieces.append(self.text[pos:])
        new_starts += starts[pos:]
        self.text, self.starts = "".join(pieces), new_starts

    def result(self) -> Normalized:
        if self.identity:
            return Normalized(self.text, list(range(len(self.text) + 1)))
        return Normalized(self.text, self.starts, self.removed)


def _char_class(unicode_set: str, extra: str = "") -> str:
    """A ``re`` character class for an ICU UnicodeSet pattern (ICU knows Unicode 16)."""
    uset = icu.UnicodeSet(unicode_set)
    parts = [extra]
    for first, last in uset.ranges():  # each a pair of one-character strings
        low, high = ord(first), ord(last)
        parts.append(f"\\U{low:08x}" if low == high else f"\\U{low:08x}-\\U{high:08x}")
    return "[" + "".join(parts) + "]"


def _edits(
    pattern: re.Pattern[str], text: str, replace: Callable[[re.Match[str]], str]
) -> list[tuple[int, int, str]]:
    edits = []
    for match in pattern.finditer(text):
        replacement = replace(match)
        if replacement != match.group():
            edits.append((match.start(), match.end(), replacement))
    return edits


# --- Invisible characters ------------------------------------------------------------------
#
# Removed: every Default_Ignorable_Code_Point (zero-width space U+200B, word joiner U+2060,
# BOM U+FEFF, soft hyphen U+00AD, bidi controls, variation selectors, the combining grapheme
# joiner, Khmer's deprecated inherent vowels U+17B4/U+17B5, tag characters...). They are
# invisible, their presence depends on the editor or the input method, and a word with one
# must match the word without.
#
# ZWJ (U+200D) and ZWNJ (U+200C) are removed too. In our scripts they never distinguish
# words: in Khmer and Myanmar they only choose a glyph shape (a stacked or a spelled-out
# consonant, kinzi), Thai, Lao, Han and Latin do not use them, and in emoji sequences they
# glue pictographs that search does not index. The scripts where ZWNJ is part of spelling
# (Persian, some Indic scripts) are not harbor languages, and even there search engines
# match across it. Zero-width space is a word-break hint in Thai, Khmer and Burmese text;
# the segmenter finds those breaks itself, so text with and without the hints meets.
_IGNORABLE = re.compile(_char_class("[:Default_Ignorable_Code_Point:]") + "+")
# The regex engine tests a class with astral ranges one range at a time; these quick checks
# keep the BMP part exact and cover the astral part with one range (emoji included), and the
# exact pattern runs only when they find something.
_IGNORABLE_QUICK = re.compile(
    _char_class("[[:Default_Ignorable_Code_Point:]&[\\u0000-\\uffff]]", "\\U0001bca0-\\U000e0fff")
)

# --- NFC -----------------------------------------------------------------------------------
_NFC = icu.Normalizer2.getNFCInstance()
# A character followed by characters that may combine with or reorder against it, or a
# character that NFC always replaces. NFC acts within these chunks only, so normalizing
# each chunk on its own gives NFC of the whole text, and each chunk is one group in the map.
# Characters that may combine with or reorder against the character before them, and
# characters that NFC always replaces. NFC acts on a run of these and the character before
# it only, so normalizing each such chunk on its own gives NFC of the whole text, and each
# chunk is one group in the map. (The pattern starts with a character class, which the
# regex engine scans for at C speed.)
_NFC_RUN = re.compile(
    # Astral code points go in as one range: the regex engine checks a class of BMP ranges
    # with a bitmap, but a class with astral ranges one range at a time (8x slower here).
    # An astral character that NFC leaves alone (an emoji) just makes a chunk that does
    # not change.
    "("
    + _char_class(
        "[[[:^ccc=0:][:NFC_QC=M:][:NFC_QC=N:]]&[\\u0000-\\uffff]]", "\\U00010000-\\U0010ffff"
    )
    + "+)",
    re.DOTALL,
)
# Vietnamese: a vowel's shape mark (circumflex, breve, horn) and its tone mark have the same
# combining class (230) in most pairs, so NFC keeps whichever order they were typed in, and
# ``e + acute + circumflex`` would not compose to ế. The shape goes first. Matched on the
# vowel with its tone as typed or already composed (NFC makes é + circumflex of the above).
_VI_TONE = "\u0300\u0301\u0303\u0309\u0323"
_VI_SHAPE = re.compile("[\u0302\u0306\u031b]")
_VI_MISORDER = re.compile(
    f"(?:[aeiouyAEIOUY][{_VI_TONE}]+|"
    + "".join(
        sorted(
            {
                unicodedata.normalize("NFC", vowel + tone)
                for vowel in "aeiouyAEIOUY"
                for tone in _VI_TONE
            }
        )
    ).join("[]")
    + f")[{_VI_TONE}]*[\u0302\u0306\u031b]+"
)


def _shape_before_tone(match: re.Match[str]) -> str:
    letters = unicodedata.normalize("NFD", match.group())
    marks = sorted(letters[1:], key=_VI_TONE.__contains__)  # stable: shapes, then tones
    return unicodedata.normalize("NFC", letters[0] + "".join(marks))


def _compose(work: _Work) -> None:
    """NFC, chunk by chunk, keeping each chunk that changes as one group in the map.

    The chunks that NFC may change are found with one split (C speed) and normalized in one
    ICU call, joined by a newline (a starter that composes with nothing), so decomposed
    text, where every accented letter is a chunk, costs a few Python operations per chunk.
    """
    # [plain, run, plain, run, ..., plain]; a run's chunk starts with the last character of
    # the plain text before it (its base), when there is one.
    pieces = _NFC_RUN.split(work.text)
    plains, runs = pieces[0::2], pieces[1::2]
    chunks = [plain[-1:] + run for plain, run in zip(plains, runs, strict=False)]
    normalized = str(_NFC.normalize("\n".join(chunks))).split("\n")
    if len(normalized) != len(chunks):  # a chunk started with a newline: one by one
        normalized = [str(_NFC.normalize(chunk)) for chunk in chunks]
    ends = list(accumulate(map(len, pieces)))
    work.rewrite(
        [
            (ends[2 * i + 1] - len(chunk), ends[2 * i + 1], new)
            for i, (chunk, new) in enumerate(zip(chunks, normalized, strict=True))
            if chunk != new
        ]
    )


# --- Spaces --------------------------------------------------------------------------------
# Any run of white space or control characters that is not already one plain space. Control
# characters (NUL, BEL, the C1 block...) are treated as space: where they occur in text
# they separate things, never join letters into a word.
# Two passes whose patterns start with a character class or a literal, which the regex
# engine scans for at C speed: runs that contain anything but a plain space, then runs of
# plain spaces.
# White space as str.isspace() has it, other than the plain space, plus the control characters.
_ODD = "\x00-\x1f\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_ODD_SPACES = re.compile(f"[{_ODD}][ {_ODD}]*")
_DOUBLE_SPACES = re.compile("  +")

# --- Burmese -------------------------------------------------------------------------------
_MYANMAR_CHARS = "\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f"
_MYANMAR = re.compile(f"[{_MYANMAR_CHARS}]")
# Myanmar text with the single spaces between its words: the unit converted from Zawgyi.
_MYANMAR_RUN = re.compile(f"[{_MYANMAR_CHARS}]+(?: [{_MYANMAR_CHARS}]+)*")
_MYANMAR_WORD = re.compile(f"[{_MYANMAR_CHARS}]+")
# burmesenlp's calibrated threshold: a false positive destroys Unicode text (Shan and Mon
# use the code points Zawgyi reuses), a false negative leaves Zawgyi unconverted.
_ZAWGYI_THRESHOLD = 0.9
# The Markov detector runs in Python (~0.6 M chars/s); it is certain within a few dozen
# characters, and a document is in one encoding, so it reads at most this much.
_ZAWGYI_SAMPLE = 512


# What only Zawgyi has: its glyph-variant code points, its visible VIRAMA used as ASAT, a
# vowel sign or medial typed before its consonant (visual order), marks doubled, a vowel sign
# after ASAT (Zawgyi's U+103A is a medial). Unicode Burmese without any of these (all of the
# UDHR) skips the detector, which runs in Python; Zawgyi text without any is spelled with
# code points that mean the same in Unicode, and the detector would not be sure of it.
_ZAWGYI_SIGNS = re.compile(
    "[\u105a\u1060-\u1097]|\u1039(?![\u1000-\u1021])"
    "|(?:^|[^\u1000-\u1021\u103a-\u103f])[\u1031\u103b]|\u1031\u1031|\u103a\u103a"
    "|\u103a[\u102b-\u1032]"
)


def _zawgyi_probability(text: str) -> float:
    if _ZAWGYI_SIGNS.search(text) is None:
        return 0.0
    sample = " ".join(match.group() for match in _MYANMAR_RUN.finditer(text[: _ZAWGYI_SAMPLE * 8]))
    if not sample:
        return 0.0
    probability = float(burmesenlp.get_zawgyi_probability(sample[:_ZAWGYI_SAMPLE]))
    return max(probability, 0.0)  # -inf when no character is known to the model


def is_zawgyi(text: str) -> bool:
    """True when ``text`` has Myanmar script that burmesenlp's detector says is Zawgyi.

    Uses the calibrated Markov model (``get_zawgyi_probability`` > 0.9), not burmesenlp's
    ``is_zawgyi`` heuristic, which flags most Shan and Mon text.
    """
    return _MYANMAR.search(text) is not None and _zawgyi_probability(text) > _ZAWGYI_THRESHOLD


def zawgyi_to_unicode(text: str) -> str:
    """Convert Zawgyi-encoded Burmese to Unicode (NFC). Converts unconditionally: ask
    :func:`is_zawgyi` first unless the encoding is known."""
    return unicodedata.normalize("NFC", burmesenlp.zg2uni(text))


def _from_zawgyi(work: _Work) -> None:
    edits: list[tuple[int, int, str]] = []
    for run in _MYANMAR_RUN.finditer(work.text):
        source = run.group()
        converted = zawgyi_to_unicode(source)
        if converted == source:
            continue
        # The conversion reorders characters inside words (Zawgyi stores visual order), so
        # the map is kept per word: the spaces between words are anchors.
        words, new_words = source.split(" "), converted.split(" ")
        if len(words) != len(new_words):
            edits.append((run.start(), run.end(), converted))
            continue
        pos = run.start()
        for word, new_word in zip(words, new_words, strict=True):
            if word != new_word:
                edits.append((pos, pos + len(word), new_word))
            pos += len(word) + 1
    work.rewrite(edits)


@cache
def _myanmar_disorder() -> re.Pattern[str]:
    """Adjacent pairs of Myanmar signs that burmesenlp's canonical_order would swap.

    Derived from the library itself (one call per pair, once), so the quick check and the
    reordering never disagree.
    """
    signs = [chr(cp) for cp in range(0x102B, 0x1039)] + [chr(cp) for cp in range(0x103A, 0x103F)]
    alternatives = []
    for first in signs:
        later = "".join(
            second
            for second in signs
            if second != first
            and burmesenlp.canonical_order("က" + first + second) == "က" + second + first
        )
        if later:
            alternatives.append(f"{first}[{later}]")
    return re.compile("|".join(alternatives))


def _myanmar_order(work: _Work) -> None:
    text = work.text
    edits = []
    done = 0  # words are rewritten once, however many disordered pairs they have
    for hit in _myanmar_disorder().finditer(text):
        if hit.start() < done:
            continue
        start = hit.start()
        while start > 0 and _MYANMAR.match(text, start - 1):
            start -= 1
        word = _MYANMAR_WORD.match(text, start)
        assert word is not None  # noqa: S101 - the hit itself is Myanmar
        done = word.end()
        ordered = burmesenlp.canonical_order(word.group())
        if ordered == word.group():
            continue
        head = 0
        while word.group()[head] == ordered[head]:
            head += 1
        tail = len(ordered)
        while word.group()[tail - 1] == ordered[tail - 1]:
            tail -= 1
        edits.append((start + head, start + tail, ordered[head:tail]))
    work.rewrite(edits)


# --- Thai, Lao, Khmer, Myanmar: key-order and spelling quirks --------------------------------
# Each is (pattern, replacement template); all are applied as groups in the map.
_THAI_TONE = "\u0e48-\u0e4b"
_LAO_TONE = "\u0ec8-\u0ecb"
_RULES: dict[str, tuple[tuple[str, str], ...]] = {
    "\u0e00-\u0e7f": (
        # Thai SARA AM typed as NIKHAHIT + SARA AA, with the tone mark anywhere among them,
        # or typed before its tone mark: น + ํ + ้ + า, น + ้ + ํ + า, น + ำ + ้ -> น้ำ.
        (f"\u0e4d([{_THAI_TONE}]?)\u0e32|([{_THAI_TONE}])\u0e4d\u0e32", "\\1\\2\u0e33"),
        (f"\u0e33([{_THAI_TONE}])", "\\1\u0e33"),
        # Tone mark or THANTHAKHAT typed before an above vowel: ก + ่ + ี -> ก + ี + ่. (Below
        # vowels already come first under NFC: their combining class is lower.)
        (f"([{_THAI_TONE}\u0e4c])([\u0e31\u0e34-\u0e37\u0e47])", r"\2\1"),
        # Two SARA E for SARA AE (เเ -> แ), and a sign typed twice.
        ("\u0e40\u0e40", "\u0e41"),
        ("([\u0e31\u0e34-\u0e3a\u0e47-\u0e4e])\\1+", r"\1"),
    ),
    "\u0e80-\u0eff": (
        # Lao: the same quirks (SARA AM, tone before an above vowel, ເເ, doubled signs).
        (f"\u0ecd([{_LAO_TONE}]?)\u0eb2|([{_LAO_TONE}])\u0ecd\u0eb2", "\\1\\2\u0eb3"),
        (f"\u0eb3([{_LAO_TONE}])", "\\1\u0eb3"),
        (f"([{_LAO_TONE}\u0ecc])([\u0eb1\u0eb4-\u0eb7\u0ebb\u0ecd])", r"\2\1"),
        ("\u0ec0\u0ec0", "\u0ec1"),
        ("([\u0eb1\u0eb4-\u0ebc\u0ec8-\u0ecd])\\1+", r"\1"),
    ),
    "\u1780-\u17ff": (
        # Khmer: the two-part vowels typed as their visual parts (េ + ី -> ើ, េ + ា -> ោ),
        # and a sign typed twice (not COENG, whose repetition is a different error).
        ("\u17c1\u17b8", "\u17be"),
        ("\u17c1\u17b6", "\u17c4"),
        ("([\u17b6-\u17d1\u17d3\u17dd])\\1+", r"\1"),
    ),
    "\u1000-\u109f": (
        # Myanmar: a sign typed twice (VIRAMA excepted: it stacks consonants).
        ("([\u102b-\u1038\u103a-\u103e])\\1+", r"\1"),
    ),
}
# Per script: its block, and its rules as (pattern, replacement template).
_SCRIPT_FIXES = tuple(
    (
        re.compile(f"[{block}]"),
        tuple((re.compile(pattern), template) for pattern, template in rules),
    )
    for block, rules in _RULES.items()
)


def _expander(template: str) -> Callable[[re.Match[str]], str]:
    return lambda match: match.expand(template)


def _script_fixes(work: _Work) -> None:
    for block, rules in _SCRIPT_FIXES:
        if block.search(work.text) is None:
            continue
        for pattern, template in rules:
            if pattern.search(work.text) is not None:
                work.rewrite(_edits(pattern, work.text, _expander(template)))


# --- Vietnamese tone-mark placement -----------------------------------------------------------
#
# Convention: the "old" placement (hòa, thủy, khỏe), which Vietnamese Wikipedia and most
# news sites use and which the common input methods (Unikey, Windows) produce by default.
# The "new" placement (hoà, thuỷ, khoẻ) puts the tone on the second vowel of an open oa, oe
# or uy. Only syllables where the two conventions differ are touched: a final consonant
# (hoàng, thuyết) or a triphthong (ngoài, khuỷu) puts the tone in the same place in both.
# Also fixed: a tone on the u of "qu" or the i of "gi", which belong to the consonant
# (qúy -> quý, gìa -> già).
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_CONSONANTS = "bcdđghklmnprstvxBCDĐGHKLMNPRSTVX"


def _toned(bases: str) -> dict[str, tuple[str, str]]:
    return {
        unicodedata.normalize("NFC", base + tone): (base, tone) for base in bases for tone in _TONES
    }


_TONED_AE = _toned("aeAE")
_TONED_Y = _toned("yY")
_TONED_U = _toned("uU")
_TONED_I = _toned("iI")
_TONED = _TONED_AE | _TONED_Y | _TONED_U | _TONED_I
_VOWELS = "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
# Each pattern starts with a character class, which the regex engine scans for at C speed.
# o + toned a/e, u + toned y, ending a word: the tone goes to the o or u, if what comes
# before is a (possibly empty) run of consonants from the start of the word (checked in
# _to_first_vowel: not "quý", whose u belongs to the consonant).
# (One class for both first letters, no alternation: the pairs are checked in the callbacks.)
_NEW_STYLE = re.compile(f"[oOuU][{''.join(_TONED_AE | _TONED_Y)}](?![\\w\u0300-\u036f])")
# A tone on the u of qu or the i of gi goes to the vowel after it.
_CONSONANT_VOWEL = re.compile(f"[qQgG][{''.join(_TONED_U | _TONED_I)}][{_VOWELS}]")


def _with_tone(base: str, tone: str) -> str:
    return unicodedata.normalize("NFC", base + tone)


def _to_first_vowel(match: re.Match[str]) -> str:
    text, start = match.string, match.start()
    while start > 0 and text[start - 1] in _CONSONANTS:
        start -= 1
    if start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        return match.group()  # inside a longer word, or after q: not this syllable shape
    pair = match.group()
    first, second = pair[0], pair[1]
    if (second in _TONED_Y) != (first in "uU"):  # o + toned a/e, u + toned y only
        return match.group()
    base, tone = _TONED[second]
    return _with_tone(first, tone) + base


def _to_next_vowel(match: re.Match[str]) -> str:
    triple = match.group()
    consonant, toned, vowel = triple[0], triple[1], triple[2]
    if (toned in _TONED_U) != (consonant in "qQ"):  # qu, gi only
        return match.group()
    base, tone = _TONED[toned]
    moved = _with_tone(vowel, tone)
    return consonant + base + moved if len(moved) == 1 else match.group()


def _vietnamese(work: _Work) -> None:
    work.substitute(_edits(_CONSONANT_VOWEL, work.text, _to_next_vowel))
    work.substitute(_edits(_NEW_STYLE, work.text, _to_first_vowel))


# --- Case ----------------------------------------------------------------------------------
@cache
def _folds_longer() -> re.Pattern[str]:
    """Characters whose case folding is longer than one character (ß -> ss, İ -> i̇, ǰ -> ǰ).

    Asked of Python itself, which does the folding (ICU's Changes_When_Casefolded misses ǰ:
    its decomposition does not change). All of them are in the BMP. Built on first need.
    """
    chars = "".join(chr(cp) for cp in range(0x10000) if len(chr(cp).casefold()) > 1)
    return re.compile(f"[{re.escape(chars)}]")


def _fold_case(work: _Work) -> None:
    folded = work.text.casefold()
    if len(folded) == len(work.text):
        work.text = folded
        return
    edits = [
        (m.start(), m.end(), m.group().casefold()) for m in _folds_longer().finditer(work.text)
    ]
    work.rewrite(edits, new_text=folded)
    # İ -> i + COMBINING DOT ABOVE may now stand before marks that NFC orders first.
    if not _NFC.isNormalized(work.text):
        _compose(work)


# --- Chinese -------------------------------------------------------------------------------
_HAN_RUN = re.compile(_char_class("[:Han:]") + "+")
_HAN_QUICK = re.compile(_char_class("[[:Han:]&[\\u0000-\\uffff]]", "\\U00016fe0-\\U000323af"))


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _fold_han(work: _Work) -> None:
    if _HAN_QUICK.search(work.text) is None or _HAN_RUN.search(work.text) is None:
        return
    t2s = _t2s()
    converted = t2s.convert(work.text)
    if len(converted) == len(work.text):
        # OpenCC's t2s maps phrases to phrases of the same length in nearly every case,
        # character for character: the map does not change.
        work.text = converted
        return
    # Some phrase changed length: convert run by run so that only that run is spread over.
    edits = []
    for run in _HAN_RUN.finditer(work.text):
        source = run.group()
        target = t2s.convert(source)
        if target != source:
            edits.append((run.start(), run.end(), target))
    same_length = [edit for edit in edits if edit[1] - edit[0] == len(edit[2])]
    if len(same_length) == len(edits):
        work.substitute(edits)
    else:
        work.rewrite_proportionally(edits)


# --- The pipeline ----------------------------------------------------------------------------
_NON_ASCII_OR_SPACE = re.compile(r"[^\x21-\x7e]")


def normalize(
    text: str, lang: str | None = None, *, fold_case: bool = True, fold_han: bool = True
) -> Normalized:
    """The search form of ``text``, with its map back to ``text``.

    In order: invisible characters removed, NFC, white space collapsed to single spaces
    (and trimmed), Zawgyi converted to Unicode when the detector is confident, Thai, Lao,
    Khmer and Myanmar typing-order quirks fixed (and Myanmar signs put in burmesenlp's
    canonical order), Vietnamese tone marks placed by one convention, case folded
    (``fold_case``), Traditional Chinese folded to Simplified (``fold_han``).

    Every step depends on the text alone, never on ``lang``: a query whose language is
    unknown must normalize exactly like the document it should find. ``lang`` (a harbor
    content code) is accepted for the language-specific rules that may come.
    """
    del lang  # see the docstring: deliberately language-independent
    work = _Work(text)
    if not text:
        return work.result()
    if _NON_ASCII_OR_SPACE.search(text) is None:  # printable ASCII without spaces: a term
        if fold_case:
            work.text = text.lower()
        return work.result()
    if not text.isascii():
        if _IGNORABLE_QUICK.search(work.text) is not None:
            work.rewrite(_edits(_IGNORABLE, work.text, lambda m: ""))
        if _VI_SHAPE.search(work.text) is not None:
            work.rewrite(_edits(_VI_MISORDER, work.text, _shape_before_tone))
        if not _NFC.isNormalized(work.text):
            _compose(work)
    _collapse_spaces(work)
    if not work.text.isascii():
        burmese = _MYANMAR.search(work.text) is not None
        if burmese and _zawgyi_probability(work.text) > _ZAWGYI_THRESHOLD:
            _from_zawgyi(work)
        _script_fixes(work)
        if burmese:
            _myanmar_order(work)
        _vietnamese(work)
    if fold_case:
        _fold_case(work)
    if fold_han and not work.text.isascii():
        _fold_han(work)
    return work.result()


def _collapse_spaces(work: _Work) -> None:
    for pattern in (_ODD_SPACES, _DOUBLE_SPACES):
        edits = [(m.start(), m.end(), " ") for m in pattern.finditer(work.text)]
        # One for one where a single character became a space (a newline, a tab).
        if all(end - start == 1 for start, end, _ in edits):
            work.substitute(edits)
        else:
            work.rewrite(edits)
    text = work.text
    trim = []
    if text.startswith(" "):
        trim.append((0, 1, ""))
    if text.endswith(" ") and len(text) > 1:
        trim.append((len(text) - 1, len(text), ""))
    work.rewrite(trim)


# --- Accent folding for queries typed without them ---------------------------------------------
_LATIN_MARKS = re.compile("[\u0300-\u036f]+")
_STROKES = str.maketrans("đĐłŁøØ", "dDlLoO")


def fold_diacritics(term: str) -> str:
    """``term`` without the accents of Latin letters: việt -> viet, Đà Nẵng -> Da Nang.

    For Vietnamese typed without diacritics (and Portuguese, Tetum without accents). Only
    the combining diacritical marks block (U+0300-U+036F) and the letters with a stroke (đ,
    ł, ø) are folded; Thai, Lao, Khmer and Myanmar signs and Japanese voicing marks are
    other blocks and stay. Case is kept.
    """
    if term.isascii():
        return term
    stripped = _LATIN_MARKS.sub("", unicodedata.normalize("NFD", term))
    return unicodedata.normalize("NFC", stripped.translate(_STROKES))
