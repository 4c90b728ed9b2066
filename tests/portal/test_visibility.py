"""Readers see only what they may: drafts, members-only and organization-only entries stay
out of public lists, and their pages are 404 (their existence is not revealed)."""

from __future__ import annotations

import pytest
from django.test import Client

from infoharbor.accounts.choices import Role
from infoharbor.core.choices import EntryStatus, Visibility
from tests import factories
from tests.portal.conftest import Harbor, signed_in, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden(harbor: Harbor) -> dict[str, int]:
    make = factories.make_entry
    return {
        "draft": make(harbor.org, harbor.admin, title="Secret draft", status=EntryStatus.DRAFT).pk,
        "in_review": make(
            harbor.org, harbor.admin, title="Waiting review", status=EntryStatus.IN_REVIEW
        ).pk,
        "members": make(
            harbor.org, harbor.admin, title="Members only", visibility=Visibility.MEMBERS
        ).pk,
        "organization": make(
            harbor.org, harbor.admin, title="Ministry only", visibility=Visibility.ORGANIZATION
        ).pk,
        "withdrawn": make(
            harbor.org, harbor.admin, title="Taken down", status=EntryStatus.WITHDRAWN
        ).pk,
    }


TITLES = ["Secret draft", "Waiting review", "Members only", "Ministry only", "Taken down"]


def test_anonymous_readers_see_none_of_them(client: Client, hidden: dict[str, int]) -> None:
    for page in ["/en/", "/en/entries/", "/en/organizations/thai-ministry/", "/en/countries/th/"]:
        html = text(client.get(page))
        for title in TITLES:
            assert title not in html, (page, title)
    for key, pk in hidden.items():
        assert client.get(f"/en/entries/{pk}/").status_code == 404, key


def test_signed_in_strangers_see_members_only_entries(hidden: dict[str, int]) -> None:
    stranger = signed_in(factories.make_user())
    assert "Members only" in text(stranger.get("/en/entries/"))
    assert stranger.get(f"/en/entries/{hidden['members']}/").status_code == 200
    for key in ["draft", "in_review", "organization", "withdrawn"]:
        assert stranger.get(f"/en/entries/{hidden[key]}/").status_code == 404, key


def test_members_see_their_organizations_entries(harbor: Harbor, hidden: dict[str, int]) -> None:
    member = factories.make_user()
    factories.add_member(member, harbor.org, Role.MEMBER)
    client = signed_in(member)
    assert "Ministry only" in text(client.get("/en/entries/"))
    assert client.get(f"/en/entries/{hidden['draft']}/").status_code == 404


def test_editors_see_their_drafts_but_public_lists_stay_published_only(
    harbor: Harbor, hidden: dict[str, int]
) -> None:
    client = signed_in(harbor.editor)
    page = client.get(f"/en/entries/{hidden['draft']}/")
    assert page.status_code == 200
    assert "Not published" in text(page)
    assert "Secret draft" not in text(client.get("/en/entries/"))
    assert "Secret draft" in text(client.get("/en/dashboard/"))


def test_moderators_see_submitted_entries_of_their_country(hidden: dict[str, int]) -> None:
    moderator = factories.make_user()
    factories.make_moderator(moderator, "TH")
    client = signed_in(moderator)
    assert client.get(f"/en/entries/{hidden['in_review']}/").status_code == 200
    assert client.get(f"/en/entries/{hidden['draft']}/").status_code == 404
