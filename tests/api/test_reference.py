"""Organizations and the reference data: countries, languages, sectors and kinds."""

from __future__ import annotations

import pytest

from infoharbor.core.models import Sector
from tests import factories
from tests.api.conftest import Api, problem

pytestmark = pytest.mark.django_db


# --- Organizations --------------------------------------------------------------------------


@pytest.fixture
def organizations(db: None) -> None:
    ministry = factories.make_org(
        "thai-ministry",
        country="TH",
        name="Thai Ministry of Commerce",
        kind="government",
        description="Trade policy.",
        website="https://example.org/moc",
        verified=True,
    )
    ministry.sectors.set(Sector.objects.filter(slug__in=["trade-ecommerce", "agriculture"]))
    factories.make_org("vn-news", country="VN", name="Vietnam Daily", kind="media")
    factories.make_org("sg-uni", country="SG", name="Singapore University", kind="university")
    factories.make_org("old-agency", country="TH", name="Old Agency", is_active=False)


def slugs(response: object) -> list[str]:
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    return [item["slug"] for item in response.json()["items"]]  # type: ignore[attr-defined]


def test_organizations_are_listed_by_name(api: Api, organizations: None) -> None:
    assert slugs(api.get("organizations")) == ["sg-uni", "thai-ministry", "vn-news"]
    assert api.get("organizations").json()["next"] is None


def test_organizations_by_country_and_kind(api: Api, organizations: None) -> None:
    assert slugs(api.get("organizations", country="th")) == ["thai-ministry"]
    assert slugs(api.get("organizations", kind="media")) == ["vn-news"]
    assert slugs(api.get("organizations", country="VN", kind="government")) == []
    body = problem(api.get("organizations", kind="club"), 422, "validation_error")
    assert [error["field"] for error in body["errors"]] == ["kind"]
    problem(api.get("organizations", country="Thailand"), 422, "validation_error")


def test_an_organization(api: Api, organizations: None) -> None:
    body = api.get("organizations/thai-ministry").json()
    assert body == {
        "slug": "thai-ministry",
        "name": "Thai Ministry of Commerce",
        "kind": "government",
        "country": "TH",
        "sectors": ["trade-ecommerce", "agriculture"],  # in the sectors' own order
        "description": "Trade policy.",
        "website": "https://example.org/moc",
        "verified": True,
        "active": True,
        "url": "http://testserver/en/organizations/thai-ministry/",
    }


def test_a_suspended_organization_is_still_found_by_its_slug(api: Api, organizations: None) -> None:
    assert api.get("organizations/old-agency").json()["active"] is False
    problem(api.get("organizations/nobody"), 404, "not_found")


# --- Countries ------------------------------------------------------------------------------


def test_countries_with_names_in_the_asked_language(api: Api, db: None) -> None:
    body = api.get("countries", lang="th").json()
    assert body["language"] == "th"
    by_code = {country["iso2"]: country for country in body["items"]}
    thailand = by_code["TH"]
    assert thailand["name"] == "ไทย"
    assert thailand["names"]["en"] == "Thailand"
    assert thailand["names"]["zh-Hans"] == "泰国"
    assert thailand["iso3"] == "THA"
    assert thailand["region_member"] is True
    assert "th" in thailand["languages"]
    assert thailand["url"] == "http://testserver/en/countries/th/"


def test_country_names_follow_accept_language_and_fall_back_to_english(api: Api, db: None) -> None:
    vietnamese = api.client.get("/api/v1/countries/TH", HTTP_ACCEPT_LANGUAGE="vi")
    assert vietnamese.json()["name"] == "Thái Lan"
    assert api.get("countries/TH", lang="zh-CN").json()["name"] == "泰国"
    unknown = api.get("countries", lang="xx").json()
    assert unknown["language"] == "en"  # the language the names are really in
    assert {c["iso2"]: c["name"] for c in unknown["items"]}["TH"] == "Thailand"


def test_region_members_are_china_and_asean(api: Api, db: None) -> None:
    members = {c["iso2"] for c in api.get("countries", region_member="true").json()["items"]}
    asean = {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"}
    assert asean | {"CN"} <= members
    others = {c["iso2"] for c in api.get("countries", region_member="false").json()["items"]}
    assert not members & others
    assert "US" in others


def test_a_country_by_code_in_either_case(api: Api, db: None) -> None:
    assert api.get("countries/vn").json()["iso2"] == "VN"
    problem(api.get("countries/ZZ"), 404, "not_found")


# --- Languages, sectors, kinds ----------------------------------------------------------------


def test_languages(api: Api, db: None) -> None:
    body = api.get("languages", lang="en").json()
    by_code = {language["code"]: language for language in body["items"]}
    assert {"zh-Hans", "zh-Hant", "en", "th", "vi", "id", "ms", "km", "lo", "my"} <= set(by_code)
    assert by_code["th"]["name"] == "Thai"
    assert by_code["th"]["native_name"] == "ไทย"
    assert by_code["th"]["spaced"] is False
    assert by_code["en"]["spaced"] is True
    assert api.get("languages", lang="th").json()["language"] == "th"


def test_sectors_are_a_tree(api: Api, db: None) -> None:
    body = api.get("sectors", lang="en").json()
    items = body["items"]
    by_slug = {sector["slug"]: sector for sector in items}
    assert by_slug["science-technology"]["parent"] is None
    assert "ai" in by_slug["science-technology"]["children"]
    assert by_slug["ai"]["parent"] == "science-technology"
    assert by_slug["ai"]["children"] == []
    position = {sector["slug"]: n for n, sector in enumerate(items)}
    for sector in items:
        for child in sector["children"]:
            assert by_slug[child]["parent"] == sector["slug"]
            assert position[child] > position[sector["slug"]]  # children follow the parent
    assert len(items) == Sector.objects.count()
    assert api.get("sectors", lang="th").json()["items"][0]["name"] != items[0]["name"]


def test_kinds_describe_their_details(api: Api, db: None) -> None:
    body = api.get("kinds").json()
    by_key = {kind["key"]: kind for kind in body["items"]}
    assert set(by_key) >= {"information.news", "information.policy"}
    policy = by_key["information.policy"]
    assert policy["slug"] == "information-policy"
    assert policy["platform"] == "information"
    assert policy["platform_name"] == "Information sharing"
    assert policy["label"] == "Policy document"
    schema = policy["details_schema"]
    assert schema["required"] == ["policy_type"]
    assert {"policy_type", "document_number", "effective_date", "in_force"} <= set(
        schema["properties"]
    )
