from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from pathlib import Path

import pytest

from infoharbor.ingest.fetch import FetchPolicy
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
