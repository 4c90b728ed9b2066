"""The shipped reference data, as loaded into the database by migrate."""

from __future__ import annotations

import os

import pytest
from django.db import connection

from infoharbor.core import refdata
from infoharbor.core.languages import CONTENT_LANGUAGES
from infoharbor.core.models import Country, Currency, Language, Sector

pytestmark = pytest.mark.django_db

REGION = {"CN", "BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN"}


def test_region_members_have_names_capitals_and_currencies_in_every_language() -> None:
    members = Country.objects.filter(region_member=True).select_related("currency")
    assert {c.iso2 for c in members} == REGION
    for country in members:
        assert set(country.names) >= set(CONTENT_LANGUAGES), country.iso2
        assert set(country.capital) >= set(CONTENT_LANGUAGES), country.iso2
        assert country.currency is not None
        assert set(country.currency.names) >= set(CONTENT_LANGUAGES), country.iso2
        assert country.flag
        assert country.languages.exists()
    assert Country.objects.get(iso2="TL").currency_id == "USD"
    assert Country.objects.get(iso2="LA").name_in("lo") == "ລາວ"
    assert Country.objects.get(iso2="VN").name_in("zh-hans") == "越南"


def test_other_countries_exist_for_organizations_from_outside_the_region() -> None:
    assert Country.objects.count() >= 240
    assert Country.objects.get(iso2="DE").name_in("en") == "Germany"
    # Names fall back to English where a language is missing.
    assert Country.objects.get(iso2="DE").name_in("km") == "Germany"


def test_languages_and_sectors() -> None:
    assert list(Language.objects.values_list("code", flat=True)) == list(CONTENT_LANGUAGES)
    unspaced = set(Language.objects.filter(spaced=False).values_list("code", flat=True))
    assert unspaced == {"zh-Hans", "zh-Hant", "th", "km", "lo", "my"}
    science = Sector.objects.get(slug="science-technology")
    assert set(science.children.values_list("slug", flat=True)) == {
        "ai",
        "5g",
        "big-data",
        "blockchain",
        "cloud",
        "iot",
        "smart-city",
        "telemedicine",
    }
    assert Sector.objects.filter(parent=None).count() == 11
    for sector in Sector.objects.all():
        assert set(sector.names) >= set(CONTENT_LANGUAGES), sector.slug
    assert Currency.objects.filter(code="THB").exists()


def test_loading_again_changes_nothing() -> None:
    report = refdata.load()
    assert (report.created, report.updated) == (0, 0)


def test_suite_runs_on_the_configured_database(db: None) -> None:
    """`./harbor test` runs the suite twice; the PostgreSQL run must really use PostgreSQL."""
    url = os.environ.get("INFOHARBOR_DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected
