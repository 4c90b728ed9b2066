"""Changes operators make in the operator site land in the audit trail, field by field."""

from __future__ import annotations

import pytest
from django.test import Client

from infoharbor.core.models import AuditEvent, Organization
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client() -> Client:
    client = Client(HTTP_USER_AGENT="OperatorBrowser/1.0")
    client.force_login(factories.make_operator())
    return client


def test_verifying_an_organization_is_audited_with_old_and_new_values(
    operator_client: Client,
) -> None:
    org = factories.make_org("lao-trade", country="LA", name="Lao Trade Office")
    response = operator_client.post(
        f"/en/operator/core/organization/{org.pk}/change/",
        {
            "slug": org.slug,
            "name": org.name,
            "kind": org.kind,
            "country": "LA",
            "description": "",
            "website": "https://trade.example.la/",
            "verified": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(action="organization.change")
    assert event.via == "admin"
    assert event.actor is not None
    assert event.actor.is_staff
    assert event.user_agent == "OperatorBrowser/1.0"
    assert event.organization == org
    assert event.changes["verified"] == [False, True]
    assert event.changes["website"] == ["", "https://trade.example.la/"]
    assert "name" not in event.changes


def test_organizations_are_suspended_not_deleted(operator_client: Client) -> None:
    org = factories.make_org("closing-down")
    response = operator_client.post(
        f"/en/operator/core/organization/{org.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert Organization.objects.filter(slug="closing-down").exists()
