"""Near-duplicate detection: a republished story joins its cluster, a different one does not.

The stories are UDHR articles in eleven languages (tests/text/fixtures/fingerprint, so these run
without ../shared); the news documents of the UD PUD treebanks are used where ../shared exists.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from pathlib import Path

import burmesenlp
import opencc
import pytest
import regex

from infoharbor.text.fingerprint import (
    MIN_SHINGLES,
    THRESHOLD,
    Fingerprint,
    StoryClusterer,
    cluster_items,
    fingerprint,
    learn_boilerplate,
    shingles,
    similarity,
)
from infoharbor.text.fingerprint.shingles import MAX_CHARS, comparison_form

FIXTURES = Path(__file__).parent / "fixtures" / "fingerprint"
UDHR: dict[str, dict[str, list[str] | list[list[str]]]] = json.loads(
    (FIXTURES / "udhr_stories.json").read_text(encoding="utf-8")
)
LANGUAGES = sorted(UDHR)
UNSPACED = {"zh-Hans", "zh-Hant", "th", "km", "lo", "my"}
_CLUSTER = regex.compile(r"\X")


def stories(lang: str) -> list[list[str]]:
    return UDHR[lang]["stories"]  # type: ignore[return-value]


def template(lang: str) -> list[str]:
    return UDHR[lang]["template"]  # type: ignore[return-value]


class Outlet:
    """A publisher: its header and footer wrap every story it prints."""

    def __init__(self, name: str, header: str, footer: str, wordpress: bool = False) -> None:
        self.name, self.header, self.footer, self.wordpress = name, header, footer, wordpress

    def publish(self, paragraphs: list[str]) -> str:
        parts = [f"{self.name} — {self.header}", *paragraphs, f"{self.footer} © 2026 {self.name}"]
        if self.wordpress:
            parts.append(f"The post {paragraphs[0][:30]} appeared first on {self.name}.")
        return "\n\n".join(parts)


def outlets(lang: str) -> tuple[Outlet, Outlet]:
    first, second, third, fourth = template(lang)
    return Outlet("Harbor Daily", first, second), Outlet("ASEAN Wire", third, fourth, True)


# --- Perturbations a republication goes through ----------------------------------------------


def edit_words(paragraphs: list[str], lang: str) -> list[str]:
    """Three words replaced in the first paragraph (three runs of two clusters, unspaced)."""
    first = paragraphs[0]
    if lang in UNSPACED:
        clusters = _CLUSTER.findall(first)
        for at in (len(clusters) // 5, len(clusters) // 2, 4 * len(clusters) // 5):
            clusters[at : at + 2] = clusters[at + 7 : at + 9]
        first = "".join(clusters)
    else:
        words = first.split()
        for at in (len(words) // 5, len(words) // 2, 4 * len(words) // 5):
            words[at] = words[at][::-1]
        first = " ".join(words)
    return [first, *paragraphs[1:]]


def reorder(paragraphs: list[str], lang: str) -> list[str]:
    return paragraphs[::-1]


def truncate(paragraphs: list[str], lang: str) -> list[str]:
    """The first 70 % of the story, cut as a feed cuts it."""
    text = "\n\n".join(paragraphs)
    return [text[: int(len(text) * 0.7)] + "…"]


def same(paragraphs: list[str], lang: str) -> list[str]:
    return paragraphs


def everything(paragraphs: list[str], lang: str) -> list[str]:
    return truncate(reorder(edit_words(paragraphs, lang), lang), lang)


PERTURBATIONS: dict[str, Callable[[list[str], str], list[str]]] = {
    "new header and footer": same,
    "a few words edited": edit_words,
    "paragraphs reordered": reorder,
    "truncated": truncate,
    "edited, reordered and truncated": everything,
}


def learned(outlet: Outlet, lang: str, story: int) -> frozenset[int]:
    """The outlet's template, learned from its other stories (as the ingest learns it)."""
    others = [outlet.publish(s) for i, s in enumerate(stories(lang)) if i != story]
    return learn_boilerplate(others, min_items=3)  # the fixture has three others to learn from


