from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import ip_network
from typing import Any

import pytest

from infoharbor.accounts.models import User
from infoharbor.core import audit
from infoharbor.core.models import Organization
from infoharbor.subscriptions import outbox
from infoharbor.subscriptions.models import Subscription
from infoharbor.webhooks import services
from infoharbor.webhooks.models import Endpoint
from tests import factories
from tests.subscriptions.factories import follow
from tests.webhooks.receiver import Receiver

LOOPBACK = (ip_network("127.0.0.1/32"),)


@pytest.fixture(autouse=True)
def _webhook_settings(settings: Any) -> None:
    # The receiver is on loopback, which must be allowed explicitly; short bounds keep
    # the timeout tests quick.
    settings.WEBHOOK_ALLOWED_NETWORKS = LOOPBACK
    settings.WEBHOOK_TIMEOUT_SECONDS = 1.5
    settings.WEBHOOK_RETRY_BASE_SECONDS = 10
    settings.WEBHOOK_MAX_FAILURES = 5
    settings.WEBHOOK_CONCURRENCY = 8
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _fresh_index() -> None:
    outbox.process_index.reset()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Hooked:
    """A reader who follows an organization, with one endpoint on the receiver."""

    org: Organization
    owner: User
    subscription: Subscription
    endpoint: Endpoint
    receiver: Receiver

    def publish(self, title: str = "Rice export rises") -> Any:
        return factories.make_entry(self.org, title=title)


def make_endpoint(owner: User, url: str, **data: Any) -> Endpoint:
    return services.create_endpoint(
        user=owner,
        origin=audit.Origin(user=owner, via="test"),
        data=services.EndpointData(url=url, **data),
    )


@pytest.fixture
def hooked(db: None, receiver: Receiver) -> Hooked:
    org = factories.make_org("ministry", country="TH", name="Ministry of Commerce")
    owner = factories.make_user("reader@example.org")
    subscription = follow(owner, "organization", org.slug, name="Ministry news")
    endpoint = make_endpoint(owner, receiver.url())
    receiver.secret = endpoint.secret
    return Hooked(org, owner, subscription, endpoint, receiver)
