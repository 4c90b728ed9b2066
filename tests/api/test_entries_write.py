"""Writing entries with a write token: create, change, submit, publish and withdraw."""

from __future__ import annotations

from typing import Any

import pytest

from infoharbor.accounts.choices import TokenScope
from infoharbor.core.choices import EntryStatus, Visibility
from infoharbor.core.models import AuditEvent, Entry
from infoharbor.information.models import News, PolicyDocument
from tests import factories
from tests.api.conftest import Api, Harbor, ids, problem

pytestmark = pytest.mark.django_db


def new_entry(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "information.news",
        "organization": "thai-ministry",
        "title": "Durian export season opens",
        "summary": "Exports start on 1 May.",
        "body": "Growers may ship **from May**.",
        "language": "en",
        "country": "TH",
        "sectors": ["agriculture", "trade-ecommerce"],
        "tags": ["Durian", "exports", "durian"],
        "lat": 13.75,
        "lng": 100.5,
        "region": "Chanthaburi",
        "source_url": "https://example.org/durian",
        "details": {"notice_type": "announcement"},
    }
    body.update(overrides)
    return body


# --- Create ---------------------------------------------------------------------------------


def test_an_editor_creates_a_draft(api: Api, harbor: Harbor) -> None:
    response = api.post("entries", new_entry(), harbor.token(harbor.editor))
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == f"http://testserver/api/v1/entries/{body['id']}"
    assert body["status"] == "draft"
    assert body["published_at"] is None
    assert body["title"] == "Durian export season opens"
    assert body["body"] == "Growers may ship **from May**."
    assert body["body_html"] == "<p>Growers may ship <strong>from May</strong>.</p>\n"
    assert sorted(body["sectors"]) == ["agriculture", "trade-ecommerce"]
    assert sorted(body["tags"]) == ["durian", "exports"]
    assert body["location"] == {"lat": 13.75, "lng": 100.5}
    assert body["license"] == "CC-BY-4.0"
    assert body["visibility"] == "public"
    assert body["provenance"] == "authored"
    assert body["details"] == {"notice_type": "announcement"}

    entry = Entry.objects.get(pk=body["id"])
    assert entry.author == harbor.editor
    assert entry.organization == harbor.org
    assert News.objects.get(pk=entry.pk).notice_type == "announcement"
    event = AuditEvent.objects.get(action="entry.create", target_id=str(entry.pk))
    assert event.via == "api"
    assert event.actor == harbor.editor
    # A draft is the editor's business: the public does not see it.
    problem(api.get(f"entries/{entry.pk}"), 404, "not_found")


def test_only_the_required_fields_are_needed(api: Api, harbor: Harbor) -> None:
    minimal = {key: new_entry()[key] for key in ("kind", "organization", "title", "language")}
    minimal["country"] = "th"  # either case
    response = api.post("entries", minimal, harbor.token(harbor.editor))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["country"] == "TH"
    assert body["details"] == {"notice_type": "news"}  # the kind's default
    assert body["sectors"] == body["tags"] == []
    assert body["location"] is None


def test_a_policy_document_with_its_details(api: Api, harbor: Harbor) -> None:
    details = {
        "policy_type": "regulation",
        "document_number": "MOC 7/2024",
        "issuing_body": "Ministry of Commerce",
        "effective_date": "2024-07-01",
        "in_force": "draft",
    }
    response = api.post(
        "entries",
        new_entry(kind="information.policy", details=details),
        harbor.token(harbor.editor),
    )
    assert response.status_code == 201, response.content
    assert response.json()["details"] == details
    stored = PolicyDocument.objects.get(pk=response.json()["id"])
    assert stored.document_number == "MOC 7/2024"
    assert str(stored.effective_date) == "2024-07-01"


@pytest.mark.parametrize("who", ["member", "outsider", "other_admin"])
def test_only_editors_of_the_organization_create_its_entries(
    api: Api, harbor: Harbor, who: str
) -> None:
    response = api.post("entries", new_entry(), harbor.token(getattr(harbor, who)))
    problem(response, 403, "permission_denied")
    assert not Entry.objects.exists()


