"""Translations through the API, sending entries in review back, and expired entries."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from infoharbor.core.choices import EntryStatus
from infoharbor.core.models import Entry, EntryTranslation
from tests.api.conftest import Api, Harbor, ids, problem

pytestmark = pytest.mark.django_db


def put(api: Api, path: str, body: dict[str, object], token: str) -> object:
    return api.client.put(
        api.url(path),
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_an_editor_of_the_organization_adds_and_replaces_a_translation(
    api: Api, harbor: Harbor
) -> None:
    entry = harbor.entry(title="Rice export quota", summary="Quota for 2027.")
    token = harbor.token(harbor.admin)
    response = put(api, f"entries/{entry.pk}/translations/th", {"title": "โควตาข้าว"}, token)
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    shown = response.json()  # type: ignore[attr-defined]
    assert shown["title"] == "โควตาข้าว"
    assert shown["summary"] == "Quota for 2027."  # empty parts come from the original

    put(
        api,
        f"entries/{entry.pk}/translations/th",
        {"title": "โควตาส่งออกข้าว", "is_machine": True},
        token,
    )
    translation = EntryTranslation.objects.get(entry=entry, language="th")
    assert translation.title == "โควตาส่งออกข้าว"
    assert translation.is_machine
    assert api.get(f"entries/{entry.pk}", lang="th").json()["title"] == "โควตาส่งออกข้าว"


def test_translation_errors(api: Api, harbor: Harbor) -> None:
    entry = harbor.entry()
    token = harbor.token(harbor.admin)
    problem(
        put(api, f"entries/{entry.pk}/translations/xx", {"title": "x"}, token), 404, "not_found"
    )
    problem(
        put(api, f"entries/{entry.pk}/translations/en", {"title": "x"}, token),
        422,
        "validation_error",
    )
    problem(
        put(api, f"entries/{entry.pk}/translations/th", {"title": ""}, token),
        422,
        "validation_error",
    )
    stranger = harbor.token(harbor.other_admin)
    problem(
        put(api, f"entries/{entry.pk}/translations/th", {"title": "x"}, stranger),
        403,
        "permission_denied",
    )
    assert not EntryTranslation.objects.exists()


def test_a_publisher_sends_an_entry_in_review_back(api: Api, harbor: Harbor) -> None:
    entry = harbor.entry(status=EntryStatus.IN_REVIEW)
    response = api.post(
        f"entries/{entry.pk}/withdraw",
        {"reason": "Add the decree number."},
        harbor.token(harbor.admin),
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == EntryStatus.WITHDRAWN
    assert response.json()["withdrawn_reason"] == "Add the decree number."
    resubmitted = api.post(f"entries/{entry.pk}/submit", None, harbor.token(harbor.editor))
    assert resubmitted.json()["status"] == EntryStatus.IN_REVIEW


def test_expired_entries_are_listed_only_when_asked(api: Api, harbor: Harbor) -> None:
    live = harbor.entry(title="Live")
    expired = harbor.entry(title="Expired")
    Entry.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    assert ids(api.get("entries")) == [live.pk]
    assert set(ids(api.get("entries", include_expired="true"))) == {live.pk, expired.pk}
    assert api.get(f"entries/{expired.pk}").status_code == 200  # its address still answers
