from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infoharbor.accounts.choices import Role
from infoharbor.accounts.models import User
from infoharbor.core import audit
from infoharbor.core.models import Language, Organization, Sector
from infoharbor.core.permissions import Actor
from infoharbor.ingest import services
from infoharbor.ingest.fetch import FetchPolicy
from infoharbor.ingest.models import Source
from tests import factories
from tests.ingest.server import FeedServer, Reply

FIXTURES = Path(__file__).parent / "fixtures"
LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A local HTTP server with an empty robots.txt (everything allowed)."""
    server = FeedServer().start()
    server.routes["/robots.txt"] = Reply(
        200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"}
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def policy() -> FetchPolicy:
    """A fetch policy for tests: loopback allowed explicitly, no politeness wait."""
    return FetchPolicy(
        user_agent="InformationHarbor/test (+http://testserver)",
        connect_timeout=5,
        read_timeout=5,
        host_delay=0,
        retries=2,
        backoff=0.01,
        allowed_networks=LOOPBACK,
    )


@pytest.fixture(autouse=True)
def _ingest_settings(settings: Any) -> None:
    # Tests fetch from their own server on loopback, which must be allowed explicitly, and
    # do not wait between requests.
    settings.INGEST_ALLOWED_NETWORKS = LOOPBACK
    settings.INGEST_HOST_DELAY_SECONDS = 0
    settings.INGEST_RETRIES = 1
    settings.INGEST_MAX_RETRY_WAIT_SECONDS = 2
    settings.INGEST_USER_AGENT = "InformationHarbor/test (+http://testserver)"


def make_source(
    organization: Organization, url: str, *, actor: Actor | None = None, **overrides: Any
) -> Source:
    """A source made through the services, by an operator unless told."""
    values: dict[str, Any] = {
        "name": f"Source {url.rsplit('/', 1)[-1]}",
        "url": url,
        "country": organization.country,
        "language": Language.objects.get(code=overrides.pop("language", "en")),
        "sectors": list(Sector.objects.filter(slug__in=overrides.pop("sectors", []))),
    }
    values.update(overrides)
    return services.create_source(
        actor=actor or Actor(is_operator=True),
        origin=audit.Origin(via="test"),
        organization=organization,
        data=services.SourceData(**values),
    )


@dataclass
class Harbor:
    org: Organization
    admin: User
    editor: User
    server: FeedServer

    def source(self, path: str, **overrides: Any) -> Source:
        return make_source(self.org, self.server.url(path), **overrides)


@pytest.fixture
def harbor(db: None, feed_server: FeedServer) -> Harbor:
    org = factories.make_org("thai-ministry", country="TH", name="Thai Ministry of Commerce")
    admin = factories.make_user("admin@ministry.example")
    editor = factories.make_user("editor@ministry.example")
    factories.add_member(admin, org, Role.ADMIN)
    factories.add_member(editor, org, Role.EDITOR)
    return Harbor(org=org, admin=admin, editor=editor, server=feed_server)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()
