"""The pure part of cross-language links: hashed anchors, an outlet's template anchors, and
the batch lookup (frequent anchors cut, window, languages)."""

from __future__ import annotations

import datetime as dt

import pytest

from infoharbor.stories import anchoring, services
from infoharbor.stories.anchoring import Linker
from infoharbor.stories.models import MatchKind, StoryMember
from infoharbor.text.fingerprint.anchors import anchors, cross_language_link
from tests.stories.conftest import Outlet
from tests.stories.test_cross_language import NOW, publish, report

ENGLISH = "Tesco paid £12,000 and £360 to 3,000 Nectar holders in 2015 (www.tesco.example)."
THAI = "เทสโก้จ่าย 12,000 ปอนด์ และ 360 ปอนด์ ให้ผู้ถือบัตร Nectar 3,000 คนในปี 2015"


def test_hashed_anchors_keep_what_the_rule_needs() -> None:
    english, thai = anchors(ENGLISH), anchors(THAI)
    plain = cross_language_link(english, thai)
    assert plain is not None
    hashed = cross_language_link(anchoring.hashed(english), anchoring.hashed(thai))
    assert hashed is not None
    assert len(hashed) == len(plain)
    # names alone never link, hashed or not
    names = anchoring.hashed(anchors("Tesco Nectar Scotland Vantage"))
    assert cross_language_link(names, names) is None


def test_pack_and_unpack() -> None:
    found = anchoring.hashed(anchors(ENGLISH))
    again = anchoring.unpack(anchoring.pack(found))
    assert again.all == found.all
    assert again.numbers == found.numbers | found.addresses
    assert len(anchoring.unpack(b"")) == 0
    assert anchoring.keys_of(again) == tuple(sorted(int(key) for key in found.all))


def test_an_outlets_template_anchors() -> None:
    footer = "Harbor Daily, www.harbordaily.example, +66 2 123 4567, 2026."
    texts = [f"Story {n}: {n * 111} people in 2026.\n{footer}" for n in range(2, 8)]
    template = anchoring.learn_anchor_template(texts)
    assert template.lines == {footer}
    assert {"harbor", "daily", "www.harbordaily.example", "123", "4567", "2026"} <= (
        template.anchors
    )
    assert "story" in template.anchors  # every text has it
    assert "222" not in template.anchors
    assert anchoring.learn_anchor_template(texts[:3]) == anchoring.AnchorTemplate()  # too few
    own = anchoring.entry_anchors(texts[0], template)
    assert own.all == anchoring.hashed(anchors("222 people.")).all
    # a template line in another entry is left out before its anchors are read
    other = anchoring.entry_anchors(f"{footer}\nCOVID-19 took 4,500 lives.", template)
    assert other.all == anchoring.hashed(anchors("COVID-19 took 4,500 lives.")).all


def test_base_language_and_day() -> None:
    assert anchoring.base_language("zh-Hant") == anchoring.base_language("zh-Hans") == "zh"
    assert anchoring.day_of(dt.datetime(1970, 1, 2, 23, 59, tzinfo=dt.UTC)) == 1


def linker(**kwargs: int) -> Linker:
    return Linker(window=dt.timedelta(hours=72), max_stories=kwargs.get("max_stories", 30))


def test_the_linker_finds_a_translation_in_another_language() -> None:
    english, thai = anchoring.hashed(anchors(ENGLISH)), anchoring.hashed(anchors(THAI))
    found = linker()
    found.add(1, english, "en", NOW, label=-7)
    found.note(-7, "en")

    link = found.find(thai, "th", NOW + dt.timedelta(hours=5))
    assert link is not None
    assert (link.entry, link.label) == (1, -7)
    # the same language, or outside the window: none
    assert found.find(thai, "en-GB", NOW) is None
    assert found.find(thai, "th", NOW + dt.timedelta(hours=73)) is None
    # a story that has the entry's language already: none
    found.note(-7, "th")
    assert found.find(thai, "th", NOW) is None


def test_the_linker_does_not_look_up_frequent_anchors() -> None:
    english, thai = anchoring.hashed(anchors(ENGLISH)), anchoring.hashed(anchors(THAI))
    found = linker(max_stories=2)
    found.add(1, english, "en", NOW, label=-7)
    # two more stories on the next day with every anchor of the Thai text
    found.add(2, thai, "id", NOW + dt.timedelta(days=1), label=-8)
    found.add(3, thai, "vi", NOW + dt.timedelta(days=1), label=-9)
    assert found.lookup_keys(thai, NOW) == []
    assert found.find(thai, "th", NOW) is None
    # four days later the first day is out of the window: one story per anchor again
    assert found.lookup_keys(thai, NOW + dt.timedelta(days=5)) == list(anchoring.keys_of(thai))


def test_an_outlets_footer_does_not_link_its_stories(
    plain_outlets: tuple[Outlet, Outlet, Outlet],
) -> None:
    # given an outlet that prints the same footer (its name, address, telephone, the year)
    # under every entry, in English, Thai and Chinese
    first = plain_outlets[0]
    first.footer = "Harbor Daily · www.harbordaily.example · +66 2 123 4567 · © 2026"
    pay = publish(first, "n01043", "en", NOW - dt.timedelta(hours=4))
    app = publish(first, "n02042", "th", NOW - dt.timedelta(hours=3))
    chinese = publish(first, "n01084", "zh", NOW - dt.timedelta(hours=2))
    thai = publish(first, "n01084", "th", NOW - dt.timedelta(hours=1))
    # with the footer, the two unrelated reports would pass the rule
    with_footer = [anchors("\n".join([*report(d, lang), first.footer])) for d, lang in
                   (("n01043", "en"), ("n02042", "th"))]  # fmt: skip
    assert cross_language_link(*with_footer) is not None
    # when assigned, the footer's anchors are the outlet's template, left out
    services.assign_pending(now=NOW)
    members = {m.entry_id: m for m in StoryMember.objects.all()}
    assert members[pay.pk].cluster_id != members[app.pk].cluster_id
    assert members[thai.pk].cluster_id == members[chinese.pk].cluster_id
    assert members[thai.pk].matched_by == MatchKind.ANCHORS


@pytest.mark.parametrize("data", [b"", b"\x00\x00\x00\x00"])
def test_unpack_of_no_anchors(data: bytes) -> None:
    assert len(anchoring.unpack(data)) == 0
