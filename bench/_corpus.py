"""A synthetic multilingual corpus of entries for the search speed benchmark.

Entries are made of real sentences from the shared data sets (UD treebanks, UDHR, Tatoeba,
khPOS, myPOS and the paragraphs of the QA tuning splits: CMRC dev, iapp valid, FacQA valid;
the other QA splits are held out for final retrieval figures and never opened), in a
language mix like the region's, with random kinds, countries, sectors, dates and about 2,000
organizations. Titles are windows of 4-12
words of a sentence; bodies are 1-4 sentences. Because the sentence pools are small (a few
hundred Lao sentences, about a thousand Malay ones), each entry also gets 0-3 synthetic names
from a Zipf-distributed list per language and sometimes a number, so the vocabulary keeps
growing with the corpus and rare terms exist at every size, as in real entries.

Each entry is analysed once, with :func:`infoharbor.text.analyze.analyze` (the function that
indexing uses), and cached under ``var/bench/corpus/`` in shards of 10,000 entries. The shards
are a pure function of (seed, shard number), so the 100k corpus is the first 10 shards of the
1M one and a second run reads everything from disk.

Shard rows are plain tuples (see :data:`FIELDS`); term lists are stored joined by spaces, which
is how both backends take them (analysed terms never contain spaces).
"""

from __future__ import annotations

import ast
import bisect
import csv
import datetime as dt
import html
import itertools
import json
import multiprocessing
import os
import pickle
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("INFOHARBOR_SHARED_DATA", ROOT.parent / "shared" / "data"))
CACHE = ROOT / "var" / "bench" / "corpus"
SHARD_SIZE = 10_000
SEED = 20261101
# Bump when the generator changes (or the analysis does: the cache is keyed by it too).
GENERATOR_VERSION = "3"  # 2: bodies by stem, body parts apart; 3: no held-out QA splits
# Every date is relative to this instant, so runs are repeatable.
NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
YEARS = 3

