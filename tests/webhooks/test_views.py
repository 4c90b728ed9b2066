"""The webhook pages as a person uses them: list, add, the endpoint's page with its secret
and delivery log, change, test event, pause and resume, new secret, replay, delete; the
owner only; plain forms (no JavaScript)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from infoharbor.webhooks import sending
from infoharbor.webhooks.models import Delivery, Endpoint
from tests import factories
from tests.webhooks.conftest import Hooked, make_endpoint

pytestmark = pytest.mark.django_db


def test_anonymous_people_are_asked_to_sign_in(client: Client) -> None:
    response = client.get("/en/webhooks/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_add_an_endpoint_and_see_it_receive(client: Client, hooked: Hooked) -> None:
    client.force_login(hooked.owner)
    page = client.get("/en/webhooks/new/")
    assert page.status_code == 200
    assert b'name="url"' in page.content
    assert b"Ministry news" in page.content
    response = client.post(
        "/en/webhooks/new/",
        {
            "url": hooked.receiver.url("/page"),
            "description": "Duty phone",
            "all_subscriptions": "on",
        },
    )
    endpoint = Endpoint.objects.get(description="Duty phone")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/webhooks/{endpoint.pk}/")
    hooked.receiver.secrets["/page"] = endpoint.secret
    detail = client.get(response["Location"])
    assert endpoint.secret.encode() in detail.content  # shown to its owner
    assert b"Nothing was sent to this endpoint yet." in detail.content

    client.post(f"/en/webhooks/{endpoint.pk}/test/")
    hooked.publish("Thai rice export rises")
    sending.send_due()
    detail = client.get(f"/en/webhooks/{endpoint.pk}/")
    text = detail.content.decode()
    assert "Thai rice export rises" in text
    assert "test event" in text
    assert text.count(f'action="/en/webhooks/{endpoint.pk}/deliveries/') == 2  # Replay
    listing = client.get("/en/webhooks/").content.decode()
    assert "Duty phone" in listing
    assert hooked.receiver.url("/page") in listing


def test_bad_addresses_get_the_form_again(client: Client, hooked: Hooked, settings: Any) -> None:
    client.force_login(hooked.owner)
    for url in ["https://169.254.169.254/", "ftp://example.org/", "http://localhost:1/"]:
        settings.WEBHOOK_ALLOWED_NETWORKS = ()
        response = client.post("/en/webhooks/new/", {"url": url, "all_subscriptions": "on"})
        assert response.status_code == 200
        assert b"has-error" in response.content or b"errorlist" in response.content
    assert Endpoint.objects.count() == 1
    response = client.post("/en/webhooks/new/", {"url": hooked.receiver.url("/x")})
    assert response.status_code == 200  # neither all subscriptions nor any chosen
    assert b"Choose at least one subscription" in response.content


def test_edit_pause_resume_rotate_replay_delete(client: Client, hooked: Hooked) -> None:
    client.force_login(hooked.owner)
    pk = hooked.endpoint.pk
    response = client.post(
        f"/en/webhooks/{pk}/edit/",
        {"url": hooked.receiver.url(), "description": "Edited",
         "subscriptions": [hooked.subscription.pk]},
    )  # fmt: skip
    assert response.status_code == 302
    endpoint = Endpoint.objects.get()
    assert endpoint.description == "Edited"
    assert not endpoint.all_subscriptions
    assert list(endpoint.subscriptions.all()) == [hooked.subscription]

    client.post(f"/en/webhooks/{pk}/pause/", {"paused": "1"})
    assert not Endpoint.objects.get().active
    assert b"paused by its owner" in client.get(f"/en/webhooks/{pk}/").content
    hooked.publish()
    assert sending.send_due().sent == 0
    client.post(f"/en/webhooks/{pk}/pause/", {"paused": "0"})
    assert Endpoint.objects.get().active
    assert sending.send_due().delivered == 1

    client.post(f"/en/webhooks/{pk}/secret/")
    assert Endpoint.objects.get().secret != hooked.endpoint.secret
    hooked.receiver.secret = Endpoint.objects.get().secret
    delivery = Delivery.objects.get()
    response = client.post(f"/en/webhooks/{pk}/deliveries/{delivery.pk}/replay/")
    assert response.status_code == 302
    sending.send_due()
    assert [s.event_id for s in hooked.receiver.received] == [str(delivery.event_id)] * 2
    assert hooked.receiver.received[1].verified

    assert client.get(f"/en/webhooks/{pk}/delete/").status_code == 405  # a form, POST only
    client.post(f"/en/webhooks/{pk}/delete/")
    assert not Endpoint.objects.exists()


def test_only_the_owner_sees_and_changes_an_endpoint(client: Client, hooked: Hooked) -> None:
    client.force_login(factories.make_user())
    pk = hooked.endpoint.pk
    delivery_pk = 1
    for path in [f"/en/webhooks/{pk}/", f"/en/webhooks/{pk}/edit/"]:
        assert client.get(path).status_code == 404
    for path in [
        f"/en/webhooks/{pk}/secret/",
        f"/en/webhooks/{pk}/delete/",
        f"/en/webhooks/{pk}/test/",
        f"/en/webhooks/{pk}/deliveries/{delivery_pk}/replay/",
    ]:
        assert client.post(path).status_code == 404
    assert Endpoint.objects.get().secret == hooked.endpoint.secret
    assert hooked.endpoint.url.encode() not in client.get("/en/webhooks/").content


def test_the_list_page_takes_a_fixed_number_of_queries(
    client: Client, hooked: Hooked, django_assert_num_queries: Any
) -> None:
    for number in range(5):
        make_endpoint(hooked.owner, hooked.receiver.url(f"/n{number}"))
    client.force_login(hooked.owner)
    client.get("/en/webhooks/")
    # Session, user, the endpoints with their counts; the page chrome reads the roles (2).
    with django_assert_num_queries(5):
        assert client.get("/en/webhooks/").status_code == 200


def test_my_subscriptions_lists_the_webhook_deliveries(client: Client, hooked: Hooked) -> None:
    hooked.publish("Rice export rises")
    hooked.publish("Rice export falls")
    assert sending.send_due().delivered == 2
    client.force_login(hooked.owner)

    page = client.get("/en/subscriptions/").content.decode()

    cell = page.split('<td class="deliveries">', 1)[1].split("</td>", 1)[0]
    assert cell.count("Webhook") == 2
    assert cell.count('<span class="badge">sent</span>') == 2