def test_an_unknown_organization_is_a_field_error(api: Api, harbor: Harbor) -> None:
    response = api.post("entries", new_entry(organization="nobody"), harbor.token(harbor.admin))
    body = problem(response, 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["organization"]


# --- Change ---------------------------------------------------------------------------------


@pytest.fixture
def draft(api: Api, harbor: Harbor) -> dict[str, Any]:
    response = api.post("entries", new_entry(), harbor.token(harbor.editor))
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def test_patch_changes_only_the_fields_sent(
    api: Api, harbor: Harbor, draft: dict[str, Any]
) -> None:
    response = api.patch(
        f"entries/{draft['id']}",
        {"title": "Durian season opens early"},
        harbor.token(harbor.editor),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Durian season opens early"
    unchanged = (
        "summary",
        "body",
        "sectors",
        "tags",
        "location",
        "region",
        "source_url",
        "details",
        "language",
        "country",
        "visibility",
        "license",
        "status",
    )
    for name in unchanged:
        assert body[name] == draft[name], name
    assert body["updated_at"] > draft["updated_at"]


def test_patch_sets_lists_and_clears_optional_fields(
    api: Api, harbor: Harbor, draft: dict[str, Any]
) -> None:
    change = {
        "sectors": ["ai"],
        "tags": [],
        "lat": None,
        "lng": None,
        "summary": None,
        "language": "th",
        "visibility": "members",
    }
    response = api.patch(f"entries/{draft['id']}", change, harbor.token(harbor.editor))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["sectors"] == ["ai"]
    assert body["tags"] == []
    assert body["location"] is None
    assert body["summary"] == ""
    assert body["language"] == "th"
    assert body["visibility"] == "members"
    assert body["title"] == draft["title"]


def test_patch_merges_details_key_by_key(api: Api, harbor: Harbor) -> None:
    token = harbor.token(harbor.editor)
    details = {"policy_type": "law", "document_number": "1/2024", "issuing_body": "Cabinet"}
    created = api.post("entries", new_entry(kind="information.policy", details=details), token)
    entry_id = created.json()["id"]
    response = api.patch(f"entries/{entry_id}", {"details": {"document_number": "2/2024"}}, token)
    assert response.status_code == 200, response.content
    assert response.json()["details"] == {
        "policy_type": "law",
        "document_number": "2/2024",
        "issuing_body": "Cabinet",
        "effective_date": None,
        "in_force": "in_force",
    }


def test_patch_refuses_null_for_required_fields_and_unknown_fields(
    api: Api, harbor: Harbor, draft: dict[str, Any]
) -> None:
    token = harbor.token(harbor.editor)
    path = f"entries/{draft['id']}"
    body = problem(
        api.patch(path, {"title": None, "country": None}, token), 422, "validation_error"
    )
    assert {e["field"] for e in body["errors"]} == {"title", "country"}
    body = problem(api.patch(path, {"kind": "information.policy"}, token), 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["kind"]
    body = problem(api.patch(path, {"lng": None}, token), 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["lng"]  # both, or neither
    body = problem(api.patch(path, {"lat": 95}, token), 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["lat"]
    assert Entry.objects.get(pk=draft["id"]).title == draft["title"]


def test_another_organizations_entries_cannot_be_changed(api: Api, harbor: Harbor) -> None:
    token = harbor.token(harbor.other_admin)
    published = harbor.entry()
    response = api.patch(f"entries/{published.pk}", {"title": "Hijacked"}, token)
    problem(response, 403, "permission_denied")
    response = api.post(f"entries/{published.pk}/withdraw", {"reason": "No."}, token)
    problem(response, 403, "permission_denied")
    draft = harbor.entry(status=EntryStatus.DRAFT)
    # A draft is invisible to them, so it is not found rather than forbidden.
    problem(api.patch(f"entries/{draft.pk}", {"title": "Hijacked"}, token), 404, "not_found")
    problem(api.post(f"entries/{draft.pk}/submit", None, token), 404, "not_found")
    problem(api.post(f"entries/{draft.pk}/publish", None, token), 404, "not_found")
    assert Entry.objects.get(pk=published.pk).title != "Hijacked"
    assert Entry.objects.get(pk=draft.pk).status == EntryStatus.DRAFT


def test_a_visible_in_review_entry_of_another_organization_cannot_be_published(
    api: Api, harbor: Harbor
) -> None:
    entry = harbor.entry(status=EntryStatus.IN_REVIEW)
    moderator = factories.make_user()
    factories.make_moderator(moderator, "TH")
    token = harbor.token(moderator)
    assert api.get(f"entries/{entry.pk}", token).status_code == 200
    problem(api.post(f"entries/{entry.pk}/publish", None, token), 403, "permission_denied")
    problem(api.patch(f"entries/{entry.pk}", {"title": "x"}, token), 403, "permission_denied")


def test_published_text_needs_publishing_rights_to_change(api: Api, harbor: Harbor) -> None:
    entry = harbor.entry()
    editor = harbor.token(harbor.editor)
    problem(api.patch(f"entries/{entry.pk}", {"title": "Edited"}, editor), 403, "permission_denied")
    response = api.patch(f"entries/{entry.pk}", {"title": "Edited"}, harbor.token(harbor.admin))
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert api.get(f"entries/{entry.pk}").json()["title"] == "Edited"


# --- Submit, publish, withdraw ----------------------------------------------------------------


def test_the_whole_way_from_draft_to_withdrawn(
    api: Api, harbor: Harbor, draft: dict[str, Any]
) -> None:
    editor, admin = harbor.token(harbor.editor), harbor.token(harbor.admin)
    path = f"entries/{draft['id']}"

    submitted = api.post(f"{path}/submit", None, editor)
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "in_review"
    problem(api.post(f"{path}/submit", None, editor), 409, "invalid_transition")

    # Editors of this ministry may not publish; its administrator may.
    problem(api.post(f"{path}/publish", None, editor), 403, "permission_denied")
    assert ids(api.get("entries")) == []
    published = api.post(f"{path}/publish", None, admin)
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "published"
    assert published.json()["published_at"] is not None
    assert ids(api.get("entries")) == [draft["id"]]
    problem(api.post(f"{path}/publish", None, admin), 409, "invalid_transition")

    withdrawn = api.post(f"{path}/withdraw", {"reason": "Dates changed."}, admin)
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["withdrawn_reason"] == "Dates changed."
    assert ids(api.get("entries")) == []
    problem(api.get(path), 404, "not_found")
    problem(api.post(f"{path}/withdraw", {"reason": "Again."}, admin), 409, "invalid_transition")

    # Withdrawn entries go back through review.
    assert api.post(f"{path}/submit", None, editor).json()["status"] == "in_review"
    actions = list(
        AuditEvent.objects.filter(target_id=str(draft["id"]), via="api")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "entry.create",
        "entry.submit",
        "entry.publish",
        "entry.withdraw",
        "entry.submit",
    ]


def test_editors_publish_where_their_organization_allows_it(
    api: Api, harbor: Harbor, draft: dict[str, Any]
) -> None:
    harbor.org.editors_can_publish = True
    harbor.org.save(update_fields=["editors_can_publish"])
    response = api.post(f"entries/{draft['id']}/publish", None, harbor.token(harbor.editor))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"


def test_withdrawing_needs_a_reason(api: Api, harbor: Harbor) -> None:
    entry = harbor.entry()
    token = harbor.token(harbor.admin)
    path = f"entries/{entry.pk}/withdraw"
    body = problem(api.post(path, {}, token), 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["reason"]
    body = problem(api.post(path, {"reason": "   "}, token), 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["reason"]
    body = problem(api.post(path, None, token), 422, "validation_error")  # no body at all
    assert body["errors"] == [{"field": None, "message": "The request needs a JSON body."}]
    assert Entry.objects.get(pk=entry.pk).status == EntryStatus.PUBLISHED


def test_moderators_of_the_country_may_withdraw(api: Api, harbor: Harbor) -> None:
    entry = harbor.entry()
    moderator = factories.make_user()
    factories.make_moderator(moderator, "TH")
    response = api.post(
        f"entries/{entry.pk}/withdraw", {"reason": "Misleading."}, harbor.token(moderator)
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    stored = Entry.objects.get(pk=entry.pk)
    assert stored.withdrawn_by == moderator
    assert stored.withdrawn_reason == "Misleading."


def test_editors_without_publishing_rights_cannot_withdraw(api: Api, harbor: Harbor) -> None:
    entry = harbor.entry()
    response = api.post(
        f"entries/{entry.pk}/withdraw", {"reason": "Mine."}, harbor.token(harbor.editor)
    )
    problem(response, 403, "permission_denied")


def test_members_only_entries_stay_members_only_when_published(api: Api, harbor: Harbor) -> None:
    token = harbor.token(harbor.admin)
    created = api.post("entries", new_entry(visibility=Visibility.MEMBERS), token).json()
    api.post(f"entries/{created['id']}/publish", None, token)
    assert ids(api.get("entries")) == []
    reader = harbor.token(harbor.outsider, TokenScope.READ)
    assert ids(api.get("entries", reader)) == [created["id"]]
