"""/api/v1/webhooks: list, read, create, change, pause, resume, delete, rotate, test events,
the delivery log and replay; the owner only; errors as problems."""

from __future__ import annotations

import pytest
from django.test import Client

from infoharbor.accounts.choices import TokenScope
from infoharbor.core.models import AuditEvent
from infoharbor.webhooks import sending
from infoharbor.webhooks.models import Delivery, Endpoint
from tests import factories
from tests.api.conftest import Api, error_fields, issue, problem
from tests.webhooks.conftest import Hooked

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client: Client) -> Api:
    return Api(client)


def delete(api: Api, path: str, token: str) -> object:
    return api.client.delete(api.url(path), HTTP_AUTHORIZATION=f"Bearer {token}")


def test_create_list_read_and_receive(api: Api, hooked: Hooked) -> None:
    token = issue(hooked.owner)
    response = api.post(
        "webhooks", {"url": hooked.receiver.url("/api"), "description": "CRM"}, token
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"].endswith(f"/api/v1/webhooks/{body['id']}")
    assert body["secret"].startswith("whsec_")
    assert body["active"] is True
    assert body["all_subscriptions"] is True
    assert body["subscriptions"] == []
    assert AuditEvent.objects.filter(action="webhook.create", via="api").exists()
    hooked.receiver.secrets["/api"] = body["secret"]

    listed = api.get("webhooks", token).json()
    assert [item["url"] for item in listed["items"]] == sorted(
        [hooked.receiver.url(), hooked.receiver.url("/api")]
    )
    assert api.get(f"webhooks/{body['id']}", token).json()["description"] == "CRM"

    hooked.publish()
    sending.send_due()
    assert sorted(seen.path for seen in hooked.receiver.received) == ["/api", "/hook"]
    assert all(seen.verified for seen in hooked.receiver.received)
    log = api.get(f"webhooks/{body['id']}/deliveries", token).json()
    (item,) = log["items"]
    assert (item["state"], item["status_code"], item["attempts"]) == ("delivered", 200, 1)
    assert item["event_id"] == hooked.receiver.received[0].event_id or item["event_id"] in {
        seen.event_id for seen in hooked.receiver.received
    }


def test_change_pause_resume_rotate_test_replay_and_delete(api: Api, hooked: Hooked) -> None:
    token = issue(hooked.owner)
    path = f"webhooks/{hooked.endpoint.pk}"
    changed = api.patch(
        path, {"all_subscriptions": False, "subscriptions": [hooked.subscription.pk]}, token
    ).json()
    assert changed["subscriptions"] == [hooked.subscription.pk]
    paused = api.patch(path, {"active": False}, token).json()
    assert (paused["active"], paused["paused_reason"]) == (False, "owner")
    hooked.publish()
    assert sending.send_due().sent == 0
    resumed = api.patch(path, {"active": True}, token).json()
    assert resumed["active"] is True
    assert sending.send_due().delivered == 1

    rotated = api.post(f"{path}/secret", None, token).json()
    assert rotated["secret"] != hooked.endpoint.secret
    hooked.receiver.secret = rotated["secret"]
    test = api.post(f"{path}/test", None, token)
    assert test.status_code == 202
    assert test.json()["event_type"] == "webhook.test"
    sending.send_due()
    delivery = Delivery.objects.filter(event_type="entry.matched").get()
    replay = api.post(f"{path}/deliveries/{delivery.pk}/replay", None, token)
    assert replay.status_code == 202
    assert replay.json()["state"] == "pending"
    sending.send_due()
    assert [seen.event_id for seen in hooked.receiver.received].count(str(delivery.event_id)) == 2

    gone = delete(api, path, token)
    assert gone.status_code == 200
    assert gone.json()["id"] == hooked.endpoint.pk
    assert not Endpoint.objects.exists()
    assert not Delivery.objects.exists()


def test_bad_input_is_a_problem_field_by_field(api: Api, hooked: Hooked, settings: object) -> None:
    token = issue(hooked.owner)
    body = problem(
        api.post("webhooks", {"url": "https://10.0.0.1/x"}, token), 422, "validation_error"
    )
    assert error_fields(body) == {"url"}
    body = problem(api.post("webhooks", {"url": "ftp://x"}, token), 422, "validation_error")
    assert error_fields(body) == {"url"}
    other = factories.make_user()
    from tests.subscriptions.factories import subscribe

    theirs = subscribe(other, "q=rice")
    body = problem(
        api.post("webhooks", {"url": hooked.receiver.url(), "all_subscriptions": False,
                              "subscriptions": [theirs.pk]}, token),
        422, "validation_error",
    )  # fmt: skip
    assert error_fields(body) == {"subscriptions"}
    problem(api.post("webhooks", {"url": 5}, token), 422, "validation_error")
    problem(api.get("webhooks/999999/deliveries", token), 404, "not_found")
    problem(
        api.post(f"webhooks/{hooked.endpoint.pk}/deliveries/999/replay", None, token),
        404,
        "not_found",
    )


def test_only_the_owner_and_only_with_a_token(api: Api, hooked: Hooked) -> None:
    assert api.get("webhooks").status_code == 401
    stranger = issue(factories.make_user())
    problem(api.get(f"webhooks/{hooked.endpoint.pk}", stranger), 404, "not_found")
    problem(delete(api, f"webhooks/{hooked.endpoint.pk}", stranger), 404, "not_found")
    reader = issue(hooked.owner, scope=TokenScope.READ)
    assert api.get("webhooks", reader).status_code == 200
    assert api.post(f"webhooks/{hooked.endpoint.pk}/secret", None, reader).status_code == 403


def test_the_list_takes_a_fixed_number_of_queries(
    api: Api, hooked: Hooked, django_assert_num_queries: object
) -> None:
    from tests.webhooks.conftest import make_endpoint

    for number in range(5):
        make_endpoint(hooked.owner, hooked.receiver.url(f"/n{number}"))
    token = issue(hooked.owner)
    api.get("webhooks", token)  # warm (the token's last use is recorded once a minute)
    # The token and its user, the page of endpoints, their chosen subscriptions (one query
    # for all), whatever the number of endpoints.
    with django_assert_num_queries(5):  # type: ignore[operator]
        assert len(api.get("webhooks", token).json()["items"]) == 6


def test_a_subscriptions_deliveries_through_the_api(api: Api, hooked: Hooked) -> None:
    hooked.publish("Rice export rises")
    assert sending.send_due().delivered == 1
    token = issue(hooked.owner)

    response = api.get(f"subscriptions/{hooked.subscription.pk}/deliveries", token, limit=5)

    assert response.status_code == 200, response.content
    rows = response.json()["items"]
    assert [(row["channel"], row["state"], row["entries"]) for row in rows] == [
        ("Webhook", "sent", 1)
    ]
    other = issue(factories.make_user("other@example.org"))
    assert api.get(f"subscriptions/{hooked.subscription.pk}/deliveries", other).status_code == 404
    too_many = api.get(f"subscriptions/{hooked.subscription.pk}/deliveries", token, limit=500)
    assert too_many.status_code == 422
