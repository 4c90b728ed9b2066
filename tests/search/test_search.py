"""The search suite every backend passes: languages, syntax, filters, facets, visibility."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from infoharbor.accounts.choices import Role
from infoharbor.core import audit, services
from infoharbor.core.choices import EntryStatus, Visibility
from infoharbor.core.permissions import ANONYMOUS, Actor
from infoharbor.search import indexer, service
from infoharbor.search.backends.base import Filters
from infoharbor.text.normalize import zawgyi_to_unicode
from tests import factories

pytestmark = pytest.mark.django_db


def ids(page: service.SearchPage) -> list[int]:
    return [result.entry.pk for result in page.results]


def find(text: str, actor: Actor = ANONYMOUS, **kwargs):  # type: ignore[no-untyped-def]
    return service.search(actor, text, **kwargs)


@pytest.fixture
def org():  # type: ignore[no-untyped-def]
    return factories.make_org("ministry", country="TH", name="Ministry of Commerce")


def entry(org, **data):  # type: ignore[no-untyped-def]
    made = factories.make_entry(org, **data)
    indexer.drain()
    return made


# --- languages ----------------------------------------------------------------------------


def test_thai_word_inside_running_text(backend, org) -> None:  # type: ignore[no-untyped-def]
    # Given a Thai entry, written without spaces between words
    thai = entry(org, language="th", title="กระทรวงพาณิชย์เปิดตลาดส่งออกทุเรียนไปจีน")
    entry(org, title="Durian exports", language="en")
    # When a reader searches for one Thai word in it
    page = find("ทุเรียน")
    # Then the Thai entry is found, and only it
    assert ids(page) == [thai.pk]
    assert "<mark>ทุเรียน</mark>" in page.results[0].title_html


def test_thai_marks_are_not_stripped(backend, org) -> None:  # type: ignore[no-untyped-def]
    # ที่ ("at", with a tone mark) is another word than ที
    entry(org, language="th", title="ประชุมที่กรุงเทพ")
    assert find("ที").total == 0


def test_simplified_and_traditional_find_each_other(backend, org) -> None:  # type: ignore[no-untyped-def]
    traditional = entry(org, language="zh-Hant", title="臺灣捷運系統擴建計畫", country="CN")
    simplified = entry(org, language="zh-Hans", title="机器翻译研究进展", country="CN")
    found = find("台湾捷运")
    assert ids(found) == [traditional.pk]
    # The Traditional original is shown and marked, not the folded form.
    assert "捷運" in found.results[0].title_html
    assert ids(find("機器翻譯")) == [simplified.pk]


def test_chinese_word_inside_a_compound(backend, org) -> None:  # type: ignore[no-untyped-def]
    university = entry(org, language="zh-Hans", title="北京大学发布东盟研究报告", country="CN")
    assert ids(find("大学")) == [university.pk]
    assert ids(find("北京大学")) == [university.pk]


def test_chinese_word_inside_a_compound_of_the_body(backend, org) -> None:  # type: ignore[no-untyped-def]
    made = entry(org, language="zh-Hans", title="研究报告", summary="北京大学发布东盟研究报告")
    assert ids(find("大学")) == [made.pk]


def test_indonesian_forms_of_one_root_find_each_other(backend, org) -> None:  # type: ignore[no-untyped-def]
    # Given an Indonesian entry that says "berlabuh" (to berth) and "perdagangan" (trade)
    made = entry(
        org,
        language="id",
        title="Kapal kontainer tiba",
        summary="Kapal kontainer berlabuh di Tanjung Priok untuk perdagangan regional.",
        country="ID",
    )
    entry(org, language="en", title="Container ships arrive", summary="Ships berth at ports.")
    # When a reader searches for other forms of the same roots
    page = find("pelabuhan dagang")
    # Then the entry is found, and the forms it has are marked
    assert ids(page) == [made.pk]
    snippet = page.results[0].snippet_html
    assert "<mark>berlabuh</mark>" in snippet
    assert "<mark>perdagangan</mark>" in snippet
    # A phrase matches the forms in a row too
    assert ids(find('"berlabuh di tanjung"')) == [made.pk]


def test_indonesian_titles_complete_as_typed(backend, org) -> None:  # type: ignore[no-untyped-def]
    made = entry(org, language="id", title="Peningkatan ekspor kopi", country="ID")
    # "pening" begins the word as written, not its stem (tingkat)
    assert ids(find("pening*")) == [made.pk]
    assert ids(find("ekspor pening*")) == [made.pk]


def test_vietnamese_without_diacritics_ranks_exact_first(backend, org) -> None:  # type: ignore[no-untyped-def]
    accented = entry(org, language="vi", title="Xuất khẩu sầu riêng sang Trung Quốc", country="VN")
    plain = entry(org, language="en", title="Sau rieng: a durian brand", country="VN")
    # Typed without diacritics: both; the one that has the typed form exactly comes first
    assert ids(find("sau rieng")) == [plain.pk, accented.pk]
    # Typed with them: the exact form only
    assert ids(find("sầu riêng")) == [accented.pk]


def test_vietnamese_tone_mark_placement(backend, org) -> None:  # type: ignore[no-untyped-def]
    # "hoà" (old style) and "hòa" (new style) are the same word
    made = entry(org, language="vi", title="Hội nghị hoà bình khu vực", country="VN")
    assert ids(find("hòa bình")) == [made.pk]


def test_khmer(backend, org) -> None:  # type: ignore[no-untyped-def]
    made = entry(org, language="km", title="ពាណិជ្ជកម្មរវាងកម្ពុជានិងចិន", country="KH")
    assert ids(find("ពាណិជ្ជកម្ម")) == [made.pk]


def test_lao_word_inside_a_dictionary_compound(backend, org) -> None:  # type: ignore[no-untyped-def]
    # ນະຄອນຫຼວງວຽງຈັນ ("Vientiane Capital") is one dictionary word; ວຽງຈັນ is inside it
    made = entry(org, language="lo", title="ກອງປະຊຸມທີ່ນະຄອນຫຼວງວຽງຈັນ", country="LA")
    page = find("ວຽງຈັນ")
    assert ids(page) == [made.pk]
    assert "<mark>ວຽງຈັນ</mark>" in page.results[0].title_html


def test_burmese_zawgyi_query_finds_unicode_entry(backend, org) -> None:  # type: ignore[no-untyped-def]
    made = entry(org, language="my", title="ရန်ကုန်မြို့တွင် ကုန်စည်ပြပွဲ", country="MM")
    assert ids(find("ရန်ကုန်")) == [made.pk]
    zawgyi = "ရန္ကုန္"  # ရန်ကုန် as Zawgyi encodes it
    assert zawgyi_to_unicode(zawgyi) == "ရန်ကုန်"
    assert ids(find(zawgyi)) == [made.pk]


def test_cross_language_country_names(backend, org) -> None:  # type: ignore[no-untyped-def]
    # An English entry about Vietnam, and a Chinese one that names it in its text
    english = entry(org, language="en", title="Coffee harvest outlook", country="VN")
    chinese = entry(org, language="zh-Hans", title="越南咖啡出口增长", country="CN")
    entry(org, language="en", title="Rice harvest outlook", country="TH")
    # A Thai reader searches for เวียดนาม ("Vietnam")
    assert set(ids(find("เวียดนาม"))) == {english.pk, chinese.pk}


def test_cross_language_sector_names(backend, org) -> None:  # type: ignore[no-untyped-def]
    made = entry(org, language="en", title="New rules", sectors=["economy-finance"])
    entry(org, language="en", title="Other rules")
    assert ids(find("经济与金融")) == [made.pk]


# --- syntax -------------------------------------------------------------------------------


def test_phrase_or_not_and_prefix(backend, org) -> None:  # type: ignore[no-untyped-def]
    rice = entry(org, title="Rice export rules")
    maize = entry(org, title="Maize export rules")
    reverse = entry(org, title="Export of rice, new rules")
    assert ids(find('"rice export"')) == [rice.pk]
    assert set(ids(find("rice OR maize"))) == {rice.pk, maize.pk, reverse.pk}
    assert set(ids(find("export -rice"))) == {maize.pk}
    assert set(ids(find("export NOT maize"))) == {rice.pk, reverse.pk}
    assert set(ids(find("mai*"))) == {maize.pk}
    assert set(ids(find("(rice OR maize) rules"))) == {rice.pk, maize.pk, reverse.pk}


def test_prefix_finds_organization_names(backend) -> None:  # type: ignore[no-untyped-def]
    ministry = factories.make_org("moc", name="Ministry of Commerce")
    made = entry(ministry, title="Tariff table 2026")
    assert ids(find("commer*")) == [made.pk]


def test_relaxed_when_nothing_has_every_word(backend, org) -> None:  # type: ignore[no-untyped-def]
    made = entry(org, title="Rice export rules")
    page = find("rice zeppelin")
    assert page.relaxed
    assert ids(page) == [made.pk]
    assert not find("rice export").relaxed


def test_title_ranks_above_body(backend, org) -> None:  # type: ignore[no-untyped-def]
    in_body = entry(org, title="Weekly notes", summary="Something about tariffs and more.")
    in_title = entry(org, title="Tariffs explained", summary="Something else entirely.")
    assert ids(find("tariffs")) == [in_title.pk, in_body.pk]


def test_rare_word_ranks_above_frequent_word(backend, org) -> None:  # type: ignore[no-untyped-def]
    # Given a word in many entries and another in one, each entry as long as the others
    for number in range(8):
        entry(org, title=f"Bulletin {number}", summary="Harbor notes on cargo today.")
    rare = entry(org, title="Bulletin rare", summary="Harbor notes on durian today.")
    # When a reader asks for either word
    page = find("cargo OR durian")
    # Then the entry with the rare word comes first (its IDF is higher), and all are found
    assert ids(page)[0] == rare.pk
    assert page.total == 9


def test_idf_outweighs_repetition_of_a_common_word(backend, org) -> None:  # type: ignore[no-untyped-def]
    for number in range(10):
        entry(org, title=f"Notice {number}", summary="Cargo and rules.")
    common = entry(org, title="Notice", summary="Cargo cargo cargo and rules.")
    rare = entry(org, title="Notice", summary="Durian and cargo rules.")
    # Both match both words; the one with the rare word ranks above repetition of cargo
    assert ids(find("cargo durian"))[:1] == [rare.pk]
    # With the common word alone, repeating it counts
    assert ids(find("cargo"))[0] == common.pk


def test_filters_facets_and_ranking_together(backend, org) -> None:  # type: ignore[no-untyped-def]
    vn = factories.make_org("vn-board", country="VN")
    body = entry(vn, title="Weekly notes", summary="Port tariffs.", country="VN")
    title = entry(vn, title="Port tariffs", summary="Notes.", country="VN")
    entry(org, title="Port tariffs in Thailand", summary="Notes.")
    page = find("tariffs", filters=Filters(country=("VN",)))
    assert ids(page) == [title.pk, body.pk]
    assert page.total == 2
    assert not page.total_is_estimate
    assert {v.value: v.count for v in page.facets["organization"]} == {str(vn.pk): 2}


def test_freshness_breaks_ties(backend, org) -> None:  # type: ignore[no-untyped-def]
    older = entry(org, title="Port statistics")
    newer = entry(org, title="Port statistics")
    later = timezone.now() + dt.timedelta(days=1)
    older.published_at = later - dt.timedelta(days=200)
    older.save(update_fields=["published_at"])
    indexer.queue([older.pk])
    indexer.drain()
    assert ids(find("port statistics", now=later)) == [newer.pk, older.pk]


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced quote',
        "((((rice",
        "rice))))",
        "OR AND NOT",
        "-",
        "*",
        "**",
        "\x00\x01\x1b[31m",
        "\ud800 lone surrogate",
        "a" * 10_000,
        "ร" * 3_000 + " 中" * 500,
        "NOT NOT NOT rice",
        "rice OR",
        '""',
        "「北京」 «Hà Nội» “Bangkok”",
        "' OR 1=1 --",
        "\\' \\\" :* & | ! <->",
        "🙂🙂🙂 𠮷野家",
    ],
)
def test_hostile_queries_never_fail(backend, org, query: str) -> None:  # type: ignore[no-untyped-def]
    entry(org, title="Rice export rules")
    page = find(query)
    assert page.total >= 0


def test_huge_queries_are_cut(backend, org) -> None:  # type: ignore[no-untyped-def]
    page = find("rice " * 1000)
    assert page.query.truncated


# --- filters and facets -------------------------------------------------------------------


def test_filters_and_facet_counts(backend, org) -> None:  # type: ignore[no-untyped-def]
    vn = factories.make_org("vn-ministry", country="VN")
    a = entry(org, title="Trade fair", sectors=["economy-finance"])
    b = entry(vn, title="Trade fair in Hanoi", country="VN", language="vi")
    entry(
        vn,
        title="Trade policy",
        country="VN",
        kind="information.policy",
        details={"policy_type": "law"},
    )
    page = find("trade")
    assert page.total == 3
    countries = {v.value: v.count for v in page.facets["country"]}
    assert countries == {"TH": 1, "VN": 2}
    kinds_ = {v.value: v.count for v in page.facets["kind"]}
    assert kinds_ == {"information.news": 2, "information.policy": 1}
    assert {v.value: v.count for v in page.facets["sector"]} == {"economy-finance": 1}
    assert page.facets["country"][0].label  # names, not only codes
    # Filtered to one value, a field's facet is that value, with the number of matches
    page = find("trade", filters=Filters(country=("VN",)))
    assert {v.value: (v.count, v.selected) for v in page.facets["country"]} == {"VN": (2, True)}
    kinds_ = {v.value: v.count for v in page.facets["kind"]}
    assert kinds_ == {"information.news": 1, "information.policy": 1}
    assert find("trade", filters=Filters(country=("KH",))).facets["country"] == []
    # Within a field any value (OR); across fields all (AND)
    assert set(ids(find("trade", filters=Filters(country=("TH", "VN"))))) >= {a.pk, b.pk}
    assert ids(find("trade", filters=Filters(country=("VN",), kind=("information.news",)))) == [
        b.pk
    ]
    assert ids(find("trade", filters=Filters(language=("vi",)))) == [b.pk]
    assert ids(find("trade", filters=Filters(organization=(org.pk,)))) == [a.pk]
    assert ids(find("trade", filters=Filters(sector=("economy-finance",)))) == [a.pk]
    assert ids(find("trade", filters=Filters(platform=("trade",)))) == []


def test_date_range_and_sort_by_date(backend, org) -> None:  # type: ignore[no-untyped-def]
    old = entry(org, title="Harbor report")
    new = entry(org, title="Harbor report, updated")
    old.published_at = timezone.now() - dt.timedelta(days=400)
    old.save(update_fields=["published_at"])
    indexer.queue([old.pk])
    indexer.drain()
    recent = Filters(published_from=timezone.now() - dt.timedelta(days=30))
    assert ids(find("harbor", filters=recent)) == [new.pk]
    assert ids(find("harbor", sort="date")) == [new.pk, old.pk]
    assert ids(find("", sort="date")) == [new.pk, old.pk]


def test_expired_entries_only_on_request(backend, org) -> None:  # type: ignore[no-untyped-def]
    soon = timezone.now() + dt.timedelta(hours=1)
    made = entry(org, title="Flood warning", expires_at=soon)
    later = soon + dt.timedelta(hours=1)
    assert ids(find("flood")) == [made.pk]
    assert ids(find("flood", now=later)) == []
    assert ids(find("flood", filters=Filters(include_expired=True), now=later)) == [made.pk]


# --- who sees what ------------------------------------------------------------------------


def test_visibility(backend, org) -> None:  # type: ignore[no-untyped-def]
    public = entry(org, title="Notice to all")
    members = entry(org, title="Notice to members", visibility=Visibility.MEMBERS)
    own = entry(org, title="Notice to staff", visibility=Visibility.ORGANIZATION)
    reader = Actor.for_user(factories.make_user())
    staff_user = factories.make_user()
    factories.add_member(staff_user, org, Role.MEMBER)
    staff = Actor.for_user(staff_user)
    assert ids(find("notice")) == [public.pk]
    assert set(ids(find("notice", reader))) == {public.pk, members.pk}
    assert set(ids(find("notice", staff))) == {public.pk, members.pk, own.pk}


def test_expiry_holds_for_every_visibility(backend, org) -> None:  # type: ignore[no-untyped-def]
    soon = timezone.now() + dt.timedelta(hours=1)
    later = soon + dt.timedelta(hours=1)
    public = entry(org, title="Notice to all", expires_at=soon)
    members = entry(org, title="Notice to members", visibility=Visibility.MEMBERS, expires_at=soon)
    own = entry(org, title="Notice to staff", visibility=Visibility.ORGANIZATION, expires_at=soon)
    staff_user = factories.make_user()
    factories.add_member(staff_user, org, Role.MEMBER)
    staff = Actor.for_user(staff_user)
    assert set(ids(find("notice", staff))) == {public.pk, members.pk, own.pk}
    assert ids(find("notice", staff, now=later)) == []
    assert ids(find("notice", now=later)) == []
    everything = Filters(include_expired=True)
    assert set(ids(find("notice", staff, filters=everything, now=later))) == {
        public.pk,
        members.pk,
        own.pk,
    }
    assert ids(find("notice", filters=everything, now=later)) == [public.pk]


def test_unpublished_withdrawn_and_suspended_leave_the_index(backend, org) -> None:  # type: ignore[no-untyped-def]
    draft = factories.make_entry(org, title="Draft harbor plan", status=EntryStatus.DRAFT)
    published = entry(org, title="Published harbor plan")
    indexer.drain()
    assert ids(find("harbor")) == [published.pk]
    admin = factories.make_user()
    factories.add_member(admin, org, Role.ADMIN)
    services.withdraw_entry(
        actor=Actor.for_user(admin),
        origin=audit.Origin(user=admin, via="test"),
        entry=published,
        reason="Superseded",
    )
    indexer.drain()
    assert find("harbor").total == 0
    assert draft.pk not in ids(find("harbor", Actor(is_operator=True)))
    other = entry(org, title="Another harbor plan")
    assert ids(find("harbor")) == [other.pk]
    org.is_active = False
    org.save()
    indexer.drain()
    assert find("harbor").total == 0


def test_search_page_facet_links_toggle_and_clear(backend, org, client) -> None:  # type: ignore[no-untyped-def]
    entry(org, title="Harbor fees", country="TH")
    entry(factories.make_org("vn", country="VN"), title="Harbor fees in Hai Phong", country="VN")
    page = client.get("/en/search/", {"q": "harbor"}).content.decode()
    assert 'href="?q=harbor&amp;country=VN"' in page
    filtered = client.get("/en/search/", {"q": "harbor", "country": "VN"}).content.decode()
    assert "fees in Hai Phong" in filtered  # (Harbor is marked)
    assert "fees</a>" not in filtered
    # The selected value's link takes it off again, and "Clear filters" keeps the words
    assert 'href="?q=harbor"' in filtered
    assert "Clear filters" in filtered
