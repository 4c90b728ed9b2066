"""Sector keyword rules: keywords in any language matched on analysed words, and applied
to the entries a harvest makes."""

from __future__ import annotations

import pytest

from infoharbor.core.models import AuditEvent, Entry, Sector
from infoharbor.ingest import harvest
from infoharbor.ingest.models import SectorRule
from infoharbor.ingest.sectors import KeywordRule, SectorMatcher
from tests import factories
from tests.ingest.conftest import Harbor, fixture_bytes
from tests.portal.conftest import signed_in

AGRICULTURE, TRADE, HEALTH = 1, 2, 3
MATCHER = SectorMatcher(
    [
        KeywordRule(AGRICULTURE, ("เกษตร", "农业", "nông nghiệp", "pertanian", "rice export")),
        KeywordRule(
            TRADE,
            ("การค้าชายแดน", "thuong mai", "ពាណិជ្ជកម្ម", "ການຄ້າ", "ကုန်သွယ်", "边境贸易"),
        ),
        KeywordRule(HEALTH, ("ตา", "dengue", "登革热")),
    ]
)


@pytest.mark.parametrize(
    ("text", "lang", "sectors"),
    [
        # Thai, written without spaces: the keyword is a word of the segmented text.
        ("กระทรวงเกษตรและสหกรณ์ประกาศราคาข้าว", "th", {AGRICULTURE}),
        ("เปิดตลาดการค้าชายแดนแห่งใหม่ที่หนองคาย", "th", {TRADE}),
        # ตา (eye) is inside ตาราง (timetable): no match inside a word.
        ("ตารางเดินรถใหม่", "th", set()),
        ("ตรวจตาฟรีที่โรงพยาบาล", "th", {HEALTH}),
        # Chinese: Simplified and Traditional meet; a part of a compound counts.
        ("农业农村部发布新政策", "zh-Hans", {AGRICULTURE}),
        ("農業農村部發布新政策", "zh-Hant", {AGRICULTURE}),
        ("广西边境贸易额增长", "zh-Hans", {TRADE}),
        ("廣西登革熱病例增加", "zh-Hant", {HEALTH}),
        # Vietnamese: typed without diacritics matches the text with them; with them,
        # only the same.
        ("Thương mại biên giới tăng mạnh", "vi", {TRADE}),
        ("Bộ Nông nghiệp công bố kế hoạch", "vi", {AGRICULTURE}),
        ("Nong nghiep khong dau", "vi", set()),
        # Khmer, Lao, Burmese: unspaced scripts too.
        ("ក្រសួងពាណិជ្ជកម្មកម្ពុជា", "km", {TRADE}),
        ("ກະຊວງອຸດສາຫະກຳ ແລະ ການຄ້າ", "lo", {TRADE}),
        ("မြန်မာနိုင်ငံ ကုန်သွယ်ရေး ဝန်ကြီးဌာန", "my", {TRADE}),
        # Latin scripts: whole words, phrases in their order, any case.
        ("Kementerian Pertanian mengumumkan", "id", {AGRICULTURE}),
        ("Rice export figures rose", "en", {AGRICULTURE}),
        ("Export of rice rose", "en", set()),
        ("DENGUE cases fall in Manila", "en", {HEALTH}),
        ("Agricultural output", "en", set()),
        ("", "en", set()),
    ],
)
def test_keywords_match_words_in_every_language(text: str, lang: str, sectors: set[int]) -> None:
    assert MATCHER.sectors(text, lang) == sectors


INSIDE = SectorMatcher([KeywordRule(TRADE, ("ค้าชายแดน",)), KeywordRule(HEALTH, ("สหกรณ์การเกษ",))])


@pytest.mark.parametrize(
    ("text", "sectors"),
    [
        # Segmented การค้า + ชายแดน: a keyword of three clusters or more is found across
        # the segmenter's cut, as a run of whole clusters
        ("เปิดตลาดการค้าชายแดนแห่งใหม่", {TRADE}),
        ("สหกรณ์การเกษตรประกาศ", {HEALTH}),
        # ... but never ending inside a cluster (เกษ + ี: the text's cluster is ษี)
        ("สหกรณ์การเกษียณประกาศ", set()),
    ],
)
def test_long_unspaced_keywords_match_across_the_segmenters_cut(
    text: str, sectors: set[int]
) -> None:
    assert INSIDE.sectors(text, "th") == sectors


def test_no_rule_means_no_analysis() -> None:
    assert not SectorMatcher([])
    assert SectorMatcher([]).sectors("anything at all", "en") == set()


def test_a_rule_needs_a_keyword(db: None) -> None:
    from django.core.exceptions import ValidationError

    rule = SectorRule(sector=Sector.objects.get(slug="health"), keywords="\n  \n")
    with pytest.raises(ValidationError):
        rule.full_clean()


RSS = "application/rss+xml; charset=utf-8"


@pytest.mark.django_db
class TestAtIngest:
    def test_harvested_entries_get_their_sources_sectors_and_those_of_matching_rules(
        self, harbor: Harbor
    ) -> None:
        SectorRule.objects.create(
            sector=Sector.objects.get(slug="economy-finance"),
            keywords="ตลาด\nborder trade\n边境贸易\nthương mại biên giới",
        )
        SectorRule.objects.create(
            sector=Sector.objects.get(slug="health"), keywords="hospital", enabled=False
        )
        harbor.server.serve_file("/feed.xml", fixture_bytes("harbor-ministry-rss.xml"), RSS)
        source = harbor.source("/feed.xml", sectors=["trade-ecommerce"])

        harvest.harvest([source])

        sectors = {
            entry.ingested.guid: set(entry.sectors.values_list("slug", flat=True))
            for entry in Entry.objects.filter(ingested__source=source).select_related("ingested")
        }
        assert all("trade-ecommerce" in found for found in sectors.values())
        # Four items speak of border trade (in Thai, English, Chinese and Vietnamese); the
        # holiday notice does not.
        with_economy = {guid for guid, found in sectors.items() if "economy-finance" in found}
        assert with_economy == {
            "moc-th-2025-1101",
            "moc-en-2025-1101",
            "moc-zh-2025-1102",
            "moc-vi-2025-1102",
        }
        assert not any("health" in found for found in sectors.values())

    def test_an_operator_keeps_the_rules_in_the_operator_site_audited(self, db: None) -> None:
        client = signed_in(factories.make_operator())
        health = Sector.objects.get(slug="health")

        response = client.post(
            "/en/operator/ingest/sectorrule/add/",
            {"sector": health.pk, "keywords": "ไข้เลือดออก\n登革热\ndengue", "enabled": "on"},
        )

        assert response.status_code == 302, response.content.decode()[-2000:]
        rule = SectorRule.objects.get()
        assert rule.keyword_list == ["ไข้เลือดออก", "登革热", "dengue"]
        assert AuditEvent.objects.filter(action="sectorrule.create").exists()
        listing = client.get("/en/operator/ingest/sectorrule/").content.decode()
        assert "ไข้เลือดออก, 登革热, dengue" in listing
