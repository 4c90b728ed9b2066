"""The editor's path through the portal: write a draft, submit it, an administrator
publishes it, and it appears on the home page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from infoharbor.core.choices import EntryStatus
from infoharbor.core.models import AuditEvent, Entry
from infoharbor.information.models import PolicyDocument
from tests import factories
from tests.portal.conftest import Harbor, signed_in, text

pytestmark = pytest.mark.django_db


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Tariff changes for durian",
        "language": "en",
        "country": "TH",
        "summary": "New rates from July.",
        "body": "Rates **fall** by 5%.",
        "body_format": "markdown",
        "sectors": ["trade-ecommerce", "agriculture"],
        "tags": "durian, tariffs",
        "lat": "13.75",
        "lng": "100.5",
        "region": "Bangkok",
        "source_url": "https://example.org/notice",
        "license": "CC-BY-4.0",
        "visibility": "public",
        "expires_at": "",
        "details-notice_type": "notice",
    }
    data.update(overrides)
    return data


def create_url(harbor: Harbor, kind: str = "information-news") -> str:
    return f"/en/dashboard/{harbor.org.slug}/new/{kind}/"


def test_invalid_entry_shows_field_errors_and_saves_nothing(harbor: Harbor) -> None:
    client = signed_in(harbor.editor)
    response = client.post(
        create_url(harbor),
        form_data(
            title="",
            lat="95",
            lng="",
            **{"details-notice_type": "not-a-type"},
        ),
    )
    assert response.status_code == 200
    html = text(response)
    assert html.count('class="errorlist') >= 3  # title, latitude, notice type
    assert "This field is required." in html
    assert "Select a valid choice" in html
    assert not Entry.objects.exists()


def test_kind_errors_land_on_the_kind_form(harbor: Harbor) -> None:
    client = signed_in(harbor.editor)
    data = form_data(sectors=["trade-ecommerce"])
    del data["details-notice_type"]
    response = client.post(
        create_url(harbor, "information-policy"),
        {
            **data,
            "details-policy_type": "",
            "details-effective_date": "not a date",
        },
    )
    assert response.status_code == 200
    html = text(response)
    assert 'id="id_details-policy_type"' in html
    assert "Enter a valid date." in html
    assert not Entry.objects.exists()


def test_service_errors_are_mapped_back_onto_the_form(harbor: Harbor) -> None:
    """The form lets an expiry in the past through; the service refuses it, and the page
    shows the refusal beside the field instead of failing."""
    client = signed_in(harbor.editor)
    response = client.post(
        create_url(harbor), form_data(sectors=["agriculture"], expires_at="2001-01-01T10:00")
    )
    assert response.status_code == 200
    assert "The expiry time must be in the future." in text(response)
    assert not Entry.objects.exists()


def test_full_editor_flow_from_draft_to_home_page(client: Client, harbor: Harbor) -> None:
    editor = signed_in(harbor.editor)
    response = editor.post(create_url(harbor), form_data())
    entry = Entry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/entries/{entry.pk}/"
    assert entry.status == EntryStatus.DRAFT
    assert entry.author == harbor.editor
    assert entry.news.notice_type == "notice"  # type: ignore[attr-defined]
    assert sorted(entry.tags.values_list("slug", flat=True)) == ["durian", "tariffs"]
    assert entry.sectors.count() == 2
    assert "The draft is saved" in text(editor.get(response["Location"]))
    assert "Tariff changes" not in text(client.get("/en/"))

    # The editor submits it; editors of this organization may not publish.
    page = text(editor.get(f"/en/entries/{entry.pk}/"))
    assert f"/entries/{entry.pk}/submit/" in page
    assert f"/entries/{entry.pk}/publish/" not in page
    response = editor.post(f"/en/entries/{entry.pk}/submit/")
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.IN_REVIEW
    assert editor.post(f"/en/entries/{entry.pk}/publish/").status_code == 403

    # The administrator publishes it from the dashboard and comes back there.
    admin = signed_in(harbor.admin)
    assert f"/entries/{entry.pk}/publish/" in text(admin.get("/en/dashboard/"))
    response = admin.post(f"/en/entries/{entry.pk}/publish/", {"next": "/en/dashboard/"})
    assert response["Location"] == "/en/dashboard/"
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PUBLISHED
    assert "Published." in text(admin.get("/en/dashboard/"))

    assert "Tariff changes for durian" in text(client.get("/en/"))
    actions = list(
        AuditEvent.objects.filter(target_id=str(entry.pk)).values_list("action", flat=True)
    )
    assert sorted(actions) == ["entry.create", "entry.publish", "entry.submit"]


def test_editing_keeps_values_and_saves_changes(harbor: Harbor) -> None:
    entry = factories.make_entry(
        harbor.org,
        harbor.admin,
        status=EntryStatus.DRAFT,
        kind="information.policy",
        details={"policy_type": "law", "document_number": "B.E. 2567"},
        tags=["rice"],
    )
    client = signed_in(harbor.editor)
    page = text(client.get(f"/en/entries/{entry.pk}/edit/"))
    assert 'value="B.E. 2567"' in page
    assert 'value="rice"' in page
    data = form_data(
        title="Rice law, amended",
        **{
            "details-policy_type": "decree",
            "details-document_number": "No. 7",
            "details-in_force": "in_force",
        },
    )
    response = client.post(f"/en/entries/{entry.pk}/edit/", data)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.title == "Rice law, amended"
    policy = PolicyDocument.objects.get(pk=entry.pk)
    assert (policy.policy_type, policy.document_number) == ("decree", "No. 7")


def test_editors_may_not_edit_published_entries_without_publishing_rights(
    harbor: Harbor,
) -> None:
    entry = factories.make_entry(harbor.org, harbor.admin)
    client = signed_in(harbor.editor)
    assert f"/entries/{entry.pk}/edit/" not in text(client.get(f"/en/entries/{entry.pk}/"))
    assert client.get(f"/en/entries/{entry.pk}/edit/").status_code == 403
    assert client.post(f"/en/entries/{entry.pk}/edit/", form_data()).status_code == 403


def test_new_entry_form_defaults_to_the_organizations_country(harbor: Harbor) -> None:
    vietnamese = factories.make_org("vn-ministry", country="VN")
    factories.add_member(harbor.editor, vietnamese)
    page = text(signed_in(harbor.editor).get("/en/dashboard/vn-ministry/new/information-news/"))
    assert '<option value="VN" selected>' in page