# --- Clusters ----------------------------------------------------------------------------------


@pytest.mark.parametrize("perturbation", list(PERTURBATIONS))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_republished_story_joins_its_cluster(lang: str, perturbation: str) -> None:
    # given outlet A's four stories, clustered as they arrived
    a, b = outlets(lang)
    clusterer = StoryClusterer()
    for number, story in enumerate(stories(lang)):
        clusterer.add(number, fingerprint(a.publish(story), learned(a, lang, number)))
    # when outlet B republishes story 2 with the perturbation
    paragraphs = PERTURBATIONS[perturbation](stories(lang)[2], lang)
    assignment = clusterer.add(100, fingerprint(b.publish(paragraphs), learned(b, lang, 2)))
    # then it joins story 2's cluster
    assert assignment.match == 2, f"similarity {assignment.similarity}"
    assert assignment.cluster == 2
    assert assignment.similarity >= THRESHOLD


@pytest.mark.parametrize("lang", LANGUAGES)
def test_different_stories_in_one_template_stay_apart(lang: str) -> None:
    # given two outlets that each publish all four stories
    clusterer = StoryClusterer()
    assignments = {}
    for outlet in outlets(lang):
        for number, story in enumerate(stories(lang)):
            boilerplate = learned(outlet, lang, number)
            item = len(assignments)
            assignments[item] = (
                number,
                clusterer.add(item, fingerprint(outlet.publish(story), boilerplate)),
            )
    # then there are four clusters, one per story, whatever the outlet
    clusters = {}
    for number, assignment in assignments.values():
        clusters.setdefault(assignment.cluster, set()).add(number)
    assert sorted(clusters.values(), key=min) == [{0}, {1}, {2}, {3}]


def test_a_long_template_would_merge_short_stories_unless_it_is_learned() -> None:
    # given an outlet whose footer (the whole preamble) outweighs its one-paragraph stories
    lang = "en"
    outlet = Outlet("Harbor Daily", "Breaking news", " ".join(template(lang)))
    paragraphs = [story[0] for story in stories(lang)]
    texts = [outlet.publish([p]) for p in paragraphs]
    # when fingerprinted without the template learned, two different stories look alike
    plain = [fingerprint(text) for text in texts]
    assert similarity(plain[0].signature, plain[1].signature) >= THRESHOLD
    # then with it learned from the outlet's items they are apart, and a republication by
    # another outlet still matches
    boilerplate = learn_boilerplate(texts, min_items=3)
    assert boilerplate
    clean = [fingerprint(text, boilerplate) for text in texts]
    assert all(
        similarity(clean[i].signature, clean[j].signature) < 0.2
        for i in range(len(clean))
        for j in range(i)
    )
    other = Outlet("ASEAN Wire", "Latest", "Subscribe to our newsletter.")
    copy = fingerprint(other.publish([paragraphs[0]]))
    assert similarity(copy.signature, clean[0].signature) >= THRESHOLD


def test_boilerplate_is_the_template_not_the_story() -> None:
    # given twenty items of an outlet (it publishes in five languages written in Latin script)
    outlet = Outlet("Harbor Daily", "Breaking news", "Copyright notice")
    langs = ("en", "id", "ms", "fil", "vi")
    texts = [outlet.publish(story) for lang in langs for story in stories(lang)]
    # when its boilerplate is learned
    learned_set = learn_boilerplate(texts)
    # then the header and footer are in it, and next to nothing of any story
    assert set(shingles("Harbor Daily — Breaking news").tolist()) <= learned_set
    assert set(shingles("Copyright notice © 2026 Harbor Daily").tolist()) <= learned_set
    for lang in langs:
        for story in stories(lang):
            own = set(shingles("\n\n".join(story)).tolist())
            assert len(own & learned_set) <= 0.02 * len(own)


