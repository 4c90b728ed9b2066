"""Operators add and edit accounts in the admin; addresses stay unique whatever their case."""

from __future__ import annotations

import pytest
from django.test import Client

from infoharbor.accounts import tokens
from infoharbor.accounts.models import Membership, User
from infoharbor.core import audit
from infoharbor.core.models import AuditEvent
from tests.accounts.helpers import NEW_PASSWORD, sign_in, signed_in_user
from tests.factories import make_operator, make_org, make_user

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


def test_memberships_given_in_the_admin_are_audited(operator_client: Client) -> None:

    person = make_user("new.editor@example.org")
    org = make_org("vn-customs", country="VN")
    page = operator_client.get(f"/en/operator/accounts/user/{person.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"password", "groups", "user_permissions"}
    }
    data["date_joined_0"], data["date_joined_1"] = person.date_joined.strftime(
        "%Y-%m-%d %H:%M:%S"
    ).split()
    data.pop("date_joined", None)
    data.pop("last_login", None)
    for key in ("email_verified", "is_active", "is_staff", "is_superuser"):
        if not data.pop(key, False):
            continue
        data[key] = "on"
    data.update(INLINES)
    data.update(
        {
            "memberships-TOTAL_FORMS": "1",
            "memberships-0-organization": str(org.pk),
            "memberships-0-role": "editor",
        }
    )
    response = operator_client.post(f"/en/operator/accounts/user/{person.pk}/change/", data)
    assert response.status_code == 302, [
        (f.formset.errors, f.formset.non_form_errors())
        for f in response.context["inline_admin_formsets"]
    ]
    assert Membership.objects.get(user=person).organization == org
    event = AuditEvent.objects.get(action="membership.create")
    assert event.via == "admin"
    assert event.organization == org


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
