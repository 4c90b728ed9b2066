"""Which of the harbor's languages a text is in: script first, statistics second.

- Thai, Lao, Khmer and Myanmar script each belong to one of our languages, so the script
  decides (Myanmar script is also Shan, Mon and Karen: we assume Burmese).
- Han script is Chinese; Simplified or Traditional by counting the characters that exist in
  only one of the two (OpenCC's t2s and s2t character tables). pycld2 was measured as the
  alternative on the shared data and is worse at it (see ``_han`` below).
- Latin script goes to pycld2 (8-35 µs, all our Latin-script languages but Tetum), mapped
  to harbor codes. Vietnamese letters (ơ, ư, ă, đ, ạ...) decide Vietnamese on their own,
  even in a short text; Tetum's function words decide Tetum, which pycld2 does not know.
- Indonesian and Malay are close enough that every detector confuses them (pycld2: 22 % and
  34 % wrong on Tatoeba): they stay ambiguous, language None with both as candidates, unless
  a word spelled differently in the two (karena/kerana, bisa, mahu, universitas...) agrees
  with pycld2. :func:`detect_or` then takes the declared language.
- Text too short or too brand-like to say ("iPhone 15 Pro Max", "COVID-19"), text in a
  language the harbor does not have, empty text: language None, never an exception.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache

import opencc
import pycld2

from infoharbor.core.languages import content_language
from infoharbor.text.scripts import letter_counts

__all__ = ["Detection", "detect", "detect_or"]

# A candidate at or above this is the answer; below it, the detection is unsure.
SURE = 0.7
# Fewer letters in ordinary words than this and statistics are guesses (research notes:
# every detector labels "iPhone 15 Pro Max" with some language).
MIN_WORD_LETTERS = 15
# Language identification needs a sample, not a book: longer texts are cut here.
MAX_CHARS = 2000

_BY_SCRIPT = {"Thai": "th", "Lao": "lo", "Khmer": "km", "Myanmar": "my"}
_HAN_SCRIPTS = frozenset({"Han", "Hiragana", "Katakana", "Hangul", "Bopomofo"})
# pycld2 codes to harbor codes. pycld2 has no Tetum; Cebuano and Waray are not Filipino.
_FROM_CLD2 = {
    "en": "en",
    "id": "id",
    "ms": "ms",
    "vi": "vi",
    "tl": "fil",
    "pt": "pt",
    "zh": "zh-Hans",
    "zh-Hant": "zh-Hant",
    "th": "th",
    "lo": "lo",
    "km": "km",
    "my": "my",
}
# Letters only Vietnamese uses among our languages (â, ê, ô, à, á... are Portuguese too).
_VIETNAMESE = re.compile("[ăĂđĐĩĨũŨơƠưƯ\u1ea0-\u1ef9]")
_WORD = re.compile(r"[^\W\d_]+")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words spelled differently in Indonesian and Malay, common enough to show up in a sentence.
# Left out on purpose, because the other language uses them too: boleh (id "may"), daripada
# (formal id), begitu, cuma, bandar (id "port"), tiada (literary id), tidak, sudah, anda.
_INDONESIAN_WORDS = _words(
    "bisa karena mau uang kantor mobil nggak gak enggak banget kalian sih kok silakan "
    "paham pikir berpikir coba yaitu senin kamis jumat desember agustus juli juni maret "
    "universitas polisi sepeda telepon televisi gimana aja lagian ketemu dong deh kayak "
    "gitu"
)
_MALAY_WORDS = _words(
    "kerana sahaja mahu wang pejabat awak nak cakap faham fikir berfikir cuba iaitu isnin "
    "khamis jumaat disember ogos julai jun mac universiti polis basikal telefon televisyen "
    "ahad hospital kerajaan sekiranya macam sila encik ramai perkara berjaya kanak-kanak "
    "maklumat sesiapa bagaimanakah"
)
_MALAY_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")
# pycld2 has no Tetum and calls it Portuguese (its loanwords) or nothing. Its own function
# words, which Portuguese, Indonesian and English do not have, decide it: a Tetum sentence
# has several ("Ema hotu hotu moris livre no hanesan iha dignidade no direitu").
_TETUM_WORDS = _words(
    "iha ne'e atu sira hosi husi nia mak maka hotu ona tanba tenke hanesan halo ita ami "
    "hau bele deit de'it kona-ba ida ema uma rai loron ho moris"
)
_TETUM_WORD = re.compile(r"[a-z]+(?:['-][a-z]+)*")
# The commonest of them: a text without any is not Tetum, and costs one scan.
_TETUM_HINT = re.compile(r"\b(?:iha|sira|hotu|atu|ne'e|hosi|husi|nia)\b")


@dataclass(frozen=True, slots=True)
class Detection:
    """What :func:`detect` found.

    ``language`` is a harbor content code, or None when unsure; ``confidence`` is for
    ``language``, or for the best candidate when unsure; ``candidates`` are harbor codes,
    best first; ``script`` is the dominant script of the text's letters.
    """

    language: str | None
    confidence: float
    candidates: tuple[tuple[str, float], ...]
    script: str | None

    @property
    def sure(self) -> bool:
        return self.language is not None


_NOTHING = Detection(None, 0.0, (), None)


def detect(text: str) -> Detection:
    """The language of ``text`` among the harbor's, or an unsure detection."""
    text = unicodedata.normalize("NFC", text[:MAX_CHARS])
    counts = letter_counts(text)
    if not counts:
        return _NOTHING
    script, letters = counts.most_common(1)[0]
    share = letters / sum(counts.values())
    if script in _BY_SCRIPT:
        # One script, one language. Letters of other scripts (a brand name in Latin inside
        # Thai text) lower the confidence but a majority still decides.
        return _decide(((_BY_SCRIPT[script], 0.5 + 0.49 * share),), script)
    if script in _HAN_SCRIPTS:
        return _han(text, counts, share)
    if script == "Latin":
        return _latin(text, letters, share)
    return Detection(None, 0.0, (), script)  # Cyrillic, Arabic, ...: not ours