def test_boilerplate_needs_enough_items() -> None:
    outlet = Outlet("Harbor Daily", "Breaking news", "Copyright notice")
    texts = [outlet.publish(story) for story in stories("en")]
    assert learn_boilerplate(texts[:3]) == frozenset()
    assert learn_boilerplate(texts)
    with pytest.raises(ValueError, match="min_share"):
        learn_boilerplate(texts, min_share=0)


# --- One story, several spellings ---------------------------------------------------------------


def strip_accents(text: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return bare.replace("đ", "d").replace("Đ", "D")


def test_traditional_and_simplified_chinese_are_one_text() -> None:
    story = "\n\n".join(stories("zh-Hans")[1])
    traditional = opencc.OpenCC("s2t").convert(story)
    assert traditional != story
    assert (shingles(traditional) == shingles(story)).all()


def test_the_two_chinese_translations_cluster_together() -> None:
    # the UDHR's Traditional text is not a character-for-character conversion of the
    # Simplified one, but the same text with a few differences
    clusterer = StoryClusterer()
    clusterer.add(1, fingerprint("\n\n".join(stories("zh-Hans")[0])))
    assert clusterer.add(2, fingerprint("\n\n".join(stories("zh-Hant")[0]))).cluster == 1


def test_vietnamese_with_and_without_diacritics_is_one_text() -> None:
    story = "\n\n".join(stories("vi")[0])
    bare = strip_accents(story)
    assert bare != story
    assert (shingles(bare) == shingles(story)).all()


def test_vietnamese_decomposed_and_composed_is_one_text() -> None:
    story = "\n\n".join(stories("vi")[3])
    assert (shingles(unicodedata.normalize("NFD", story)) == shingles(story)).all()


def test_zawgyi_burmese_is_the_unicode_text() -> None:
    story = stories("my")[1][0]
    zawgyi = burmesenlp.uni2zg(story)
    assert zawgyi != story
    assert similarity(fingerprint(zawgyi).signature, fingerprint(story).signature) >= 0.9


@pytest.mark.parametrize("lang", LANGUAGES)
def test_case_spacing_and_punctuation_do_not_count(lang: str) -> None:
    story = stories(lang)[0]
    plain = "\n\n".join(story)
    reflowed = " ".join(story).upper().replace(",", "，").replace(".", " . ")
    assert (shingles(reflowed) == shingles(plain)).all()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_script_has_enough_shingles(lang: str) -> None:
    # a three-paragraph story in any script is long enough to compare
    for story in stories(lang):
        assert fingerprint("\n\n".join(story)).size >= 5 * MIN_SHINGLES


def test_comparison_form_keeps_marks_of_every_script() -> None:
    # vowel signs and tone marks of Thai, Lao, Khmer and Burmese are letters here, not noise
    for lang in ("th", "lo", "km", "my"):
        text = stories(lang)[0][0]
        form = comparison_form(text)
        marks = [c for c in text if unicodedata.category(c) in {"Mn", "Mc"}]
        assert marks
        assert sum(unicodedata.category(c) in {"Mn", "Mc"} for c in form) >= len(marks) * 0.9


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        " \n\t ",
        "!!!???...,,,",
        "a",
        "🙂" * 500,
        "\x00\x01\x02" * 100,
        "\u200b\u200c\u200d\ufeff" * 100,
        "\ud800\udc00 lone surrogates \udfff",
        "\u202e reversed \u202c",
    ],
    ids=[
        "empty",
        "spaces",
        "punctuation",
        "one letter",
        "emoji",
        "controls",
        "invisible",
        "surrogates",
        "bidi",
    ],
)
def test_hostile_or_empty_text_is_not_compared(text: str) -> None:
    found = fingerprint(text)
    assert found.size < MIN_SHINGLES
    assert not found.comparable
    clusterer = StoryClusterer()
    first = clusterer.add(1, found)
    second = clusterer.add(2, fingerprint(text))
    # then each stays alone, and nothing is indexed that could attract every other short text
    assert (first.cluster, second.cluster) == (1, 2)
    assert not first.indexed
    assert len(clusterer) == 0


def test_one_repeated_character_has_one_shingle() -> None:
    assert len(shingles("a" * 100_000)) == 1


