"""Operators add and edit accounts in the admin; addresses stay unique whatever their case."""

from __future__ import annotations

import pytest
from django.test import Client

from infoharbor.accounts.models import User
from tests.accounts.helpers import NEW_PASSWORD, sign_in, signed_in_user
from tests.factories import make_operator, make_user

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
