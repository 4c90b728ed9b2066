"""Operators add and edit accounts in the admin; addresses stay unique whatever their case."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from infoharbor.accounts import tokens
from infoharbor.accounts.choices import Role
from infoharbor.accounts.models import Membership, User
from infoharbor.core import audit
from infoharbor.core.models import AuditEvent
from tests.accounts.helpers import NEW_PASSWORD, sign_in, signed_in_user
from tests.factories import add_member, make_operator, make_org, make_user

pytestmark = pytest.mark.django_db

ADD = "/en/operator/accounts/user/add/"
# The add page carries the (empty) membership and moderation inlines.
INLINES = {
    f"{prefix}-{field}": "0"
    for prefix in ("memberships", "moderated_countries")
    for field in ("TOTAL_FORMS", "INITIAL_FORMS")
}


@pytest.fixture
def operator_client(client: Client) -> Client:
    client.force_login(make_operator())
    return client


def test_an_operator_adds_an_account_that_can_sign_in(operator_client: Client) -> None:
    response = operator_client.post(
        ADD,
        {
            "email": "Added.Person@Example.ORG",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "usable_password": "true",
            **INLINES,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="added.person@example.org")
    User.objects.filter(pk=user.pk).update(email_verified=True)
    visitor = Client()
    assert sign_in(visitor, "added.person@example.org", NEW_PASSWORD).status_code == 302
    assert signed_in_user(visitor) == user


def test_an_operator_cannot_add_an_address_again_in_another_case(
    operator_client: Client,
) -> None:
    make_user("taken@example.org")

    response = operator_client.post(
        ADD,
        {
            "email": "Taken@Example.org",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "usable_password": "true",
            **INLINES,
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"]
    assert User.objects.count() == 2  # the operator and the owner


def user_page_data(client: Client, person: User, **memberships: str) -> dict[str, str]:
    """What the operator site's account page posts back unchanged, plus ``memberships``."""
    page = client.get(f"/en/operator/accounts/user/{person.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None
        and name not in {"password", "groups", "user_permissions", "date_joined", "last_login"}
    }
    data["date_joined_0"], data["date_joined_1"] = person.date_joined.strftime(
        "%Y-%m-%d %H:%M:%S"
    ).split()
    for key in ("email_verified", "is_active", "is_staff", "is_superuser"):
        if data.pop(key, False):
            data[key] = "on"
    data.update(INLINES)
    data.update(memberships)
    return data


def inline_errors(response: Any) -> list[Any]:
    return [
        (inline.formset.errors, inline.formset.non_form_errors())
        for inline in response.context["inline_admin_formsets"]
    ]


def test_memberships_given_in_the_admin_are_audited(operator_client: Client) -> None:
    person = make_user("new.editor@example.org")
    org = make_org("vn-customs", country="VN")
    data = user_page_data(
        operator_client,
        person,
        **{
            "memberships-TOTAL_FORMS": "1",
            "memberships-0-organization": str(org.pk),
            "memberships-0-role": "editor",
        },
    )
    response = operator_client.post(f"/en/operator/accounts/user/{person.pk}/change/", data)
    assert response.status_code == 302, inline_errors(response)
    assert Membership.objects.get(user=person).organization == org
    event = AuditEvent.objects.get(action="membership.create")
    assert event.via == "admin"
    assert event.organization == org


def test_the_operator_site_keeps_an_administrator_in_every_organization(
    operator_client: Client,
) -> None:
    person = make_user("only.admin@example.org")
    org = make_org("lonely-org")
    membership = add_member(person, org, Role.ADMIN)
    data = user_page_data(
        operator_client,
        person,
        **{
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": str(membership.pk),
            "memberships-0-user": str(person.pk),
            "memberships-0-organization": str(org.pk),
            "memberships-0-role": "editor",
        },
    )
    response = operator_client.post(f"/en/operator/accounts/user/{person.pk}/change/", data)
    assert response.status_code == 200
    assert "at least one administrator" in str(inline_errors(response))
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_operators_revoke_tokens_from_the_admin(operator_client: Client) -> None:

    owner = make_user("owner@example.org")
    issued = tokens.issue_token(
        user=owner, origin=audit.Origin(user=owner), name="leaked", scope="write"
    )
    response = operator_client.post(
        "/en/operator/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [str(issued.token.pk)]},
    )
    assert response.status_code == 302
    assert tokens.authenticate(issued.secret) is None