def detect_or(text: str, declared: str | None) -> str | None:
    """The detected language when sure, else ``declared`` (the source's or the author's
    language, as a harbor code), else None."""
    detection = detect(text)
    if detection.sure:
        return detection.language
    if declared:
        return content_language(declared)
    return None


def _decide(
    candidates: tuple[tuple[str, float], ...], script: str | None, *, force_unsure: bool = False
) -> Detection:
    ordered = tuple(sorted(candidates, key=lambda item: -item[1]))
    if not ordered:
        return Detection(None, 0.0, (), script)
    best, confidence = ordered[0]
    sure = confidence >= SURE and not force_unsure
    return Detection(best if sure else None, round(confidence, 4), ordered, script)


# --- Chinese -------------------------------------------------------------------------------
#
# Measured on the shared data (UDHR paragraphs and their sentences in both scripts, Tatoeba
# Cantonese, which is written in Traditional characters):
#
#   set (n)                       this method (right/unsure/wrong)   pycld2
#   UDHR Simplified paras (92)    90 / 2 / 0                         59 / 32 / 1
#   UDHR Traditional paras (92)   90 / 2 / 0                         91 / 1 / 0
#   UDHR Simplified sentences     91 / 2 / 0                         70 / 21 / 2
#   UDHR Traditional sentences    94 / 1 / 0                         95 / 0 / 0
#   Tatoeba Cantonese (1000)      874 / 123 / 3                      923 / 58 / 19
#
# pycld2 calls much Simplified text plain "Chinese" without a script and guesses where
# there is no evidence; the character count is never wrong on UDHR and says "unsure" when
# a sentence has no character that differs (我是學生 and 我是学生 differ; 我们 vs 我們 too;
# 你好 does not). Characters that OpenCC converts in both directions (compatibility
# ideographs and a few hundred ambiguous ones) count for neither.


@cache
def _han_tables() -> tuple[frozenset[str], frozenset[str]]:
    """Characters that only Traditional and only Simplified text uses, by OpenCC's tables.

    Built once (about 60 ms): each character converted on its own line, so no phrase rule
    applies across characters.
    """
    chars = [chr(cp) for cp in range(0x3400, 0x4DC0)]
    chars += [chr(cp) for cp in range(0x4E00, 0xA000)]
    chars += [chr(cp) for cp in range(0x20000, 0x2A6E0)]
    joined = "\n".join(chars)
    simplified = opencc.OpenCC("t2s").convert(joined).split("\n")
    traditional = opencc.OpenCC("s2t").convert(joined).split("\n")
    traditional_only = {c for c, s in zip(chars, simplified, strict=True) if s != c}
    simplified_only = {c for c, t in zip(chars, traditional, strict=True) if t != c}
    both = traditional_only & simplified_only
    return frozenset(traditional_only - both), frozenset(simplified_only - both)


