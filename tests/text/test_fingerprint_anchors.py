"""Cross-language links from anchors: numbers, addresses and Latin-script names."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from infoharbor.text.fingerprint.anchors import anchors, cross_language_link


def test_numbers_in_every_script_and_convention_are_one_number() -> None:
    found = anchors("1,000,000 and 1.000.000, 3.5 and 3,5, ๒๕๖๐ ២០២៦ ၂၀၂၆ ໒໐໒໖ ２０２６")
    assert found.numbers == {"1000000", "3.5", "2560", "2026"}


def test_one_digit_numbers_are_not_anchors() -> None:
    assert anchors("3 people, 7 days, item 9").numbers == frozenset()


def test_latin_names_inside_chinese_and_thai_text_are_found() -> None:
    assert {"mailis", "cbc"} <= anchors("Mailis在周四接受採訪時對CBC新聞說。").names
    assert "cbc" in anchors("เมลลิสกล่าวกับCBCนิวส์").names
    assert anchors("Ini wabah COVID-19 di Hà Nội").names >= {"covid-19", "noi"}


def test_addresses_are_kept_whole() -> None:
    found = anchors("See https://asean.org/news/2026?id=7, write to info@asean.org #ASEAN2026")
    assert found.addresses == {"https://asean.org/news/2026?id=7", "info@asean.org", "#asean2026"}


def test_a_link_needs_shared_numbers_not_names_alone() -> None:
    first = anchors("President Widodo met Prime Minister Anwar in Jakarta on Monday.")
    second = anchors("Presiden Widodo bertemu Perdana Menteri Anwar di Jakarta.")
    assert cross_language_link(first, second) is None  # names only: many stories share them
    first = anchors("Widodo and Anwar signed 12 agreements worth 3.5 billion in Jakarta.")
    second = anchors("佐科Widodo与安瓦尔Anwar在Jakarta签署了12项协议，价值3,5亿。")
    assert cross_language_link(first, second) == {"widodo", "anwar", "jakarta", "12", "3.5"}


def test_a_link_needs_most_of_the_smaller_items_anchors() -> None:
    short = anchors(
        "ASEAN 2026: 11 members, 680 million people, 24 languages, 99 cities, 31 ports."
    )
    long = anchors(
        "ASEAN 2026 summit with 11 members. Also: 45 ships, 3,200 containers, 17 ports, "
        "88 cranes, 1,200 workers, 64 berths, 905 trucks."
    )
    assert cross_language_link(short, long) is None
    assert cross_language_link(short, long, min_overlap=0.3) is not None


def test_empty_and_hostile_text_has_no_anchors() -> None:
    for text in ("", "   ", "\x00" * 100, "🙂" * 100, "\ud800"):
        assert len(anchors(text)) == 0
    # a single long token, of every kind, is read in linear time
    assert len(anchors("9" * 1_000_000).numbers) == 1
    assert len(anchors("a" * 1_000_000)) == 0
    assert len(anchors("A" * 100_000 + "@" + "b." * 50_000).names) == 1


PUD = {"en": "UD_English-PUD/en_pud", "zh": "UD_Chinese-PUD/zh_pud", "th": "UD_Thai-PUD/th_pud",
       "id": "UD_Indonesian-PUD/id_pud"}  # fmt: skip


def pud_documents(shared_data: Path, lang: str) -> dict[str, str]:
    docs: dict[str, list[str]] = defaultdict(list)
    sent_id = ""
    path = shared_data / "ud-treebanks" / f"{PUD[lang]}-ud-test.conllu"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# sent_id = "):
            sent_id = line.split("=", 1)[1].strip()
        elif line.startswith("# text = "):
            docs[sent_id[:6]].append(line.split("=", 1)[1].strip())
    return {doc: " ".join(texts) for doc, texts in docs.items()}


@pytest.mark.shared_data
@pytest.mark.parametrize(("first", "second"), [("en", "zh"), ("en", "th"), ("id", "zh")])
def test_pud_links_are_translations(shared_data: Path, first: str, second: str) -> None:
    # given the same news and Wikipedia documents in two languages (UD PUD, 397 each)
    a = {doc: anchors(text) for doc, text in pud_documents(shared_data, first).items()}
    b = {doc: anchors(text) for doc, text in pud_documents(shared_data, second).items()}
    # when every pair is compared
    links = [(x, y) for x in a for y in b if cross_language_link(a[x], b[y]) is not None]
    # then the links proposed are translations of each other, and there are some
    assert len(links) >= 20
    assert all(x == y for x, y in links)
