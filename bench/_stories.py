"""A stream of news-like items with known near-duplicates, for ``bench/clustering.py``.

Stories are made of real sentences from the shared data (UD treebanks, UDHR, Tatoeba, the
*tuning* splits of the QA sets only: CMRC 2018 dev, iapp-wiki-qa valid, FacQA valid; khPOS and
myPOS read in place, never copied), in the region's language mix (``bench/_corpus.py``). A story
is 4-8 sentences of one language in paragraphs of 1-3 sentences. A story's sentence is the
first half of one real sentence and the second half of another (cut at the space nearest the
middle or, for Chinese and sentences without spaces, at the middle character; sentences
longer than 200 characters are first cut at clause ends). The pools hold a few hundred (Lao)
to eleven thousand (Chinese) sentences, and a million items drawing whole sentences from them
would make thousands of different stories share most of their sentences, i.e. be
near-duplicates by content while the truth says they are not. Halves give each language N^2
sentences, so different stories share next to nothing by chance, and the text is still the
language's own words. Every item is published
by an *outlet*, which wraps it in its template: a header (the outlet's name and a fixed tagline
sentence) and a footer (a fixed sentence, a copyright line and, for half of the outlets, the
WordPress line "The post <first words> appeared first on <outlet>."). The templates are real
sentences too, as long as a short story, so two different stories of one outlet share a lot:
those are the hard negatives.

An item is a new story (70 %) or a *republication* of one of the 2,000 latest stories of its
language (30 %): by another outlet (80 %; its own otherwise), with each of these perturbations
applied independently (the perturbation names are what the benchmark reports recall by):

- ``edit``: 1-3 words replaced or deleted in 1-2 sentences (for scripts without spaces, runs of
  1-3 grapheme clusters replaced by clusters from another sentence) (p = 0.5);
- ``reorder``: the paragraphs shuffled (the sentences, when there is one paragraph) (p = 0.3);
- ``truncate``: the last sentence dropped, when at least 4 remain (p = 0.3);
- ``addition``: an editor's sentence inserted at random (p = 0.2);
- ``surface``: Simplified <-> Traditional Chinese (OpenCC), Vietnamese without diacritics,
  otherwise upper-cased headline words, quotes and line breaks changed (p = 0.3);
- ``frame``: always: another outlet's header and footer, or the same outlet's re-post.

The stream is a pure function of the seed and the item number's order, so two runs (and the
100k prefix of the 1M stream) see the same items.
"""

from __future__ import annotations

import ast
import csv
import html
import json
import os
import random
import re
import unicodedata
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("INFOHARBOR_SHARED_DATA", ROOT.parent / "shared" / "data"))
SEED = 20261104

LANGUAGE_MIX: dict[str, float] = {  # as bench/_corpus.py
    "zh-Hans": 0.24,
    "zh-Hant": 0.04,
    "en": 0.20,
    "vi": 0.12,
    "th": 0.10,
    "id": 0.12,
    "ms": 0.06,
    "fil": 0.05,
    "km": 0.03,
    "lo": 0.01,
    "my": 0.03,
}
UNSPACED = {"zh-Hans", "zh-Hant", "th", "km", "lo", "my"}
MIN_SENTENCE, MAX_SENTENCE = 12, 200
STORY_SENTENCES = (4, 8)
REPUBLISH_SHARE = 0.3
RECENT_STORIES = 2000
PERTURBATIONS = ("edit", "reorder", "truncate", "addition", "surface")
PROBABILITY = {"edit": 0.5, "reorder": 0.3, "truncate": 0.3, "addition": 0.2, "surface": 0.3}


# --- Sentence pools (tuning splits only) ---------------------------------------------------------