def _han(text: str, counts: dict[str, int], share: float) -> Detection:
    cjk = counts.get("Han", 0)
    kana = counts.get("Hiragana", 0) + counts.get("Katakana", 0)
    if counts.get("Hangul", 0) > cjk or kana * 10 >= cjk + kana:
        return Detection(None, 0.0, (), "Hangul" if counts.get("Hangul", 0) > cjk else "Han")
    traditional_only, simplified_only = _han_tables()
    traditional = simplified = 0
    for char, n in Counter(text).items():
        if char in traditional_only:
            traditional += n
        elif char in simplified_only:
            simplified += n
    weight = 0.5 + 0.5 * share
    if traditional == simplified:  # no evidence (or as much each way): unsure
        hans = hant = 0.5 * weight
    else:
        # (k + 0.5) / (n + 1): one distinguishing character gives 0.75, two give 0.83.
        hant = (traditional + 0.5) / (traditional + simplified + 1) * weight
        hans = (simplified + 0.5) / (traditional + simplified + 1) * weight
    return _decide((("zh-Hans", hans), ("zh-Hant", hant)), "Han")


# --- Latin script --------------------------------------------------------------------------


def _latin(text: str, letters: int, share: float) -> Detection:
    weight = 0.5 + 0.5 * share
    vietnamese = len(_VIETNAMESE.findall(text))
    if vietnamese >= 2 and vietnamese >= 0.15 * letters:
        return _decide((("vi", 0.97 * weight),), "Latin")
    # Letters in ordinary words: "Pro", "Max" count; "iPhone", "COVID", "S24", "5G" do not.
    # (Counted only where it can matter: a text of 60 letters is not a product name.)
    too_short = letters < 4 * MIN_WORD_LETTERS and (
        sum(len(word) for word in _WORD.findall(text) if len(word) > 1 and word[1:].islower())
        < MIN_WORD_LETTERS
    )
    candidates = _cld2(text, weight)
    lowered = text.lower()
    if _TETUM_HINT.search(lowered) is not None:
        words = _TETUM_WORD.findall(lowered)
        tetum = sum(word in _TETUM_WORDS for word in words)
        if tetum >= 2 and tetum >= 0.15 * len(words):
            others = tuple((language, 0.2 * score) for language, score in candidates)
            return _decide((("tet", 0.9 * weight), *others), "Latin", force_unsure=too_short)
    if not candidates:
        return Detection(None, 0.0, (), "Latin")
    best = max(candidates, key=lambda item: item[1])[0]
    if best in {"id", "ms"}:
        return _indonesian_or_malay(text, candidates, best, too_short)
    return _decide(candidates, "Latin", force_unsure=too_short)


def _cld2(text: str, weight: float) -> tuple[tuple[str, float], ...]:
    try:
        reliable, _, details = pycld2.detect(_CONTROL.sub(" ", text), bestEffort=True)
    except pycld2.error:  # pragma: no cover - invalid input slipped past _CONTROL
        return ()
    factor = weight if reliable else 0.7 * weight
    scores: dict[str, float] = {}
    for _name, code, percent, _score in details:
        language = _FROM_CLD2.get(code)
        if language is not None and percent:
            scores[language] = scores.get(language, 0.0) + percent / 100 * factor
    return tuple(scores.items())


def _indonesian_or_malay(
    text: str, candidates: tuple[tuple[str, float], ...], best: str, too_short: bool
) -> Detection:
    words = _MALAY_WORD.findall(text.lower())
    indonesian = sum(word in _INDONESIAN_WORDS for word in words)
    malay = sum(word in _MALAY_WORDS for word in words)
    group = max(score for language, score in candidates if language in {"id", "ms"})
    others = tuple(item for item in candidates if item[0] not in {"id", "ms"})
    spelled = "id" if indonesian > malay else "ms" if malay > indonesian else None
    # Measured on Tatoeba (2000 sentences) and the UDHR: when a differently spelled word and
    # pycld2 agree, the answer was right every time (on 15 % of Indonesian and 24 % of Malay
    # sentences); pycld2 alone was wrong on 22 % and 34 %.
    if spelled == best and not too_short:
        other = "ms" if best == "id" else "id"
        return _decide(((best, 0.9 * group), (other, 0.1 * group), *others), "Latin")
    lean = spelled or best
    other = "ms" if lean == "id" else "id"
    return _decide(((lean, 0.6 * group), (other, 0.4 * group), *others), "Latin", force_unsure=True)
