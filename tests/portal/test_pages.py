"""Every page renders, in English and in Simplified Chinese."""

from __future__ import annotations

import pytest
from django.template import loader
from django.test import Client
from django.utils import translation

from infoharbor.accounts.choices import Role
from infoharbor.core.choices import EntryStatus
from tests import factories
from tests.portal.conftest import Harbor, html_lang, signed_in, text

pytestmark = pytest.mark.django_db

LANGUAGES = [("en", "en"), ("zh-hans", "zh-Hans")]


@pytest.mark.parametrize(("prefix", "lang"), LANGUAGES)
def test_public_pages_render_in_each_language(
    client: Client, harbor: Harbor, prefix: str, lang: str
) -> None:
    entry = factories.make_entry(harbor.org, harbor.admin, title="Rice export notice")
    pages = [
        "/",
        "/about/",
        "/entries/",
        f"/entries/{entry.pk}/",
        "/organizations/",
        f"/organizations/{harbor.org.slug}/",
        "/countries/",
        "/countries/th/",
        "/countries/de/",
        "/?country=TH",
    ]
    for page in pages:
        response = client.get(f"/{prefix}{page}")
        assert response.status_code == 200, page
        assert html_lang(response) == lang, page
        assert "style=" not in text(response), page
        assert "<script" not in text(response), page


@pytest.mark.parametrize(("prefix", "lang"), LANGUAGES)
def test_member_pages_render_in_each_language(harbor: Harbor, prefix: str, lang: str) -> None:
    entry = factories.make_entry(harbor.org, harbor.admin, status=EntryStatus.DRAFT)
    factories.make_moderator(harbor.admin, "TH")
    client = signed_in(harbor.admin)
    pages = [
        "/dashboard/",
        f"/dashboard/{harbor.org.slug}/",
        f"/dashboard/{harbor.org.slug}/?status=draft",
        f"/dashboard/{harbor.org.slug}/new/information-news/",
        f"/dashboard/{harbor.org.slug}/new/information-policy/",
        f"/entries/{entry.pk}/edit/",
        "/moderation/",
    ]
    for page in pages:
        response = client.get(f"/{prefix}{page}")
        assert response.status_code == 200, page
        assert html_lang(response) == lang, page
        assert "style=" not in text(response), page


def test_chinese_interface_names_countries_in_chinese(client: Client, harbor: Harbor) -> None:
    factories.make_entry(harbor.org, harbor.admin)
    response = client.get("/zh-hans/countries/th/")
    assert "泰国" in text(response)
    response = client.get("/en/countries/th/")
    assert "Thailand" in text(response)


def test_uppercase_country_address_redirects_to_the_lowercase_one(client: Client) -> None:
    response = client.get("/en/countries/TH/")
    assert response.status_code == 302
    assert response["Location"] == "/en/countries/th/"


@pytest.mark.parametrize(("prefix", "lang"), LANGUAGES)
def test_missing_pages_are_404_pages_in_the_interface_language(
    client: Client, prefix: str, lang: str
) -> None:
    for page in ["/entries/999999/", "/organizations/nobody/", "/countries/zz/"]:
        response = client.get(f"/{prefix}{page}")
        assert response.status_code == 404, page
        assert html_lang(response) == lang


def test_dashboard_asks_anonymous_visitors_to_sign_in(client: Client) -> None:
    response = client.get("/en/dashboard/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_moderation_queue_is_forbidden_to_people_who_do_not_moderate(harbor: Harbor) -> None:
    response = signed_in(harbor.editor).get("/en/moderation/")
    assert response.status_code == 403
    assert html_lang(response) == "en"


def test_new_entry_form_is_forbidden_to_plain_members(harbor: Harbor) -> None:
    member = factories.make_user()
    factories.add_member(member, harbor.org, Role.MEMBER)
    client = signed_in(member)
    assert client.get(f"/en/dashboard/{harbor.org.slug}/new/information-news/").status_code == 403
    dashboard = text(client.get("/en/dashboard/"))
    assert f"/dashboard/{harbor.org.slug}/new/" not in dashboard


def test_unknown_kind_in_the_new_entry_address_is_404(harbor: Harbor) -> None:
    response = signed_in(harbor.editor).get(f"/en/dashboard/{harbor.org.slug}/new/nope-kind/")
    assert response.status_code == 404


def test_server_error_page_renders_without_a_request() -> None:
    with translation.override("th"):
        html = loader.get_template("500.html").render()
    assert '<html lang="th">' in html


def test_about_page_says_demo_data_is_demo(client: Client) -> None:
    assert "Demo" in text(client.get("/en/about/"))
