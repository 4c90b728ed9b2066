"""Operators see endpoints and deliveries with their state and error, without the secret,
and may send deliveries again."""

from __future__ import annotations

import pytest
from django.test import Client

from infoharbor.webhooks import sending
from infoharbor.webhooks.models import Delivery
from tests import factories
from tests.webhooks.conftest import Hooked
from tests.webhooks.receiver import Answer

pytestmark = pytest.mark.django_db


def test_operators_see_state_and_errors_and_can_replay(client: Client, hooked: Hooked) -> None:
    hooked.receiver.answers = [Answer(500, b"oops")]
    hooked.publish()
    sending.send_due()
    client.force_login(factories.make_operator())
    endpoints = client.get("/en/operator/webhooks/endpoint/")
    assert endpoints.status_code == 200
    assert hooked.endpoint.url.encode() in endpoints.content
    detail = client.get(f"/en/operator/webhooks/endpoint/{hooked.endpoint.pk}/change/")
    assert detail.status_code == 200
    assert hooked.endpoint.secret.encode() not in detail.content
    deliveries = client.get("/en/operator/webhooks/delivery/")
    assert deliveries.status_code == 200
    assert b"The receiver answered 500." in deliveries.content
    delivery = Delivery.objects.get()
    hooked.receiver.answers = [Answer(200)]
    response = client.post(
        "/en/operator/webhooks/delivery/",
        {"action": "replay", "_selected_action": [delivery.pk]},
    )
    assert response.status_code == 302
    sending.send_due()
    assert Delivery.objects.get().state == "delivered"
