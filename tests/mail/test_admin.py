"""Operators see outgoing messages with their state and last error, and send a failed one
again (the same Message-ID)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from infoharbor.mail import compose, sending
from infoharbor.mail.choices import MessageState
from infoharbor.mail.models import AddressHealth, Message
from tests import factories
from tests.mail.helpers import publish, publisher
from tests.mail.smtp import Mailbox
from tests.subscriptions.factories import subscribe

pytestmark = pytest.mark.django_db

MESSAGES = "/en/operator/mail/message/"


@pytest.fixture
def operator_client() -> Client:
    client = Client()
    client.force_login(factories.make_operator())
    return client


def test_messages_are_listed_with_state_and_error_and_sent_again(
    operator_client: Client, mailbox: Mailbox
) -> None:
    org = factories.make_org("ministry", country="TH")
    reader = factories.make_user()
    subscribe(reader, "q=rice", frequency="immediately")
    publish(org, publisher(org), "Rice")
    (pk,) = compose.compose_immediate()
    mailbox.rcpt.append("550 5.1.1 No such user")
    sending.send(pk)

    page = operator_client.get(MESSAGES).content.decode()
    assert reader.email in page
    assert "Failed" in page
    assert "550 5.1.1 No such user" in page
    detail = operator_client.get(f"{MESSAGES}{pk}/change/")
    assert detail.status_code == 200
    assert "Rice" in detail.content.decode()
    # Nothing on a message can be changed by hand...
    assert operator_client.post(f"{MESSAGES}{pk}/change/", {}).status_code == 403
    # ...but it can be sent again, with the same Message-ID.
    operator_client.post(MESSAGES, {"action": "send_again", "_selected_action": [pk]})
    message = Message.objects.get(pk=pk)
    assert message.state == MessageState.PENDING
    sending.send(pk)
    assert mailbox.accepted_ids() == [message.message_id]


def test_failing_addresses_are_listed_and_can_be_cleared(operator_client: Client) -> None:
    AddressHealth.objects.create(
        address="full@example.org", consecutive_failures=3, failing_since=timezone.now()
    )
    page = operator_client.get("/en/operator/mail/addresshealth/").content.decode()
    assert "full@example.org" in page
    operator_client.post(
        "/en/operator/mail/addresshealth/",
        {"action": "clear_failing", "_selected_action": [AddressHealth.objects.get().pk]},
    )
    assert not AddressHealth.objects.get().failing


def test_readers_do_not_see_the_messages(client: Client) -> None:
    client.force_login(factories.make_user())
    assert client.get(MESSAGES).status_code == 302
