"""Reading entries: who sees what, every list filter, and text in the reader's language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from infoharbor.accounts.choices import TokenScope
from infoharbor.core import audit, services
from infoharbor.core.choices import EntryStatus, Visibility
from infoharbor.core.models import Entry, Language
from tests import factories
from tests.api.conftest import Api, Harbor, actor, ids, problem

pytestmark = pytest.mark.django_db


def set_published_at(entry: Entry, when: dt.datetime) -> None:
    # Test set-up only: place an entry at a known time on the time line.
    Entry.objects.filter(pk=entry.pk).update(published_at=when)


# --- Who sees what ------------------------------------------------------------------------


@pytest.fixture
def spread(harbor: Harbor) -> dict[str, Entry]:
    """One entry of the ministry in each status and visibility, and one of the agency."""
    return {
        "public": harbor.entry(),
        "members": harbor.entry(visibility=Visibility.MEMBERS),
        "organization": harbor.entry(visibility=Visibility.ORGANIZATION),
        "draft": harbor.entry(status=EntryStatus.DRAFT),
        "in_review": harbor.entry(status=EntryStatus.IN_REVIEW),
        "withdrawn": harbor.entry(status=EntryStatus.WITHDRAWN),
        "other_draft": harbor.entry(harbor.other_org, status=EntryStatus.DRAFT, country="VN"),
    }


def names(spread: dict[str, Entry], found: list[int]) -> set[str]:
    by_id = {entry.pk: name for name, entry in spread.items()}
    return {by_id[pk] for pk in found}


def test_anonymous_callers_see_published_public_entries_only(
    api: Api, spread: dict[str, Entry]
) -> None:
    assert names(spread, ids(api.get("entries"))) == {"public"}
    for name in ("members", "organization", "draft", "in_review", "withdrawn"):
        problem(api.get(f"entries/{spread[name].pk}"), 404, "not_found")


def test_any_token_shows_members_entries(
    api: Api, harbor: Harbor, spread: dict[str, Entry]
) -> None:
    token = harbor.token(harbor.outsider, TokenScope.READ)
    assert names(spread, ids(api.get("entries", token))) == {"public", "members"}
    assert api.get(f"entries/{spread['members'].pk}", token).status_code == 200
    problem(api.get(f"entries/{spread['organization'].pk}", token), 404, "not_found")


def test_members_of_the_organization_see_its_organization_only_entries(
    api: Api, harbor: Harbor, spread: dict[str, Entry]
) -> None:
    token = harbor.token(harbor.member, TokenScope.READ)
    assert names(spread, ids(api.get("entries", token))) == {
        "public",
        "members",
        "organization",
    }


def test_editors_see_every_entry_of_their_organization_and_none_of_anothers_drafts(
    api: Api, harbor: Harbor, spread: dict[str, Entry]
) -> None:
    token = harbor.token(harbor.editor, TokenScope.READ)
    found = names(spread, ids(api.get("entries", token)))
    assert found == set(spread) - {"other_draft"}
    problem(api.get(f"entries/{spread['other_draft'].pk}", token), 404, "not_found")


def test_status_filter_lets_editors_find_their_drafts(
    api: Api, harbor: Harbor, spread: dict[str, Entry]
) -> None:
    token = harbor.token(harbor.editor, TokenScope.READ)
    assert names(spread, ids(api.get("entries", token, status="draft"))) == {"draft"}
    assert names(spread, ids(api.get("entries", token, status="in_review"))) == {"in_review"}
    assert names(spread, ids(api.get("entries", token, status="withdrawn"))) == {"withdrawn"}
    # The filter narrows what the caller may see; it never widens it.
    assert ids(api.get("entries", status="draft")) == []
    other = harbor.token(harbor.other_admin, TokenScope.READ)
    assert names(spread, ids(api.get("entries", other, status="draft"))) == {"other_draft"}


def test_moderators_see_submitted_but_not_draft_entries_of_their_country(
    api: Api, harbor: Harbor, spread: dict[str, Entry]
) -> None:
    moderator = factories.make_user()
    factories.make_moderator(moderator, "TH")
    token = harbor.token(moderator, TokenScope.READ)
    found = names(spread, ids(api.get("entries", token)))
    assert {"in_review", "withdrawn"} <= found
    assert "draft" not in found


def test_a_missing_entry_and_a_hidden_one_answer_alike(api: Api, spread: dict[str, Entry]) -> None:
    hidden = problem(api.get(f"entries/{spread['draft'].pk}"), 404, "not_found")
    missing = problem(api.get("entries/987654"), 404, "not_found")
    assert hidden == missing


# --- The representation -------------------------------------------------------------------


def test_entry_detail_shows_the_shared_fields_and_the_kinds_details(
    api: Api, harbor: Harbor
) -> None:
    entry = harbor.entry(
        kind="information.policy",
        title="Durian export rules",
        sectors=["agriculture", "trade-ecommerce"],
        tags=["Durian", "export rules"],
        lat=13.75,
        lng=100.5,
        region="Bangkok",
        details={"policy_type": "regulation", "document_number": "MOC 12/2024"},
    )
    body = api.get(f"entries/{entry.pk}").json()
    assert body["id"] == entry.pk
    assert body["kind"] == "information.policy"
    assert body["title"] == "Durian export rules"
    assert body["body_html"] == "<p>Some <strong>body</strong> text.</p>\n"
    assert body["language"] == body["text_language"] == "en"
    assert body["translated"] is False
    assert body["country"] == "TH"
    assert body["organization"] == {"slug": "thai-ministry", "name": "Thai Ministry of Commerce"}
    assert sorted(body["sectors"]) == ["agriculture", "trade-ecommerce"]
    assert sorted(body["tags"]) == ["durian", "export-rules"]
    assert body["location"] == {"lat": 13.75, "lng": 100.5}
    assert body["status"] == "published"
    assert body["visibility"] == "public"
    assert body["published_at"] is not None
    assert body["url"] == f"http://testserver/en/entries/{entry.pk}/"  # its portal page
    assert body["details"] == {
        "policy_type": "regulation",
        "document_number": "MOC 12/2024",
        "issuing_body": "",
        "effective_date": None,
        "in_force": "in_force",
    }


def test_the_source_and_withdrawal_reason_are_only_for_those_who_may_edit(
    api: Api, harbor: Harbor
) -> None:
    entry = harbor.entry(status=EntryStatus.WITHDRAWN)
    admin = api.get(f"entries/{entry.pk}", harbor.token(harbor.admin, TokenScope.READ)).json()
    assert admin["body"] == "Some **body** text."
    assert admin["withdrawn_reason"] == "Out of date."

    public = harbor.entry()
    anonymous = api.get(f"entries/{public.pk}").json()
    assert anonymous["body"] is None
    assert anonymous["withdrawn_reason"] is None


# --- Translations ---------------------------------------------------------------------------


@pytest.fixture
def translated(harbor: Harbor) -> Entry:
    """An English entry translated into Thai (by a person) and Simplified Chinese (by machine)."""
    entry = harbor.entry(title="Rice prices", summary="Prices rose.")
    origin = audit.Origin(user=harbor.admin, via="test")
    services.save_translation(
        actor=actor(harbor.admin),
        origin=origin,
        entry=entry,
        language=Language.objects.get(code="th"),
        title="ราคาข้าว",
        summary="ราคาสูงขึ้น",
        body="ข้อความ",
    )
    services.save_translation(
        actor=actor(harbor.admin),
        origin=origin,
        entry=entry,
        language=Language.objects.get(code="zh-Hans"),
        title="大米价格",
        is_machine=True,
    )
    return entry


def test_lang_returns_the_translation_where_there_is_one(api: Api, translated: Entry) -> None:
    body = api.get(f"entries/{translated.pk}", lang="th").json()
    assert body["title"] == "ราคาข้าว"
    assert body["summary"] == "ราคาสูงขึ้น"
    assert "ข้อความ" in body["body_html"]
    assert body["text_language"] == "th"
    assert body["language"] == "en"
    assert body["translated"] is True
    assert body["machine_translated"] is False
    assert sorted(body["translations"]) == ["th", "zh-Hans"]


def test_lang_accepts_common_spellings_of_a_language(api: Api, translated: Entry) -> None:
    for spelling in ("zh-Hans", "zh-hans", "zh-CN", "zh_Hans"):
        body = api.get(f"entries/{translated.pk}", lang=spelling).json()
        assert body["title"] == "大米价格", spelling
        assert body["text_language"] == "zh-Hans"
        assert body["machine_translated"] is True


def test_lang_falls_back_to_the_original_without_a_translation(api: Api, translated: Entry) -> None:
    for lang in ("vi", "en", "xx"):
        body = api.get(f"entries/{translated.pk}", lang=lang).json()
        assert body["title"] == "Rice prices", lang
        assert body["text_language"] == "en"
        assert body["translated"] is False


def test_lang_applies_to_every_item_of_a_list(api: Api, harbor: Harbor, translated: Entry) -> None:
    untranslated = harbor.entry(title="Fishing quotas")
    items = {item["id"]: item for item in api.get("entries", lang="th").json()["items"]}
    assert items[translated.pk]["title"] == "ราคาข้าว"
    assert items[untranslated.pk]["title"] == "Fishing quotas"
    assert items[untranslated.pk]["text_language"] == "en"


# --- Filters --------------------------------------------------------------------------------


def test_filter_by_country(api: Api, harbor: Harbor) -> None:
    thai = harbor.entry(country="TH")
    vietnamese = harbor.entry(harbor.other_org, country="VN")
    assert ids(api.get("entries", country="TH")) == [thai.pk]
    assert ids(api.get("entries", country="vn")) == [vietnamese.pk]  # either case
    assert ids(api.get("entries", country="SG")) == []
    body = problem(api.get("entries", country="THA"), 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["country"]


def test_filter_by_language(api: Api, harbor: Harbor) -> None:
    english = harbor.entry(language="en")
    thai = harbor.entry(language="th")
    chinese = harbor.entry(language="zh-Hans")
    assert ids(api.get("entries", language="th")) == [thai.pk]
    assert ids(api.get("entries", language="en")) == [english.pk]
    assert ids(api.get("entries", language="zh-hans")) == [chinese.pk]
    assert ids(api.get("entries", language="zh-CN")) == [chinese.pk]


def test_filter_by_sector_includes_sub_sectors_and_repeats(api: Api, harbor: Harbor) -> None:
    farming = harbor.entry(sectors=["agriculture"])
    ai = harbor.entry(sectors=["ai"])
    science = harbor.entry(sectors=["science-technology"])
    both = harbor.entry(sectors=["agriculture", "ai"])
    harbor.entry(sectors=["tourism"])
    assert sorted(ids(api.get("entries", sector="agriculture"))) == sorted([farming.pk, both.pk])
    assert sorted(ids(api.get("entries", sector="science-technology"))) == sorted(
        [ai.pk, science.pk, both.pk]
    )
    assert sorted(ids(api.get("entries", sector=["agriculture", "ai"]))) == sorted(
        [farming.pk, ai.pk, both.pk]  # each once, though "both" matches twice
    )


def test_filter_by_kind_and_platform(api: Api, harbor: Harbor) -> None:
    news = harbor.entry(kind="information.news")
    policy = harbor.entry(kind="information.policy", details={"policy_type": "law"})
    assert ids(api.get("entries", kind="information.news")) == [news.pk]
    assert ids(api.get("entries", kind="information.policy")) == [policy.pk]
    assert sorted(ids(api.get("entries", platform="information"))) == sorted([news.pk, policy.pk])
    assert ids(api.get("entries", platform="trade")) == []  # a platform with no kinds yet

    body = problem(api.get("entries", kind="trade.lead"), 422, "validation_error")
    assert body["errors"] == [{"field": "kind", "message": body["errors"][0]["message"]}]
    assert "/api/v1/kinds" in body["errors"][0]["message"]
    body = problem(api.get("entries", platform="shipping"), 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["platform"]


def test_filter_by_organization(api: Api, harbor: Harbor) -> None:
    ours = harbor.entry()
    theirs = harbor.entry(harbor.other_org, country="VN")
    assert ids(api.get("entries", organization="thai-ministry")) == [ours.pk]
    assert ids(api.get("entries", organization="vietnam-trade-agency")) == [theirs.pk]
    assert ids(api.get("entries", organization="nobody")) == []


def test_filter_by_tag(api: Api, harbor: Harbor) -> None:
    durian = harbor.entry(tags=["Durian", "exports"])
    harbor.entry(tags=["rice"])
    assert ids(api.get("entries", tag="durian")) == [durian.pk]
    assert ids(api.get("entries", tag="Durian ")) == [durian.pk]  # slugged like the tags
    assert ids(api.get("entries", tag="mango")) == []


def test_filter_by_publication_time(api: Api, harbor: Harbor) -> None:
    march, april, may = (harbor.entry() for _ in range(3))
    set_published_at(march, dt.datetime(2024, 3, 10, tzinfo=dt.UTC))
    set_published_at(april, dt.datetime(2024, 4, 10, tzinfo=dt.UTC))
    set_published_at(may, dt.datetime(2024, 5, 10, tzinfo=dt.UTC))

    after = api.get("entries", published_after="2024-04-01T00:00:00Z")
    assert ids(after) == [may.pk, april.pk]
    before = api.get("entries", published_before="2024-04-10T00:00:00Z")
    assert ids(before) == [march.pk]  # the bound is exclusive
    window = api.get("entries", published_after="2024-04-10", published_before="2024-05-01")
    assert ids(window) == [april.pk]  # a date is its midnight, UTC
    # An offset is honoured: 07:00 in Bangkok on 10 April is midnight UTC.
    bangkok = api.get("entries", published_after="2024-04-10T07:00:00+07:00")
    assert ids(bangkok) == [may.pk, april.pk]

    problem(api.get("entries", published_after="last week"), 422, "validation_error")


def test_filters_combine(api: Api, harbor: Harbor) -> None:
    wanted = harbor.entry(language="th", sectors=["agriculture"], tags=["rice"])
    harbor.entry(language="th", sectors=["agriculture"])
    harbor.entry(language="en", sectors=["agriculture"], tags=["rice"])
    harbor.entry(harbor.other_org, country="VN", language="th", sectors=["agriculture"])
    found = api.get(
        "entries",
        language="th",
        sector="agriculture",
        tag="rice",
        country="TH",
        organization="thai-ministry",
        kind="information.news",
    )
    assert ids(found) == [wanted.pk]


def test_lists_are_newest_first(api: Api, harbor: Harbor) -> None:
    entries = [harbor.entry() for _ in range(3)]
    now = timezone.now()
    for age, entry in enumerate(entries):
        set_published_at(entry, now - dt.timedelta(days=age))
    assert ids(api.get("entries")) == [entry.pk for entry in entries]
