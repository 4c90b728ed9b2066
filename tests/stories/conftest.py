from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from infoharbor.accounts.choices import Role
from infoharbor.accounts.models import User
from infoharbor.core import audit, services
from infoharbor.core.choices import EntryStatus, Visibility
from infoharbor.core.models import Entry, Organization
from infoharbor.core.permissions import Actor
from tests import factories

# The ingest tests' fixtures, for test_ingest.py: a local feed server, loopback allowed and no
# politeness wait (autouse), a harbor with sources.
from tests.ingest.conftest import _ingest_settings, feed_server, harbor  # noqa: F401

# Real texts in eleven languages of the region (UDHR articles; license and source in the
# fixture's README): four "stories" of three paragraphs and a preamble to make templates of.
UDHR: dict[str, dict[str, Any]] = json.loads(
    (
        Path(__file__).parents[1] / "text" / "fixtures" / "fingerprint" / "udhr_stories.json"
    ).read_text(encoding="utf-8")
)


def story(lang: str, number: int) -> list[str]:
    paragraphs: list[str] = UDHR[lang]["stories"][number]
    return paragraphs


def template(lang: str) -> list[str]:
    paragraphs: list[str] = UDHR[lang]["template"]
    return paragraphs


@dataclass
class Outlet:
    """An organization that publishes through the services, every story in its template."""

    organization: Organization
    header: str = ""
    footer: str = ""
    admin: User = field(init=False)

    def __post_init__(self) -> None:
        self.admin = factories.make_user()
        factories.add_member(self.admin, self.organization, Role.ADMIN)

    def publish(
        self,
        paragraphs: list[str],
        *,
        title: str = "",
        language: str = "en",
        country: str | None = None,
        at: dt.datetime | None = None,
        visibility: str = Visibility.PUBLIC,
    ) -> Entry:
        body = "\n\n".join(p for p in (self.header, *paragraphs, self.footer) if p)
        entry = factories.make_entry(
            self.organization,
            self.admin,
            status=EntryStatus.DRAFT,
            visibility=visibility,
            title=title or paragraphs[0][:60],
            summary="",
            body=body,
            language=language,
            country=country or self.organization.country_id,
        )
        actor = Actor.for_user(self.admin)
        return services.publish_entry(
            actor=actor,
            origin=audit.Origin(user=self.admin, via="test"),
            entry=entry,
            published_at=at or timezone.now(),
        )

    def withdraw(self, entry: Entry) -> Entry:
        return services.withdraw_entry(
            actor=Actor.for_user(self.admin),
            origin=audit.Origin(user=self.admin, via="test"),
            entry=entry,
            reason="Wrong.",
        )


@pytest.fixture
def outlets(db: None) -> tuple[Outlet, Outlet, Outlet]:
    """Three outlets in three countries, each with its own header and footer."""
    first, second, third, fourth = template("en")
    return (
        Outlet(factories.make_org("harbor-daily", country="TH"), first, second),
        Outlet(factories.make_org("asean-wire", country="ID"), third, fourth),
        Outlet(factories.make_org("mekong-post", country="VN")),
    )


@pytest.fixture
def plain_outlets(db: None) -> tuple[Outlet, Outlet, Outlet]:
    """Three outlets in three countries that print stories as they are (no template)."""
    return (
        Outlet(factories.make_org("harbor-daily", country="TH")),
        Outlet(factories.make_org("asean-wire", country="ID")),
        Outlet(factories.make_org("mekong-post", country="VN")),
    )
