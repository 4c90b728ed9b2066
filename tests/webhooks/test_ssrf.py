"""Server-side request forgery: webhook addresses must be public (or allow-listed), checked
when an endpoint is saved and again on the address every connection goes to."""

from __future__ import annotations

from ipaddress import ip_network
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from infoharbor.webhooks import sending, services, wire
from infoharbor.webhooks.models import Delivery, Endpoint
from tests.webhooks.conftest import Hooked
from tests.webhooks.receiver import Receiver

NOTHING: tuple[Any, ...] = ()
REFUSED = [
    "https://127.0.0.1/hook",  # loopback
    "https://127.1.2.3:8443/hook",
    "https://10.0.0.5/hook",  # private
    "https://192.168.1.1/hook",
    "https://172.16.0.1/hook",
    "https://169.254.169.254/latest/meta-data/",  # link-local: cloud metadata
    "https://[::1]/hook",  # IPv6 loopback
    "https://[fe80::1]/hook",  # IPv6 link-local
    "https://[fc00::1]/hook",  # IPv6 unique local
    "https://[::ffff:127.0.0.1]/hook",  # IPv4-mapped IPv6
    "https://[::ffff:10.0.0.1]/hook",
    "https://[64:ff9b::a00:1]/hook",  # NAT64 of 10.0.0.1
    "https://0.0.0.0/hook",
    "https://224.0.0.1/hook",  # multicast
    "https://localhost/hook",  # a name that resolves to loopback
    "https://localhost.:8080/hook",
]


@pytest.mark.parametrize("url", REFUSED)
def test_non_public_addresses_are_refused_when_saved(url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.check_url(url, NOTHING)
    assert "url" in caught.value.message_dict


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/", "not an address", "https:///nohost", "javascript:alert(1)",
     "https://user:secret@93.184.215.14/hook"],
)  # fmt: skip
def test_malformed_addresses_are_refused(url: str) -> None:
    with pytest.raises(ValidationError):
        services.check_url(url, NOTHING)


def test_a_public_https_address_is_accepted() -> None:
    assert services.check_url("https://93.184.215.14/hooks#x", NOTHING) == (
        "https://93.184.215.14/hooks"
    )


def test_plain_http_only_to_allow_listed_networks() -> None:
    with pytest.raises(ValidationError, match="https"):
        services.check_url("http://93.184.215.14/hook", NOTHING)
    listed = (ip_network("93.184.215.0/24"),)
    assert services.check_url("http://93.184.215.14/hook", listed)


def test_allow_listed_loopback_is_accepted() -> None:
    loopback = (ip_network("127.0.0.1/32"),)
    assert services.check_url("http://127.0.0.1:9/hook", loopback)
    assert services.check_url("https://[::ffff:127.0.0.1]:9/hook", loopback)
    with pytest.raises(ValidationError):  # the list names one address, not the network
        services.check_url("http://127.0.0.2:9/hook", loopback)


def test_an_unresolvable_name_is_refused() -> None:
    with pytest.raises(ValidationError, match="resolved"):
        services.check_url("https://no-such-host.invalid/hook", NOTHING)


@pytest.mark.django_db
def test_the_endpoint_form_refuses_a_private_address(hooked: Hooked, settings: Any) -> None:
    settings.WEBHOOK_ALLOWED_NETWORKS = ()
    with pytest.raises(ValidationError):
        services.update_endpoint(
            user=hooked.owner,
            origin=services.audit.Origin(via="test"),
            endpoint=hooked.endpoint,
            data=services.EndpointData(url="https://10.1.2.3/hook"),
        )


@pytest.mark.django_db
def test_the_address_is_checked_again_on_connecting(hooked: Hooked, settings: Any) -> None:
    # Saved while allowed (or while its name pointed elsewhere); not allowed when sent.
    settings.WEBHOOK_ALLOWED_NETWORKS = ()
    hooked.publish()
    sending.send_due()
    assert hooked.receiver.received == []
    delivery = Delivery.objects.get()
    assert delivery.state == "pending"
    assert delivery.status_code is None
    assert "not a public address" in delivery.error


@pytest.mark.django_db
def test_a_name_that_resolves_to_loopback_is_refused_on_connecting(
    hooked: Hooked, settings: Any
) -> None:
    # DNS rebinding: the name is resolved by the sender itself and the address checked.
    Endpoint.objects.update(url=hooked.receiver.url().replace("127.0.0.1", "localhost"))
    settings.WEBHOOK_ALLOWED_NETWORKS = (ip_network("192.0.2.0/24"),)
    hooked.publish()
    sending.send_due()
    assert hooked.receiver.received == []
    assert "not a public address" in Delivery.objects.get().error


def test_the_sender_refuses_without_the_allow_list(receiver: Receiver) -> None:
    sender = wire.Sender(allowed=(), timeout=2)
    (outcome,) = sender.send_all([wire.Request(1, receiver.url(), (), b"{}")])
    assert outcome.code == "refused_address"
    assert outcome.status is None
    assert receiver.received == []
    listed = wire.Sender(allowed=(ip_network("127.0.0.0/8"),), timeout=2)
    (outcome,) = listed.send_all([wire.Request(1, receiver.url(), (), b"{}")])
    assert outcome.code == ""
    assert outcome.status == 401


def test_http_to_a_public_address_is_refused_by_the_sender() -> None:
    sender = wire.Sender(allowed=(), timeout=2)
    (outcome,) = sender.send_all([wire.Request(1, "http://93.184.215.14/hook", (), b"{}")])
    assert outcome.code == "refused_address"
