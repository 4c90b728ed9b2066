"""One-click unsubscribe from a message (no sign-in, no cookies, no CSRF token; a GET only
asks), and what "My subscriptions" shows of deliveries and a failing address."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from infoharbor.core.models import AuditEvent
from infoharbor.mail import compose, sending, tokens
from infoharbor.mail.choices import MessageState
from infoharbor.mail.models import AddressHealth, Message
from infoharbor.subscriptions.models import Subscription
from tests import factories
from tests.mail.helpers import publish, publisher
from tests.mail.smtp import Mailbox
from tests.subscriptions.factories import subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():  # type: ignore[no-untyped-def]
    return factories.make_org("ministry", country="TH", name="Ministry of Commerce")


def path_of(token: str) -> str:
    return f"/mail/unsubscribe/{token}"


def test_a_get_only_shows_what_the_link_stops_and_a_button() -> None:
    reader = factories.make_user()
    subscription = subscribe(reader, "q=rice", name="Rice news", language="th")
    response = Client().get(path_of(tokens.make([subscription.pk])))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Rice news" in body
    assert f'<form method="post" action="{path_of(tokens.make([subscription.pk]))}">' in body
    assert '<html lang="th"' in body  # the subscription's language
    subscription.refresh_from_db()
    assert not subscription.paused  # a mail scanner's GET changes nothing


def test_one_click_post_pauses_without_cookies_sign_in_or_csrf_token() -> None:
    reader = factories.make_user()
    rice = subscribe(reader, "q=rice", name="Rice")
    maize = subscribe(reader, "q=maize", name="Maize")
    other = subscribe(reader, "q=tin", name="Tin")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        path_of(tokens.make([rice.pk, maize.pk])),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not client.cookies  # nothing was needed, nothing was set
    assert "Set-Cookie" not in response.headers
    paused = dict(Subscription.objects.values_list("name", "paused"))
    assert paused == {"Rice": True, "Maize": True, "Tin": False}
    assert other.pk not in tokens.read(tokens.make([rice.pk, maize.pk]))
    # Audited as the owner's, by email; a second click changes nothing.
    assert AuditEvent.objects.filter(action="subscription.pause", via="email").count() == 2
    assert client.post(path_of(tokens.make([rice.pk]))).status_code == 200
    assert AuditEvent.objects.filter(action="subscription.pause").count() == 2


@pytest.mark.parametrize(
    "token",
    ["", "nonsense", "WzFd:forged", tokens.make([1])[:-2] + "xx", "WzEsMl0:" + "a" * 43],
)
def test_a_forged_or_cut_token_is_a_clear_404(token: str) -> None:
    if not token:
        assert Client().post("/mail/unsubscribe/").status_code == 404
        return
    for method in ("get", "post"):
        response = getattr(Client(), method)(path_of(token))
        assert response.status_code == 404
        assert "This unsubscribe link is not valid" in response.content.decode()


def test_a_token_of_subscriptions_deleted_since_says_so() -> None:
    reader = factories.make_user()
    subscription = subscribe(reader, "q=rice")
    token = tokens.make([subscription.pk])
    subscription.delete()
    response = Client().post(path_of(token))
    assert response.status_code == 200
    assert "no longer exist" in response.content.decode()


def test_the_page_lists_the_last_deliveries_of_each_subscription(
    org: Any, client: Client, mailbox: Mailbox
) -> None:
    reader = factories.make_user()
    client.force_login(reader)
    subscribe(reader, "q=rice", name="Rice", frequency="immediately")
    admin = publisher(org)
    publish(org, admin, "Rice one")
    publish(org, admin, "Rice two")
    (first,) = compose.compose_immediate()
    sending.send(first)
    publish(org, admin, "Rice three")
    (second,) = compose.compose_immediate()
    mailbox.rcpt.append("451 4.7.1 Greylisted, come back later")
    sending.send(second)

    body = client.get("/en/subscriptions/").content.decode()
    deliveries = body.split('class="deliveries"')[1].split("</td>")[0]
    assert deliveries.index("retrying") < deliveries.index("sent")  # newest first
    assert "2 entries" in deliveries
    assert "1 entry" in deliveries
    assert "451 4.7.1 Greylisted" in deliveries
    assert "next try" in deliveries
    assert "Email" in deliveries


def test_the_page_costs_a_fixed_number_of_queries(
    org: Any, client: Client, django_assert_max_num_queries: Any
) -> None:
    reader = factories.make_user()
    client.force_login(reader)
    admin = publisher(org)
    for n in range(5):
        subscribe(reader, f"q=rice{n}", name=f"Rice {n}", frequency="immediately")
    for n in range(5):
        publish(org, admin, f"rice{n} news")
        compose.compose_immediate()
    client.get("/en/subscriptions/")
    with django_assert_max_num_queries(12) as captured:
        client.get("/en/subscriptions/")
    few = len(captured)
    for n in range(5, 10):
        subscribe(reader, f"q=rice{n}", name=f"Rice {n}", frequency="immediately")
        publish(org, admin, f"rice{n} news")
        compose.compose_immediate()
    with django_assert_max_num_queries(few):
        client.get("/en/subscriptions/")


def test_a_failing_address_is_shown_with_how_to_fix_it(org: Any, client: Client) -> None:
    reader = factories.make_user()
    client.force_login(reader)
    subscribe(reader, "q=rice", frequency="immediately")
    AddressHealth.objects.create(
        address=reader.email,
        consecutive_failures=3,
        failing_since=timezone.now(),
        last_error="recipient refused: 550 5.2.2 Mailbox full",
    )
    publish(org, publisher(org), "Rice")
    body = client.get("/en/subscriptions/").content.decode()
    assert f"Mail to {reader.email} is failing" in body
    assert "550 5.2.2 Mailbox full" in body
    assert 'href="/en/accounts/profile/"' in body
    assert compose.compose_immediate() == []

    response = client.post("/en/mail/retry-address/")
    assert response.status_code == 302
    assert not AddressHealth.objects.get().failing
    assert "is failing" not in client.get("/en/subscriptions/").content.decode()
    assert len(compose.compose_immediate()) == 1
    assert Message.objects.get().state == MessageState.PENDING


def test_trying_the_address_again_needs_a_signed_in_post(client: Client) -> None:
    assert client.post("/en/mail/retry-address/").status_code == 302  # to sign in
    reader = factories.make_user()
    client.force_login(reader)
    assert client.get("/en/mail/retry-address/").status_code == 405