def _conllu(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as lines:
        return [line[9:].strip() for line in lines if line.startswith("# text = ")]


def _udhr(name: str) -> list[str]:
    text = (DATA / "parallel-udhr" / f"udhr_{name}.xml").read_text(encoding="utf-8")
    found = re.findall(r"<(?:para|title)>(.*?)</(?:para|title)>", text, flags=re.S)
    return [html.unescape(re.sub(r"\s+", " ", part)).strip() for part in found]


def _tatoeba(name: str) -> list[str]:
    path = DATA / "parallel-tatoeba" / name
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]


def _phrases(text: str, low: int = 40, high: int = 240) -> list[str]:
    """Thai, Lao and Khmer put spaces between phrases, not words: merge them to sentences."""
    pieces, current = [], ""
    for piece in text.split():
        current = f"{current} {piece}" if current else piece
        if len(current) >= low:
            pieces.append(current[:high])
            current = ""
    if current:
        pieces.append(current)
    return pieces


def _split_zh(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[。！？])", text) if s.strip()]


def _cmrc_dev() -> list[str]:
    data = json.loads((DATA / "qa-cmrc2018-zh" / "cmrc2018_dev.squad.json").read_text("utf-8"))
    return [
        s
        for article in data["data"]
        for paragraph in article["paragraphs"]
        for s in _split_zh(paragraph["context"])
    ]