# The region's mix of content languages (entry share).
LANGUAGE_MIX: dict[str, float] = {
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
# Where entries in a language come from (the first country most of the time).
COUNTRIES: dict[str, tuple[str, ...]] = {
    "zh-Hans": ("CN", "SG", "MY"),
    "zh-Hant": ("CN", "SG", "MY"),
    "en": ("SG", "PH", "MY", "TH", "VN", "ID", "CN", "BN", "MM", "KH", "LA", "TL"),
    "vi": ("VN",),
    "th": ("TH",),
    "id": ("ID", "TL"),
    "ms": ("MY", "BN", "SG"),
    "fil": ("PH",),
    "km": ("KH",),
    "lo": ("LA",),
    "my": ("MM",),
}
KINDS: tuple[tuple[str, str, float], ...] = (  # kind, platform, share
    ("information.news", "information", 0.35),
    ("information.policy", "information", 0.12),
    ("trade.lead", "trade", 0.18),
    ("trade.tariff", "trade", 0.04),
    ("cooperation.offer", "cooperation", 0.08),
    ("cooperation.request", "cooperation", 0.06),
    ("culture.work", "culture", 0.10),
    ("infrastructure.cable", "infrastructure", 0.02),
    ("infrastructure.datacenter", "infrastructure", 0.03),
    ("infrastructure.exchange", "infrastructure", 0.02),
)
VISIBILITY = (("public", 0.85), ("members", 0.10), ("organization", 0.05))
ORGANIZATIONS = 2_000
NAMES_PER_LANGUAGE = 40_000
UNSPACED = {"zh-Hans", "zh-Hant", "th", "km", "lo", "my"}

# Shard rows: one tuple per entry, in this order.
FIELDS = (
    "entry_id",
    "kind",
    "platform",
    "country",
    "language",
    "organization_id",
    "visibility",
    "sectors",  # tuple of slugs
    "published_s",  # Unix seconds
    "expires_s",  # Unix seconds or None
    "title",  # analysed terms joined by spaces: words and parts, as written
    "body",  # words, by stem where stemmed
    "grams",  # no longer made (the index has none): always ""; kept for the row layout
    "folded",
    "concepts",  # tuple
    "chars",  # characters of text analysed (title + body)
    "parts",  # of the body's compounds
)


# --- Sentence pools ------------------------------------------------------------------------------


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


def _split_phrases(text: str, low: int = 40, high: int = 220) -> list[str]:
    """Thai, Lao and Khmer mark sentence ends with spaces: merge space-separated pieces."""
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


def _cmrc() -> list[str]:
    found: list[str] = []
    for name in ("cmrc2018_dev.squad.json",):
        data = json.loads((DATA / "qa-cmrc2018-zh" / name).read_text(encoding="utf-8"))
        for article in data["data"]:
            for paragraph in article["paragraphs"]:
                found.extend(_split_zh(paragraph["context"]))
    return found


def _iapp() -> list[str]:
    contexts: dict[str, str] = {}
    for name in ("valid.jsonl",):
        with (DATA / "qa-iapp-wiki-th" / name).open(encoding="utf-8") as lines:
            for line in lines:
                row = json.loads(line)
                contexts[row["article_id"]] = row["context"]
    return [s for context in contexts.values() for s in _split_phrases(context)]


def _detokenize(tokens: list[str]) -> str:
    text = " ".join(tokens)
    return re.sub(r" ([,.;:?!)%])", r"\1", re.sub(r"([(]) ", r"\1", text))


def _facqa() -> list[str]:
    passages: set[str] = set()
    for name in ("valid_preprocess.csv",):
        with (DATA / "qa-facqa-id" / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                passages.add(_detokenize(ast.literal_eval(row["passage"])))
    return sorted(passages)


def _khpos() -> list[str]:
    found = []
    for name in ("OPEN-TEST", "CLOSE-TEST"):
        for line in (DATA / "seg-khmer-khpos" / name).read_text(encoding="utf-8").splitlines():
            words = [
                token.rsplit("/", 1)[0].replace("~", "").replace("_", "") for token in line.split()
            ]
            found.append("".join(words))
    return found


def _mypos() -> list[str]:
    found = []
    for name in ("dev.txt", "otest.1k.txt"):
        for line in (DATA / "seg-burmese-mypos" / name).read_text(encoding="utf-8").splitlines():
            words = [part.rsplit("/", 1)[0] for token in line.split() for part in token.split("|")]
            found.append("".join(words))
    return found


def load_pools() -> dict[str, list[str]]:
    """Sentences per content language, deduplicated, in a stable order."""
    ud = DATA / "ud-treebanks"
    tatoeba_en = [
        sentence
        for path in sorted((DATA / "parallel-tatoeba").glob("tatoeba.*-eng.eng"))
        for sentence in _tatoeba(path.name)
    ]
    sources: dict[str, list[str]] = {
        "zh-Hans": [
            *_conllu(ud / "UD_Chinese-GSDSimp" / "zh_gsdsimp-ud-dev.conllu"),
            *_conllu(ud / "UD_Chinese-GSDSimp" / "zh_gsdsimp-ud-test.conllu"),
            *_conllu(ud / "UD_Chinese-PUD" / "zh_pud-ud-test.conllu"),
            *_cmrc(),
            *_tatoeba("tatoeba.cmn-eng.cmn"),
            *(s for p in _udhr("cmn_hans") for s in _split_zh(p)),
        ],
        "zh-Hant": [
            *_conllu(ud / "UD_Chinese-GSD" / "zh_gsd-ud-dev.conllu"),
            *_conllu(ud / "UD_Chinese-GSD" / "zh_gsd-ud-test.conllu"),
            *(s for p in _udhr("cmn_hant") for s in _split_zh(p)),
        ],
        "en": [
            *_conllu(ud / "UD_English-PUD" / "en_pud-ud-test.conllu"),
            *tatoeba_en,
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
            *_iapp(),
            *_tatoeba("tatoeba.tha-eng.tha"),
            *(s for p in _udhr("tha") for s in _split_phrases(p)),
        ],
        "id": [
            *_conllu(ud / "UD_Indonesian-GSD" / "id_gsd-ud-dev.conllu"),
            *_conllu(ud / "UD_Indonesian-GSD" / "id_gsd-ud-test.conllu"),
            *_conllu(ud / "UD_Indonesian-PUD" / "id_pud-ud-test.conllu"),
            *_facqa(),
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
            *(s for p in _udhr("khm") for s in _split_phrases(p)),
        ],
        "lo": [s for p in _udhr("lao") for s in _split_phrases(p, 20)],
        "my": [*_mypos(), *(s for p in _udhr("mya") for s in re.split(r"(?<=။)", p))],
    }
    pools = {}
    for lang, sentences in sources.items():
        seen: dict[str, None] = {}
        for sentence in sentences:
            sentence = sentence.strip()
            if len(sentence) >= 4:
                seen.setdefault(sentence, None)
        pools[lang] = list(seen)
    return pools


# --- Generation ----------------------------------------------------------------------------------


@dataclass
class Organization:
    id: int
    language: str
    country: str
    name: str
    tokens: str  # analysed, joined by spaces


@dataclass
class Pools:
    sentences: dict[str, list[str]]
    words: dict[str, list[list[str]]]  # per sentence, its words (for titles)
    names: dict[str, list[str]]
    name_weights: list[float]  # cumulative Zipf weights for NAMES_PER_LANGUAGE names
    organizations: list[Organization]
    organization_weights: list[float]  # cumulative
    sectors: list[str]


def _cumulative(weights: list[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _pick(rng: random.Random, table: dict[str, float]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


def _clusters(text: str) -> list[str]:
    import regex

    return regex.findall(r"\X", text)


_SCRIPTS = {
    "zh-Hans": r"\p{Han}",
    "zh-Hant": r"\p{Han}",
    "th": r"\p{Thai}",
    "lo": r"\p{Lao}",
    "km": r"\p{Khmer}",
    "my": r"\p{Myanmar}",
}


def _make_names(lang: str, sentences: list[str], rng: random.Random) -> list[str]:
    """Synthetic proper names that look like the language's script."""
    names: dict[str, None] = {}
    if lang in UNSPACED:
        import regex

        script = regex.compile(_SCRIPTS[lang])
        units = [c for s in sentences[:3000] for c in _clusters(s) if script.match(c)]
        while len(names) < NAMES_PER_LANGUAGE:
            names.setdefault("".join(rng.choice(units) for _ in range(rng.randint(2, 4))), None)
    else:
        words = sorted(
            {w for s in sentences for w in s.split() if w.isalpha() and len(w) >= 4},
        )
        while len(names) < NAMES_PER_LANGUAGE:
            a, b = rng.choice(words), rng.choice(words)
            name = a[: rng.randint(2, 4)] + b[-rng.randint(2, 4) :]
            names.setdefault(name.capitalize(), None)
    return list(names)


def build_pools(seed: int = SEED) -> Pools:
    """Everything entries are drawn from; deterministic for a seed."""
    from infoharbor.text.analyze import analyze
    from infoharbor.text.segment import segment

    sentences = load_pools()
    rng = random.Random(seed)
    words = {}
    for lang, pool in sentences.items():
        words[lang] = [[s[span.start : span.end] for span in segment(s, lang)] for s in pool]
    names = {lang: _make_names(lang, pool, rng) for lang, pool in sentences.items()}
    name_weights = _cumulative([1.0 / (rank + 1) ** 1.05 for rank in range(NAMES_PER_LANGUAGE)])
    suffixes = {
        "en": ["Ltd", "Ministry", "Institute", "Agency", "Trading", "University", "Council"],
        "id": ["PT", "Kementerian", "Badan", "Universitas", "Dinas"],
        "ms": ["Sdn Bhd", "Kementerian", "Jabatan", "Universiti"],
        "fil": ["Kagawaran", "Kompanya", "Pamantasan"],
        "vi": ["Công ty", "Bộ", "Viện", "Trường Đại học"],
        "zh-Hans": ["有限公司", "部", "研究院", "大学", "协会"],
        "zh-Hant": ["有限公司", "部", "研究院", "大學", "協會"],
        "th": ["บริษัท", "กระทรวง", "มหาวิทยาลัย", "สถาบัน"],
        "lo": ["ກະຊວງ", "ບໍລິສັດ", "ມະຫາວິທະຍາໄລ"],
        "km": ["ក្រសួង", "ក្រុមហ៊ុន", "សាកលវិទ្យាល័យ"],
        "my": ["ဝန်ကြီးဌာန", "ကုမ္ပဏီ", "တက္ကသိုလ်"],
    }
    organizations = []
    for pk in range(1, ORGANIZATIONS + 1):
        lang = _pick(rng, LANGUAGE_MIX)
        country = _country(rng, lang)
        name = rng.choice(names[lang][:5000])
        joiner = "" if lang in UNSPACED - {"th", "lo", "km", "my"} else " "
        full = joiner.join([name, rng.choice(suffixes[lang])])
        organizations.append(
            Organization(pk, lang, country, full, " ".join(analyze(full, None).tokens))
        )
    organization_weights = _cumulative([1.0 / (rank + 1) ** 0.8 for rank in range(ORGANIZATIONS)])
    sectors = json.loads((ROOT / "src/infoharbor/core/data/sectors.json").read_text())
    return Pools(
        sentences,
        words,
        names,
        name_weights,
        organizations,
        organization_weights,
        [sector["slug"] for sector in sectors],
    )


def _country(rng: random.Random, lang: str) -> str:
    choices = COUNTRIES[lang]
    return choices[0] if rng.random() < 0.8 or len(choices) == 1 else rng.choice(choices[1:])


def _name(rng: random.Random, pools: Pools, lang: str) -> str:
    i = bisect.bisect(pools.name_weights, rng.random() * pools.name_weights[-1])
    return pools.names[lang][min(i, NAMES_PER_LANGUAGE - 1)]


def _number(rng: random.Random) -> str:
    return rng.choice(
        [
            str(rng.randint(2000, 2027)),
            f"{rng.randint(1, 999)},{rng.randint(0, 999):03d}",
            f"{rng.randint(1, 99)}.{rng.randint(0, 9)}%",
            f"{rng.randint(1, 999)}/{rng.randint(2020, 2026)}",
        ]
    )


@dataclass
class RawEntry:
    entry_id: int
    language: str
    title: str
    body: str
    kind: str
    platform: str
    country: str
    organization_id: int
    visibility: str
    sectors: tuple[str, ...]
    published: dt.datetime
    expires: dt.datetime | None
    # How the text was made: (title sentence, first word, words, (word position, extra) or
    # None, ((body sentence, (extra, ...)), ...)); what _Composer assembles analyses from.
    recipe: tuple = ()


def generate_shard(pools: Pools, shard: int, seed: int = SEED) -> Iterator[RawEntry]:
    rng = random.Random(seed * 1000 + shard)
    kinds = [(k, p) for k, p, _w in KINDS]
    kind_weights = [w for _k, _p, w in KINDS]
    visibilities = [v for v, _w in VISIBILITY]
    visibility_weights = [w for _v, w in VISIBILITY]
    span = YEARS * 365 * 86400
    for entry_id in range(shard * SHARD_SIZE + 1, (shard + 1) * SHARD_SIZE + 1):
        i = bisect.bisect(pools.organization_weights, rng.random() * pools.organization_weights[-1])
        organization = pools.organizations[min(i, ORGANIZATIONS - 1)]
        lang = organization.language if rng.random() < 0.85 else _pick(rng, LANGUAGE_MIX)
        joiner = "" if lang in {"zh-Hans", "zh-Hant"} else " "
        pool = pools.sentences[lang]
        # Title: a window of 4-12 words of a sentence, sometimes with a name or a number.
        source = rng.randrange(len(pool))
        words = pools.words[lang][source]
        size = rng.randint(4, 12)
        start = rng.randrange(max(len(words) - size, 0) + 1)
        title_words = list(words[start : start + size])
        window = len(title_words)
        body_extras = []
        title_extra = None
        for n in range(rng.choices((0, 1, 2, 3), weights=(0.25, 0.4, 0.25, 0.1))[0]):
            extra = _number(rng) if rng.random() < 0.2 else _name(rng, pools, lang)
            if n == 0 and rng.random() < 0.5:
                at = rng.randrange(len(title_words) + 1)
                title_words.insert(at, extra)
                title_extra = (at, extra)
            else:
                body_extras.append(extra)
        title = (" " if lang not in UNSPACED else "").join(title_words)
        count = rng.choices((1, 2, 3, 4), weights=(0.3, 0.35, 0.2, 0.15))[0]
        chosen = [rng.randrange(len(pool)) for _ in range(count)]
        body_sentences = [pool[i] for i in chosen]
        appended: list[list[str]] = [[] for _ in chosen]
        for extra in body_extras:
            at = rng.randrange(len(body_sentences))
            body_sentences[at] = f"{body_sentences[at]} {extra}"
            appended[at].append(extra)
        body = joiner.join(body_sentences)
        recipe = (
            source,
            start,
            window,
            title_extra,
            tuple((i, tuple(e)) for i, e in zip(chosen, appended, strict=True)),
        )
        kind, platform = rng.choices(kinds, weights=kind_weights)[0]
        published = NOW - dt.timedelta(seconds=rng.randrange(span))
        expires = (
            published + dt.timedelta(days=rng.randint(30, 400)) if rng.random() < 0.3 else None
        )
        yield RawEntry(
            entry_id=entry_id,
            language=lang,
            title=title,
            body=body,
            kind=kind,
            platform=platform,
            country=organization.country if rng.random() < 0.9 else _country(rng, lang),
            organization_id=organization.id,
            visibility=rng.choices(visibilities, weights=visibility_weights)[0],
            sectors=tuple(sorted(set(rng.sample(pools.sectors, rng.randint(1, 3))))),
            published=published,
            expires=expires,
            recipe=recipe,
        )


# --- Analysis and the cache ----------------------------------------------------------------------


def _shard_path(shard: int) -> Path:
    return CACHE / f"v{GENERATOR_VERSION}-s{SEED}" / f"shard-{shard:04d}.pkl"


def _pools_path() -> Path:
    return CACHE / f"v{GENERATOR_VERSION}-s{SEED}" / "pools.pkl"


_POOLS: Pools | None = None
_COMPOSER: _Composer | None = None
# The first 100,000 entries are analysed whole, entry by entry (that is where the analysis
# throughput comes from). The rest are assembled from analyses of their pieces, each sentence,
# name and number analysed once (see _Composer): analysing 900,000 more entries whole takes
# over an hour on this shared 2-core machine and would measure nothing new.
WHOLE_SHARDS = 10


class _Composer:
    """An entry's analysis assembled from the analyses of the pieces it was made of."""

    def __init__(self, pools: Pools) -> None:
        self.pools = pools
        self.sentences: dict[tuple[str, int], tuple[Any, list[Any]]] = {}
        self.extras: dict[tuple[str, str], Any] = {}

    def _sentence(self, lang: str, index: int) -> tuple[Any, list[Any]]:
        from infoharbor.text.analyze import analyze
        from infoharbor.text.segment import segment

        found = self.sentences.get((lang, index))
        if found is None:
            text = self.pools.sentences[lang][index]
            found = self.sentences[(lang, index)] = (analyze(text, lang), segment(text, lang))
        return found

    def _extra(self, lang: str, text: str) -> Any:
        from infoharbor.text.analyze import analyze

        found = self.extras.get((lang, text))
        if found is None:
            found = self.extras[(lang, text)] = analyze(text, lang)
        return found

    def analyse(self, entry: RawEntry) -> tuple[Any, Any]:
        from infoharbor.text.analyze import Analyzed

        lang = entry.language
        source, start, window, title_extra, body = entry.recipe
        analysed, spans = self._sentence(lang, source)
        words = spans[start : start + window]
        low, high = (words[0].start, words[-1].end) if words else (0, 0)
        terms = [t for t in analysed.terms if t.start >= low and t.end <= high]
        if title_extra is not None:
            at, extra = title_extra
            cut = words[at].start if at < len(words) else high
            before = [t for t in terms if t.start < cut]
            after = [t for t in terms if t.start >= cut]
            terms = [*before, *self._extra(lang, extra).terms, *after]
        title = Analyzed.from_terms(terms)
        body_terms: list[Any] = []
        for index, extras in body:
            analysed, _spans = self._sentence(lang, index)
            body_terms += analysed.terms
            for extra in extras:
                body_terms += self._extra(lang, extra).terms
        return title, Analyzed.from_terms(body_terms)


def composition_check(shard: int = WHOLE_SHARDS) -> dict[str, float]:
    """How closely assembled analyses match whole-entry ones, on a shard analysed whole."""
    composer = _Composer(pools())
    with _shard_path(shard).open("rb") as handle:
        whole = pickle.load(handle)["rows"]  # noqa: S301 (our own cache file)
    same_tokens = 0
    overlap: list[float] = []
    for row, entry in zip(whole, generate_shard(composer.pools, shard), strict=True):
        title, body = composer.analyse(entry)
        tokens = f"{' '.join(title.tokens)} {' '.join(body.stemmed)}".split()
        expected = f"{row[10]} {row[11]}".split()
        same_tokens += tokens == expected
        a, b = Counter(tokens), Counter(expected)
        overlap.append(sum((a & b).values()) / max(sum((a | b).values()), 1))
    return {
        "entries": len(whole),
        "identical_terms": same_tokens / len(whole),
        "mean_term_overlap": sum(overlap) / len(overlap),
    }


def _analyse_shard(shard: int) -> dict[str, float]:
    """Generate and analyse one shard, write it, and return its statistics."""
    from infoharbor.text.analyze import analyze

    assert _POOLS is not None
    rows = []
    df: Counter[str] = Counter()
    chars = 0
    started_cpu = time.process_time()
    started = time.perf_counter()
    analyse_seconds = 0.0
    analyse_cpu_seconds = 0.0
    global _COMPOSER
    composer = None
    if shard >= WHOLE_SHARDS:
        composer = _COMPOSER = _COMPOSER or _Composer(_POOLS)  # kept: its memo grows
    for entry in generate_shard(_POOLS, shard):
        t0 = time.perf_counter()
        c0 = time.process_time()
        if composer is None:
            title = analyze(entry.title, entry.language)
            body = analyze(entry.body, entry.language)
        else:
            title, body = composer.analyse(entry)
        analyse_cpu_seconds += time.process_time() - c0
        analyse_seconds += time.perf_counter() - t0
        # The fields as infoharbor.search.documents.add_text fills them.
        title_tokens = title.tokens
        body_tokens = body.stemmed
        df.update(set(title_tokens) | set(body_tokens))
        n = len(entry.title) + len(entry.body)
        chars += n
        rows.append(
            (
                entry.entry_id,
                entry.kind,
                entry.platform,
                entry.country,
                entry.language,
                entry.organization_id,
                entry.visibility,
                entry.sectors,
                int(entry.published.timestamp()),
                int(entry.expires.timestamp()) if entry.expires else None,
                " ".join(title_tokens),
                " ".join(body_tokens),
                "",
                " ".join(title.folded + body.folded),
                (f"country:{entry.country}", *(f"sector:{s}" for s in entry.sectors)),
                n,
                " ".join(body.parts),
            )
        )
    path = _shard_path(shard)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as handle:
        pickle.dump({"rows": rows, "df": dict(df)}, handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return {
        "shard": shard,
        "whole": composer is None,
        "docs": len(rows),
        "chars": chars,
        "analyse_seconds": analyse_seconds,
        "analyse_cpu_seconds": analyse_cpu_seconds,
        "cpu_seconds": time.process_time() - started_cpu,
        "seconds": time.perf_counter() - started,
    }


def _init_worker() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "infoharbor.settings")


def ensure(size: int, workers: int = 2, log=print) -> dict[str, object]:
    """Make sure the first ``size`` entries are analysed and cached; statistics of the work done.

    Shards already on disk are reused (their analysis statistics were saved beside them)."""
    global _POOLS
    shards = (size + SHARD_SIZE - 1) // SHARD_SIZE
    _shard_path(0).parent.mkdir(parents=True, exist_ok=True)
    stats_path = _shard_path(0).parent / "stats.json"
    stats: dict[str, dict[str, float]] = (
        json.loads(stats_path.read_text()) if stats_path.exists() else {}
    )
    missing = [s for s in range(shards) if not _shard_path(s).exists() or str(s) not in stats]
    if missing:
        pools_path = _pools_path()
        if pools_path.exists():
            _POOLS = pools()
        else:
            started = time.perf_counter()
            _POOLS = build_pools()
            with pools_path.open("wb") as handle:
                pickle.dump(_POOLS, handle, protocol=pickle.HIGHEST_PROTOCOL)
            log(f"  sentence pools and names built in {time.perf_counter() - started:.1f} s")
        # Load every model in the parent once, so forked workers share it.
        from infoharbor.text.analyze import analyze

        for lang, pool in _POOLS.sentences.items():
            analyze(pool[0], lang)
        log(f"  analysing {len(missing)} shards of {SHARD_SIZE:,} entries with {workers} workers")
        started = time.perf_counter()
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=_init_worker) as pool:
            for done, result in enumerate(pool.imap_unordered(_analyse_shard, missing), 1):
                stats[str(result["shard"])] = result
                stats_path.write_text(json.dumps(stats))
                if done % 5 == 0 or done == len(missing):
                    elapsed = time.perf_counter() - started
                    log(f"    {done}/{len(missing)} shards, {elapsed:.0f} s")
        wall = time.perf_counter() - started
    else:
        wall = None
    # Throughput from the entries analysed whole (the first 100,000 at most).
    used = [stats[str(s)] for s in range(min(shards, WHOLE_SHARDS))]
    docs = sum(u["docs"] for u in used)
    chars = sum(u["chars"] for u in used)
    analyse = sum(u["analyse_cpu_seconds"] for u in used)
    analyse_wall = sum(u["analyse_seconds"] for u in used)
    check_path = stats_path.parent / "composition.json"
    if shards > WHOLE_SHARDS and not check_path.exists() and _shard_path(WHOLE_SHARDS).exists():
        log("  checking assembled analyses against whole ones")
        check_path.write_text(json.dumps(composition_check()))
    return {
        "whole_entries": docs,
        "assembled_entries": max(size - WHOLE_SHARDS * SHARD_SIZE, 0),
        "composition_check": json.loads(check_path.read_text()) if check_path.exists() else None,
        "docs": docs,
        "chars": chars,
        "analyse_cpu_seconds": analyse,
        "analyse_wall_seconds_summed_over_workers": analyse_wall,
        # Per core: CPU time of analyze() alone (the machine is shared; wall time is not).
        "docs_per_s_per_core": docs / analyse,
        "chars_per_s_per_core": chars / analyse,
        "workers": workers,
        "wall_seconds_this_run": wall,
        "shards_analysed_this_run": len(missing),
    }


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> object:
        # Pools pickled by ``python bench/_corpus.py`` name their classes in ``__main__``.
        if module == "__main__":
            module = __name__
        return super().find_class(module, name)


def pools() -> Pools:
    with _pools_path().open("rb") as handle:
        return _Unpickler(handle).load()


def shards(size: int) -> Iterator[tuple[list[tuple], dict[str, int]]]:
    """(rows, document frequencies) of each cached shard of the first ``size`` entries."""
    for shard in range((size + SHARD_SIZE - 1) // SHARD_SIZE):
        with _shard_path(shard).open("rb") as handle:
            data = pickle.load(handle)  # noqa: S301 (our own cache file)
        rows = data["rows"]
        keep = size - shard * SHARD_SIZE
        yield rows[:keep], data["df"]


if __name__ == "__main__":  # python bench/_corpus.py 100000: build the cache only
    sys.path.insert(0, str(ROOT / "bench"))
    import _corpus

    print(_corpus.ensure(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
