"""The members page: administrators add people, change roles and remove them; members read."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from infoharbor.accounts.choices import Role
from infoharbor.accounts.models import Membership
from infoharbor.core.choices import EntryStatus
from infoharbor.core.models import AuditEvent
from tests import factories
from tests.factories import PASSWORD
from tests.portal.conftest import Harbor, html_lang, signed_in, text

MEMBERS = "/en/dashboard/thai-ministry/members/"


def _membership(harbor: Harbor, email: str) -> Membership:
    return Membership.objects.get(organization=harbor.org, user__email=email)


def _change_url(membership: Membership) -> str:
    return f"{MEMBERS}{membership.pk}/role/"


def _remove_url(membership: Membership) -> str:
    return f"{MEMBERS}{membership.pk}/remove/"


def test_administrators_see_everyone_with_forms_to_manage_them(harbor: Harbor) -> None:
    page = text(signed_in(harbor.admin).get(MEMBERS))

    assert "admin@ministry.example" in page
    assert "editor@ministry.example" in page
    assert 'name="email"' in page
    assert _change_url(_membership(harbor, "editor@ministry.example")) in page
    assert _remove_url(_membership(harbor, "editor@ministry.example")) in page
    assert page.count('name="csrfmiddlewaretoken"') >= 5  # sign out, add, 2 × (role, remove)


def test_an_administrator_adds_an_existing_person_who_can_then_write(harbor: Harbor) -> None:
    newcomer = factories.make_user("newcomer@example.org")
    admin = signed_in(harbor.admin)

    response = admin.post(MEMBERS, {"email": "NewComer@example.org", "role": Role.EDITOR})

    assert response.status_code == 302
    assert response["Location"] == MEMBERS
    page = text(admin.get(MEMBERS))
    assert "newcomer@example.org" in page
    assert "is now a member of Thai Ministry of Commerce" in page
    # As an editor they may now open the new-entry form.
    form = signed_in(newcomer).get("/en/dashboard/thai-ministry/new/information-news/")
    assert form.status_code == 200
    event = AuditEvent.objects.get(action="membership.create")
    assert event.changes == {"role": [None, "editor"]}
    assert event.organization == harbor.org
    assert event.via == "web"


def test_an_unknown_address_is_a_field_error(harbor: Harbor) -> None:
    response = signed_in(harbor.admin).post(
        MEMBERS, {"email": "stranger@example.org", "role": Role.MEMBER}
    )

    assert response.status_code == 200
    page = text(response)
    assert 'class="field has-error"' in page
    assert "register first" in page
    assert not Membership.objects.filter(user__email="stranger@example.org").exists()


def test_adding_a_member_again_is_a_field_error(harbor: Harbor) -> None:
    response = signed_in(harbor.admin).post(
        MEMBERS, {"email": "editor@ministry.example", "role": Role.ADMIN}
    )

    assert response.status_code == 200
    assert "already a member" in text(response)
    assert _membership(harbor, "editor@ministry.example").role == Role.EDITOR


def test_an_administrator_changes_a_role(harbor: Harbor) -> None:
    editor = _membership(harbor, "editor@ministry.example")

    response = signed_in(harbor.admin).post(_change_url(editor), {"role": Role.ADMIN})

    assert response.status_code == 302
    assert response["Location"] == MEMBERS
    editor.refresh_from_db()
    assert editor.role == Role.ADMIN
    event = AuditEvent.objects.get(action="membership.change")
    assert event.changes == {"role": ["editor", "admin"]}
    assert event.actor == harbor.admin


def test_an_administrator_removes_a_member(harbor: Harbor) -> None:
    editor = _membership(harbor, "editor@ministry.example")
    admin = signed_in(harbor.admin)

    response = admin.post(_remove_url(editor))

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=editor.pk).exists()
    assert "is no longer a member" in text(admin.get(MEMBERS))
    event = AuditEvent.objects.get(action="membership.delete")
    assert event.changes == {"role": ["editor", None]}
    assert event.organization == harbor.org
    # The removed editor lost the organization.
    assert signed_in(harbor.editor).get("/en/dashboard/thai-ministry/").status_code == 403


def test_removing_needs_post(harbor: Harbor) -> None:
    editor = _membership(harbor, "editor@ministry.example")

    assert signed_in(harbor.admin).get(_remove_url(editor)).status_code == 405
    assert Membership.objects.filter(pk=editor.pk).exists()


def test_the_last_administrator_is_protected(harbor: Harbor) -> None:
    own = _membership(harbor, "admin@ministry.example")
    admin = signed_in(harbor.admin)

    demote = admin.post(_change_url(own), {"role": Role.MEMBER}, follow=True)
    remove = admin.post(_remove_url(own), follow=True)

    assert "at least one administrator" in text(demote)
    assert "at least one administrator" in text(remove)
    own.refresh_from_db()
    assert own.role == Role.ADMIN
    assert not AuditEvent.objects.filter(action__startswith="membership.").exists()


def test_an_administrator_who_leaves_goes_back_to_the_dashboard(harbor: Harbor) -> None:
    factories.add_member(factories.make_user(), harbor.org, Role.ADMIN)
    own = _membership(harbor, "admin@ministry.example")

    response = signed_in(harbor.admin).post(_remove_url(own))

    assert response["Location"] == "/en/dashboard/"


def test_members_read_the_list_without_any_forms(harbor: Harbor) -> None:
    member = factories.make_user("reader@ministry.example")
    factories.add_member(member, harbor.org, Role.MEMBER)
    client = signed_in(member)

    page = text(client.get(MEMBERS))

    assert "admin@ministry.example" in page
    assert "editor@ministry.example" in page
    assert 'name="email"' not in page
    assert 'name="role"' not in page
    assert "/role/" not in page
    assert "/remove/" not in page
    editor = _membership(harbor, "editor@ministry.example")
    assert client.post(MEMBERS, {"email": member.email, "role": "admin"}).status_code == 403
    assert client.post(_change_url(editor), {"role": Role.MEMBER}).status_code == 403
    assert client.post(_remove_url(editor)).status_code == 403
    assert _membership(harbor, "editor@ministry.example").role == Role.EDITOR


def test_editors_read_the_list_too_but_cannot_change_it(harbor: Harbor) -> None:
    client = signed_in(harbor.editor)
    admin = _membership(harbor, "admin@ministry.example")

    assert 'name="email"' not in text(client.get(MEMBERS))
    assert client.post(_remove_url(admin)).status_code == 403


def test_outsiders_get_403(harbor: Harbor) -> None:
    other = factories.make_org("other-org")
    outsider = factories.make_user()
    factories.add_member(outsider, other, Role.ADMIN)
    client = signed_in(outsider)
    editor = _membership(harbor, "editor@ministry.example")

    assert client.get(MEMBERS).status_code == 403
    assert client.post(_change_url(editor), {"role": Role.ADMIN}).status_code == 403
    assert client.post(_remove_url(editor)).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(harbor: Harbor) -> None:
    response = Client().get(MEMBERS)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_unknown_and_suspended_organizations_are_404(harbor: Harbor) -> None:
    admin = signed_in(harbor.admin)
    assert admin.get("/en/dashboard/no-such-org/members/").status_code == 404

    harbor.org.is_active = False
    harbor.org.save(update_fields=["is_active"])

    assert admin.get(MEMBERS).status_code == 404


def test_a_membership_of_another_organization_is_404(harbor: Harbor) -> None:
    other = factories.make_org("other-org")
    foreign = factories.add_member(factories.make_user(), other, Role.MEMBER)

    response = signed_in(harbor.admin).post(f"{MEMBERS}{foreign.pk}/remove/")

    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_every_form_needs_the_csrf_token(harbor: Harbor) -> None:
    factories.make_user("newcomer@example.org")
    client = Client(enforce_csrf_checks=True)
    assert client.login(email=harbor.admin.email, password=PASSWORD)
    editor = _membership(harbor, "editor@ministry.example")

    add = client.post(MEMBERS, {"email": "newcomer@example.org", "role": Role.MEMBER})
    change = client.post(_change_url(editor), {"role": Role.ADMIN})
    remove = client.post(_remove_url(editor))

    assert (add.status_code, change.status_code, remove.status_code) == (403, 403, 403)
    assert Membership.objects.filter(organization=harbor.org).count() == 2
    assert _membership(harbor, "editor@ministry.example").role == Role.EDITOR

    # With the page's token the same form works.
    page = client.get(MEMBERS)
    token = page.cookies["csrftoken"].value
    ok = client.post(
        MEMBERS,
        {"email": "newcomer@example.org", "role": Role.MEMBER, "csrfmiddlewaretoken": token},
    )
    assert ok.status_code == 302


@pytest.mark.parametrize(("language", "menu"), [("en", "My organization"), ("zh-hans", "我的机构")])
def test_the_page_renders_in_each_language(harbor: Harbor, language: str, menu: str) -> None:
    response = signed_in(harbor.admin).get(f"/{language}/dashboard/thai-ministry/members/")

    assert response.status_code == 200
    assert html_lang(response).lower() == language
    page = text(response)
    assert menu in page
    assert "editor@ministry.example" in page
    assert f"/{language}/dashboard/thai-ministry/members/" in page  # the add form posts here


def test_the_organization_dashboard_links_to_the_members_page(harbor: Harbor) -> None:
    member = factories.make_user()
    factories.add_member(member, harbor.org, Role.MEMBER)

    for_admin = text(signed_in(harbor.admin).get("/en/dashboard/thai-ministry/"))
    for_member = text(signed_in(member).get("/en/dashboard/thai-ministry/"))

    assert MEMBERS in for_admin
    assert "Manage members" in for_admin
    assert MEMBERS in for_member
    assert "Manage members" not in for_member


def test_the_list_takes_the_same_queries_however_many_members(harbor: Harbor) -> None:
    admin = signed_in(harbor.admin)
    admin.get(MEMBERS)  # warm the session and the content types
    with CaptureQueriesContext(connection) as few:
        admin.get(MEMBERS)
    for _number in range(5):
        factories.add_member(factories.make_user(), harbor.org, Role.MEMBER)

    with CaptureQueriesContext(connection) as many:
        admin.get(MEMBERS)

    assert len(many.captured_queries) == len(few.captured_queries)


# --- The dashboard shows members only what they may open --------------------------------------


def test_members_see_only_published_counts_on_the_dashboard(harbor: Harbor) -> None:
    factories.make_entry(harbor.org, harbor.admin, status=EntryStatus.DRAFT, title="Secret draft")
    factories.make_entry(harbor.org, harbor.admin, status=EntryStatus.IN_REVIEW)
    factories.make_entry(harbor.org, harbor.admin, status=EntryStatus.PUBLISHED, title="Out now")
    member = factories.make_user()
    factories.add_member(member, harbor.org, Role.MEMBER)

    member_page = text(signed_in(member).get("/en/dashboard/"))
    editor_page = text(signed_in(harbor.editor).get("/en/dashboard/"))

    assert "?status=published" in member_page
    assert "?status=draft" not in member_page
    assert "?status=in_review" not in member_page
    assert "Out now" in member_page
    assert "Secret draft" not in member_page
    assert "?status=draft" in editor_page
    assert "?status=in_review" in editor_page


def test_members_get_only_the_published_tab(harbor: Harbor) -> None:
    factories.make_entry(harbor.org, harbor.admin, status=EntryStatus.DRAFT, title="Secret draft")
    member = factories.make_user()
    factories.add_member(member, harbor.org, Role.MEMBER)

    page = text(signed_in(member).get("/en/dashboard/thai-ministry/?status=draft"))

    assert 'href="?status=published"' in page
    assert 'href="?status=draft"' not in page
    assert "Secret draft" not in page
