"""Editors translate entries; readers get their language or the original, told which;
moderators withdraw with a reason the publisher sees; operators read the audit trail."""

from __future__ import annotations

import pytest
from django.test import Client

from infoharbor.core.choices import EntryStatus
from infoharbor.core.models import AuditEvent, Entry, EntryTranslation
from tests import factories
from tests.portal.conftest import Harbor, signed_in, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(harbor: Harbor) -> Entry:
    return factories.make_entry(
        harbor.org, harbor.admin, title="Rice export quota", summary="Quota for 2027."
    )


def test_editor_adds_a_translation_and_readers_of_that_language_get_it(
    harbor: Harbor, entry: Entry
) -> None:
    client = signed_in(harbor.admin)
    page = text(client.get(entry.get_absolute_url()))
    assert "Add or edit a translation" in page

    chosen = client.get(f"/en/entries/{entry.pk}/translations/", {"language": "th"})
    assert chosen["Location"] == f"/en/entries/{entry.pk}/translations/th/"
    form = client.get(chosen["Location"])
    assert form.status_code == 200
    assert "Rice export quota" in text(form)  # the original beside the form

    saved = client.post(
        chosen["Location"],
        {"title": "โควตาส่งออกข้าว", "summary": "", "body": "**ข้าว**", "body_format": "markdown"},
    )
    assert saved.status_code == 302
    translation = EntryTranslation.objects.get(entry=entry, language="th")
    assert translation.body_html.strip() == "<p><strong>ข้าว</strong></p>"
    assert not translation.is_machine

    thai_reader = Client()
    page = text(thai_reader.get(f"/th/entries/{entry.pk}/"))
    assert "โควตาส่งออกข้าว" in page
    assert "Quota for 2027." in page  # the summary left empty comes from the original
    # Editing again starts from what was saved, including the Markdown source.
    assert "**ข้าว**" in text(client.get(chosen["Location"]))


def test_reader_without_a_translation_gets_the_original_with_a_note(
    client: Client, entry: Entry
) -> None:
    page = text(client.get(f"/vi/entries/{entry.pk}/"))
    assert "Rice export quota" in page
    assert 'role="note"' in page
    assert '<h1 lang="en">' in page


def test_machine_translations_carry_a_notice(harbor: Harbor, entry: Entry) -> None:
    client = signed_in(harbor.admin)
    client.post(
        f"/en/entries/{entry.pk}/translations/zh-Hans/",
        {"title": "大米出口配额", "body_format": "markdown", "is_machine": "on"},
    )
    page = text(Client().get(f"/en/entries/{entry.pk}/?lang=zh-Hans"))
    assert "大米出口配额" in page
    assert "Machine translation from English" in page


def test_strangers_may_not_translate(harbor: Harbor, entry: Entry) -> None:
    stranger = signed_in(factories.make_user("stranger@example.org"))
    response = stranger.post(
        f"/en/entries/{entry.pk}/translations/th/", {"title": "x", "body_format": "markdown"}
    )
    assert response.status_code == 403
    assert not EntryTranslation.objects.exists()
    assert "Add or edit a translation" not in text(stranger.get(entry.get_absolute_url()))


def test_translation_form_errors_are_shown(harbor: Harbor, entry: Entry) -> None:
    client = signed_in(harbor.admin)
    response = client.post(
        f"/en/entries/{entry.pk}/translations/th/", {"title": "", "body_format": "markdown"}
    )
    assert response.status_code == 200
    assert 'class="errorlist' in text(response)
    original = client.get(f"/en/entries/{entry.pk}/translations/", {"language": "en"})
    assert original.status_code == 302  # the original's own language is not a translation
    assert not EntryTranslation.objects.exists()


def test_moderator_withdraws_with_a_reason_the_publisher_sees(harbor: Harbor, entry: Entry) -> None:
    moderator = factories.make_user("moderator@example.org")
    factories.make_moderator(moderator, "TH")
    client = signed_in(moderator)
    assert "Withdraw" in text(client.get(entry.get_absolute_url()))

    refused = client.post(f"/en/entries/{entry.pk}/withdraw/", {"reason": "  "})
    entry.refresh_from_db()
    assert refused.status_code == 302
    assert entry.status == EntryStatus.PUBLISHED  # a reason is required

    client.post(f"/en/entries/{entry.pk}/withdraw/", {"reason": "Duplicates notice 12."})
    entry.refresh_from_db()
    assert entry.status == EntryStatus.WITHDRAWN
    assert Client().get(entry.get_absolute_url()).status_code == 404  # gone for readers
    publisher_view = text(signed_in(harbor.admin).get(entry.get_absolute_url()))
    assert "Duplicates notice 12." in publisher_view


def test_moderators_of_another_country_cannot_withdraw(harbor: Harbor, entry: Entry) -> None:
    moderator = factories.make_user("vn-moderator@example.org")
    factories.make_moderator(moderator, "VN")
    response = signed_in(moderator).post(f"/en/entries/{entry.pk}/withdraw/", {"reason": "No."})
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PUBLISHED
    assert response.status_code in {302, 403, 404}


def test_moderation_queue_holds_unreviewed_published_entries_of_the_country(
    harbor: Harbor, entry: Entry
) -> None:
    vietnam = factories.make_org("vn-org", country="VN")
    factories.make_entry(vietnam, title="Vietnamese notice", country="VN")
    moderator = factories.make_user("moderator@example.org")
    factories.make_moderator(moderator, "TH")
    client = signed_in(moderator)
    page = text(client.get("/en/moderation/"))
    assert entry.title in page
    assert "Vietnamese notice" not in page

    client.post(f"/en/entries/{entry.pk}/review/", {"next": "/en/moderation/"})
    entry.refresh_from_db()
    assert entry.reviewed_at is not None
    assert entry.reviewed_by == moderator
    assert entry.title not in text(client.get("/en/moderation/"))


def test_operators_read_the_audit_trail_in_the_operator_site(harbor: Harbor, entry: Entry) -> None:
    event = AuditEvent.objects.filter(action="entry.publish").latest("at")
    operator = signed_in(factories.make_operator())
    listing = operator.get("/en/operator/core/auditevent/")
    assert listing.status_code == 200
    assert "entry.publish" in text(listing)
    detail = operator.get(f"/en/operator/core/auditevent/{event.pk}/change/")
    assert detail.status_code == 200
    assert harbor.admin.email in text(detail)
    # Publishers are not operators: the operator site is closed to them.
    assert signed_in(harbor.admin).get("/en/operator/core/auditevent/").status_code == 302