def test_huge_text_counts_only_its_start() -> None:
    story = " ".join(" ".join(s) for s in stories("en"))
    huge = (story + " ") * (3_000_000 // len(story))
    found = shingles(huge)
    assert len(comparison_form(huge)) == MAX_CHARS
    assert len(found) <= MAX_CHARS
    # the same story with more of it repeated after the cut is the same fingerprint
    assert (shingles(huge + "something else entirely") == found).all()


def test_non_string_input_is_a_type_error() -> None:
    with pytest.raises((TypeError, AttributeError)):
        fingerprint(b"bytes are not text")  # type: ignore[arg-type]


# --- Plain data in and out ----------------------------------------------------------------------


def test_fingerprint_round_trips_through_bytes() -> None:
    found = fingerprint("\n\n".join(stories("th")[0]))
    data = found.to_bytes()
    assert isinstance(data, bytes)
    assert len(data) == 517
    assert Fingerprint.from_bytes(data) == found


@pytest.mark.parametrize(
    "data",
    [b"", b"\x01" * 10, b"\x02" + b"\x00" * 516, b"\x01" + b"\x00" * 600],
    ids=["empty", "short", "other version", "long"],
)
def test_bad_fingerprint_bytes_are_refused(data: bytes) -> None:
    with pytest.raises(ValueError, match="fingerprint"):
        Fingerprint.from_bytes(data)


def test_fingerprints_are_stable_across_versions_and_processes() -> None:
    # Stored fingerprints are compared with new ones for as long as the database keeps them:
    # a change to normalization, hashing or the permutations must bump FORMAT_VERSION. This
    # pins a few values of a known text; if it fails, bump the version and update it.
    found = fingerprint("Information Harbor: the China–ASEAN online port. 信息港，东盟。ท่าเรือ")
    assert found.size == 48
    assert found.signature[:4].tolist() == PINNED


PINNED = [58024587, 54839435, 105256362, 7824824]


def test_clustering_is_deterministic_and_plain() -> None:
    texts = [
        Outlet(f"Outlet {n}", "Header", "Footer").publish(story)
        for n in range(3)
        for story in stories("id")
    ]
    items = [(1000 + i, fingerprint(text)) for i, text in enumerate(texts)]
    first = cluster_items(items)
    second = cluster_items(items)
    assert first == second
    assert all(isinstance(a.cluster, int) and isinstance(a.similarity, float) for a in first)
    # each story's first publication founds the cluster its republications join
    assert [a.cluster for a in first] == [1000, 1001, 1002, 1003] * 3


def test_an_item_is_clustered_once() -> None:
    clusterer = StoryClusterer()
    found = fingerprint("\n\n".join(stories("en")[0]))
    clusterer.add(1, found)
    with pytest.raises(ValueError, match="already"):
        clusterer.add(1, found)


def test_threshold_must_be_a_share() -> None:
    for bad in (0.0, -0.5, 1.5):
        with pytest.raises(ValueError, match="threshold"):
            StoryClusterer(threshold=bad)


# --- Real news and encyclopedia text from ../shared/data -----------------------------------------


def _conllu_documents(path: Path, per_document: int = 0) -> list[list[str]]:
    """Documents as lists of sentences: by PUD's sent_id, or runs of ``per_document``."""
    sentences: list[tuple[str, str]] = []
    sent_id = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# sent_id = "):
            sent_id = line.split("=", 1)[1].strip()
        elif line.startswith("# text = "):
            sentences.append((sent_id, line.split("=", 1)[1].strip()))
    if per_document:
        texts = [text for _, text in sentences]
        return [texts[i : i + per_document] for i in range(0, len(texts), per_document)]
    documents: dict[str, list[str]] = {}
    for sent_id, text in sentences:
        documents.setdefault(sent_id[:6], []).append(text)
    return list(documents.values())


def _real_documents(shared_data: Path, source: str) -> tuple[str, list[list[str]]]:
    ud = shared_data / "ud-treebanks"
    if source.startswith("pud-"):
        lang = source[4:]
        stem = {"en": "English", "zh": "Chinese", "th": "Thai", "id": "Indonesian"}[lang]
        path = ud / f"UD_{stem}-PUD" / f"{lang}_pud-ud-test.conllu"
        return ("zh-Hant" if lang == "zh" else lang), _conllu_documents(path)
    if source == "vtb":
        return "vi", _conllu_documents(ud / "UD_Vietnamese-VTB" / "vi_vtb-ud-dev.conllu", 4)
    if source == "cmrc-dev":  # the tuning split only
        data = json.loads((shared_data / "qa-cmrc2018-zh" / "cmrc2018_dev.squad.json").read_text())
        paragraphs = [p["context"] for a in data["data"] for p in a["paragraphs"]]
        return "zh-Hans", [regex.split(r"(?<=。)", p)[:6] for p in dict.fromkeys(paragraphs)][:300]
    assert source == "iapp-valid"  # the tuning split only
    contexts: dict[str, str] = {}
    with (shared_data / "qa-iapp-wiki-th" / "valid.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            contexts[row["article_id"]] = row["context"]
    # Thai puts spaces between phrases: three "sentences" of five phrases each. Two articles
    # of the set share their text (a real duplicate): keep each text once.
    texts = dict.fromkeys(" ".join(c.split(" ")[:15]) for c in contexts.values())
    return "th", [
        [" ".join(text.split(" ")[i : i + 5]) for i in (0, 5, 10)] for text in list(texts)[:300]
    ]


@pytest.mark.shared_data
@pytest.mark.parametrize(
    "source", ["pud-en", "pud-zh", "pud-th", "pud-id", "vtb", "cmrc-dev", "iapp-valid"]
)
def test_real_documents_and_their_republications(shared_data: Path, source: str) -> None:
    # given real documents, each published by outlet A and republished by outlet B with a
    # few words edited and its sentences reordered, every outlet's template learned from 20
    # of its items
    lang, documents = _real_documents(shared_data, source)
    documents = [d for d in documents if len(comparison_form(" ".join(d))) >= 120]
    a = Outlet("Harbor Daily", "Regional news", "Copyright Harbor Daily, all rights reserved")
    b = Outlet("ASEAN Wire", "Wire service", "Reproduced with permission.", wordpress=True)
    joiner = "" if lang in {"zh-Hans", "zh-Hant"} else " "
    originals = [a.publish([joiner.join(d)]) for d in documents]
    copies = [b.publish([joiner.join(reorder(edit_words(d, lang), lang))]) for d in documents]
    templates = {a: learn_boilerplate(originals[:20]), b: learn_boilerplate(copies[:20])}
    # when the originals and then the copies are clustered
    clusterer = StoryClusterer()
    for number, text in enumerate(originals):
        clusterer.add(number, fingerprint(text, templates[a]))
    joined = merged = 0
    for number, text in enumerate(copies):
        assignment = clusterer.add(10_000 + number, fingerprint(text, templates[b]))
        joined += assignment.cluster == number
        merged += assignment.cluster not in (number, 10_000 + number)
    # then (nearly) every copy joins its original, and none joins another document
    founders = {clusterer.cluster_of(n) for n in range(len(originals)) if n in clusterer.index}
    assert len(founders) == len(originals), "two different documents were put in one cluster"
    assert merged == 0
    assert joined >= 0.95 * len(documents), f"{joined} of {len(documents)} joined"


@pytest.mark.shared_data
def test_every_feed_test_document_fingerprints(shared_data: Path) -> None:
    # the feed parser's 2,000 test documents (ill-formed XML, odd encodings, entities, scripts)
    # read as raw text: hostile input, none of which may break fingerprinting
    folder = shared_data / "feeds" / "feedparser-tests"
    texts = [
        path.read_bytes().decode("utf-8", errors="replace")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.suffix in {".xml", ".json", ".rdf"}
    ]
    assert len(texts) > 1500
    prints = [fingerprint(text) for text in texts]
    assert all(len(p.signature) == 128 for p in prints)
    assert sum(p.comparable for p in prints) > 1000