def _iapp_valid() -> list[str]:
    contexts: dict[str, str] = {}
    with (DATA / "qa-iapp-wiki-th" / "valid.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            contexts[row["article_id"]] = row["context"]
    return [s for context in contexts.values() for s in _phrases(context)]


def _facqa_valid() -> list[str]:
    passages: dict[str, None] = {}
    with (DATA / "qa-facqa-id" / "valid_preprocess.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            text = " ".join(ast.literal_eval(row["passage"]))
            text = re.sub(r" ([,.;:?!)%])", r"\1", re.sub(r"([(]) ", r"\1", text))
            passages.setdefault(text, None)
    return [s for p in passages for s in re.split(r"(?<=[.!?]) ", p)]


def _khpos() -> list[str]:
    found = []
    for name in ("OPEN-TEST", "CLOSE-TEST"):
        for line in (DATA / "seg-khmer-khpos" / name).read_text(encoding="utf-8").splitlines():
            words = [t.rsplit("/", 1)[0].replace("~", "").replace("_", "") for t in line.split()]
            found.append("".join(words))
    return found


def _mypos() -> list[str]:
    found = []
    for name in ("dev.txt", "otest.1k.txt"):
        for line in (DATA / "seg-burmese-mypos" / name).read_text(encoding="utf-8").splitlines():
            words = [part.rsplit("/", 1)[0] for token in line.split() for part in token.split("|")]
            found.append("".join(words))
    return found


def load_sentences() -> dict[str, list[str]]:
    """Sentences per content language, deduplicated, in a stable order."""
    ud = DATA / "ud-treebanks"
    sources: dict[str, list[str]] = {
        "zh-Hans": [
            *_conllu(ud / "UD_Chinese-GSDSimp" / "zh_gsdsimp-ud-dev.conllu"),
            *_conllu(ud / "UD_Chinese-GSDSimp" / "zh_gsdsimp-ud-test.conllu"),
            *_conllu(ud / "UD_Chinese-PUD" / "zh_pud-ud-test.conllu"),
            *_cmrc_dev(),
            *(s for p in _udhr("cmn_hans") for s in _split_zh(p)),
        ],
        "zh-Hant": [
            *_conllu(ud / "UD_Chinese-GSD" / "zh_gsd-ud-dev.conllu"),
            *_conllu(ud / "UD_Chinese-GSD" / "zh_gsd-ud-test.conllu"),
            *(s for p in _udhr("cmn_hant") for s in _split_zh(p)),
        ],
        "en": [
            *_conllu(ud / "UD_English-PUD" / "en_pud-ud-test.conllu"),
            *(
                s
                for p in sorted((DATA / "parallel-tatoeba").glob("*-eng.eng"))
                for s in _tatoeba(p.name)
            ),
            *_udhr("eng"),
        ],
        "vi": [
            *_conllu(ud / "UD_Vietnamese-VTB" / "vi_vtb-ud-dev.conllu"),
            *_conllu(ud / "UD_Vietnamese-VTB" / "vi_vtb-ud-test.conllu"),
            *_tatoeba("tatoeba.vie-eng.vie"),
            *_udhr("vie"),
        ],
        "th": [
            *_conllu(ud / "UD_Thai-PUD" / "th_pud-ud-test.conllu"),
            *_iapp_valid(),
            *_tatoeba("tatoeba.tha-eng.tha"),
            *(s for p in _udhr("tha") for s in _phrases(p)),
        ],
        "id": [
            *_conllu(ud / "UD_Indonesian-GSD" / "id_gsd-ud-dev.conllu"),
            *_conllu(ud / "UD_Indonesian-GSD" / "id_gsd-ud-test.conllu"),
            *_conllu(ud / "UD_Indonesian-PUD" / "id_pud-ud-test.conllu"),
            *_facqa_valid(),
            *_tatoeba("tatoeba.ind-eng.ind"),
            *_udhr("ind"),
        ],
        "ms": [*_tatoeba("tatoeba.zsm-eng.zsm"), *_udhr("mly_latn")],
        "fil": [
            *_conllu(ud / "UD_Tagalog-TRG" / "tl_trg-ud-test.conllu"),
            *_conllu(ud / "UD_Tagalog-Ugnayan" / "tl_ugnayan-ud-test.conllu"),
            *_tatoeba("tatoeba.tgl-eng.tgl"),
            *_udhr("tgl"),
        ],
        "km": [
            *_khpos(),
            *_tatoeba("tatoeba.khm-eng.khm"),
            *(s for p in _udhr("khm") for s in _phrases(p)),
        ],
        "lo": [s for p in _udhr("lao") for s in _phrases(p, 30)],
        "my": [*_mypos(), *(s for p in _udhr("mya") for s in re.split(r"(?<=။)", p))],
    }
    pools = {}
    for lang, sentences in sources.items():
        seen: dict[str, None] = {}
        for sentence in sentences:
            for piece in _pieces(sentence.strip(), lang):
                if len(piece) >= MIN_SENTENCE:
                    seen.setdefault(piece, None)
        pools[lang] = list(seen)
    return pools


def _pieces(sentence: str, lang: str) -> list[str]:
    """A long sentence (a UDHR article, a Wikipedia paragraph) cut at clause ends, so that no
    sentence outweighs the rest of a story: two different stories that shared a 600-character
    sentence would be near-duplicates by content, and the truth of the benchmark would lie."""
    if len(sentence) <= MAX_SENTENCE:
        return [sentence]
    clause = r"(?<=[。；，;,])" if lang in {"zh-Hans", "zh-Hant"} else r"(?<=[.;:,။])\s*|\s+"
    pieces, current = [], ""
    for part in re.split(clause, sentence):
        if current and len(current) + len(part) > MAX_SENTENCE:
            pieces.append(current.strip())
            current = ""
        current += part if lang in {"zh-Hans", "zh-Hant", "my"} else f" {part}"
    pieces.append(current.strip())
    return [piece[:MAX_SENTENCE] for piece in pieces]


# --- Outlets and stories -------------------------------------------------------------------------

_CLUSTER = regex.compile(r"\X")


@dataclass
class Outlet:
    key: int
    lang: str
    name: str
    tagline: str
    footer: str
    wordpress: bool

    def frame(self, story: str, title: str) -> str:
        parts = [f"{self.name} — {self.tagline}", story, f"{self.footer} © 2026 {self.name}."]
        if self.wordpress:
            parts.append(f"The post {title} appeared first on {self.name}.")
        return "\n\n".join(parts)


@dataclass(frozen=True)
class Item:
    id: int
    lang: str
    outlet: int
    story: int  # ground truth: items of one story are near-duplicates
    perturbations: tuple[str, ...]  # () for the first publication
    text: str


@dataclass
class _Story:
    key: int
    lang: str
    sentences: list[str]
    outlet: int


@dataclass
class Stream:
    """The item generator; iterate :meth:`items`. Deterministic for a seed."""

    seed: int = SEED
    outlets_per_language: int = 40
    pools: dict[str, list[str]] = field(default_factory=dict)
    outlets: dict[str, list[Outlet]] = field(default_factory=dict)
    halves: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        sentences = load_sentences()
        key = 0
        for lang, pool in sentences.items():
            pool = pool[:]
            rng.shuffle(pool)
            count = min(self.outlets_per_language, len(pool) // 30)
            outlets = []
            for _ in range(count):
                name = _name(rng, lang, pool)
                outlets.append(Outlet(key, lang, name, pool.pop(), pool.pop(), rng.random() < 0.5))
                key += 1
            self.outlets[lang] = outlets
            self.pools[lang] = pool
            self.halves[lang] = _halves(pool, lang)

    def sample(self, outlet: Outlet, count: int, seed: int) -> list[str]:
        """Texts of ``count`` other stories of ``outlet``: the history boilerplate is learned on."""
        rng = random.Random(f"{self.seed}-{seed}-{outlet.key}")
        return [
            outlet.frame(
                *_render(
                    self._new_story(rng, outlet.lang, -1, outlet.key).sentences, outlet.lang, rng
                )
            )
            for _ in range(count)
        ]

    def _new_story(self, rng: random.Random, lang: str, key: int, outlet: int) -> _Story:
        low, high = STORY_SENTENCES
        count = min(high, max(low, int(rng.expovariate(1 / 5))))
        firsts, seconds = self.halves[lang]
        sentences = [rng.choice(firsts) + rng.choice(seconds) for _ in range(count)]
        return _Story(key, lang, sentences, outlet)

    def items(self, count: int) -> Iterator[Item]:
        rng = random.Random(self.seed)
        langs, weights = list(LANGUAGE_MIX), list(LANGUAGE_MIX.values())
        recent: dict[str, deque[_Story]] = {lang: deque(maxlen=RECENT_STORIES) for lang in langs}
        stories = 0
        for item in range(count):
            lang = rng.choices(langs, weights)[0]
            outlets = self.outlets[lang]
            if recent[lang] and rng.random() < REPUBLISH_SHARE:
                story = rng.choice(recent[lang])
                outlet = story.outlet if rng.random() < 0.2 else rng.choice(outlets).key
                applied = tuple(p for p in PERTURBATIONS if rng.random() < PROBABILITY[p])
                sentences = self._perturb(rng, story, applied)
                yield Item(
                    item,
                    lang,
                    outlet,
                    story.key,
                    ("frame", *applied),
                    self._text(rng, sentences, lang, outlet, applied),
                )
                continue
            outlet = rng.choice(outlets).key
            story = self._new_story(rng, lang, stories, outlet)
            stories += 1
            recent[lang].append(story)
            yield Item(
                item,
                lang,
                outlet,
                story.key,
                (),
                self._text(rng, story.sentences, lang, outlet, ()),
            )

    def _outlet(self, lang: str, key: int) -> Outlet:
        return next(o for o in self.outlets[lang] if o.key == key)

    def _text(
        self,
        rng: random.Random,
        sentences: list[str],
        lang: str,
        outlet: int,
        applied: tuple[str, ...],
    ) -> str:
        body, title = _render(sentences, lang, rng)
        if "surface" in applied:
            body = _surface(body, lang)
        return self._outlet(lang, outlet).frame(body, title)

    def _perturb(self, rng: random.Random, story: _Story, applied: tuple[str, ...]) -> list[str]:
        sentences = story.sentences[:]
        lang = story.lang
        if "edit" in applied:
            for index in rng.sample(range(len(sentences)), min(len(sentences), rng.randint(1, 2))):
                sentences[index] = _edit(rng, sentences[index], lang, self.pools[lang])
        if "reorder" in applied:
            rng.shuffle(sentences)
        if "truncate" in applied and len(sentences) >= 5:
            sentences.pop()
        if "addition" in applied:
            sentences.insert(rng.randrange(len(sentences) + 1), rng.choice(self.pools[lang]))
        return sentences


def _halves(pool: list[str], lang: str) -> tuple[list[str], list[str]]:
    """Each sentence cut in two, at the space nearest the middle (the first half keeps it), or
    at the middle grapheme cluster when it has no space (Chinese, Burmese, Khmer's khPOS)."""
    firsts, seconds = [], []
    for sentence in pool:
        words = sentence.split(" ")
        if len(words) >= 2 and lang not in {"zh-Hans", "zh-Hant"}:
            middle = len(words) // 2
            first, second = " ".join(words[:middle]) + " ", " ".join(words[middle:])
        else:
            clusters = _CLUSTER.findall(sentence)
            middle = len(clusters) // 2
            first, second = "".join(clusters[:middle]), "".join(clusters[middle:])
        if first.strip() and second.strip():
            firsts.append(first)
            seconds.append(second)
    return firsts, seconds


def _render(sentences: list[str], lang: str, rng: random.Random) -> tuple[str, str]:
    """Paragraphs of 1-3 sentences, and a title (the first words of the first sentence)."""
    joiner = "" if lang in {"zh-Hans", "zh-Hant"} else " "
    paragraphs, i = [], 0
    while i < len(sentences):
        step = rng.randint(1, 3)
        paragraphs.append(joiner.join(sentences[i : i + step]))
        i += step
    first = sentences[0]
    title = (
        "".join(_CLUSTER.findall(first)[:12]) if lang in UNSPACED else " ".join(first.split()[:6])
    )
    return "\n\n".join(paragraphs), title


def _name(rng: random.Random, lang: str, pool: list[str]) -> str:
    if lang in UNSPACED:
        clusters = [c for s in rng.sample(pool, 5) for c in _CLUSTER.findall(s) if c.strip()]
        return "".join(rng.sample(clusters, 4))
    words = [w for s in rng.sample(pool, 10) for w in s.split() if w.isalpha() and len(w) > 3]
    return " ".join(w.capitalize() for w in rng.sample(words, 2)) + " News"


def _edit(rng: random.Random, sentence: str, lang: str, pool: list[str]) -> str:
    if lang in UNSPACED:
        clusters = _CLUSTER.findall(sentence)
        for _ in range(rng.randint(1, 3)):
            if len(clusters) < 6:
                break
            donor = _CLUSTER.findall(rng.choice(pool))
            width = rng.randint(1, 3)
            at, take = (
                rng.randrange(len(clusters) - width),
                rng.randrange(max(1, len(donor) - width)),
            )
            clusters[at : at + width] = donor[take : take + width]
        return "".join(clusters)
    words = sentence.split()
    for _ in range(rng.randint(1, 3)):
        if len(words) < 4:
            break
        at = rng.randrange(len(words))
        if rng.random() < 0.3:
            del words[at]
        else:
            words[at] = rng.choice(rng.choice(pool).split())
    return " ".join(words)


_OPENCC: dict[str, object] = {}


def _surface(body: str, lang: str) -> str:
    if lang in {"zh-Hans", "zh-Hant"}:
        import opencc

        config = "s2t" if lang == "zh-Hans" else "t2s"
        converter = _OPENCC.setdefault(config, opencc.OpenCC(f"{config}.json"))
        return converter.convert(body)  # type: ignore[attr-defined,no-any-return]
    if lang == "vi":
        stripped = "".join(
            c for c in unicodedata.normalize("NFD", body) if not unicodedata.combining(c)
        )
        return stripped.replace("đ", "d").replace("Đ", "D")
    first, _, rest = body.partition("\n\n")
    return first.upper() + " " + rest.replace("\n\n", "\n").replace('"', "“")
