"""Source writes: who may, what is checked, what the audit trail keeps."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from infoharbor.core import audit
from infoharbor.core.models import AuditEvent, Sector
from infoharbor.core.permissions import Actor
from infoharbor.ingest import services
from infoharbor.ingest.models import Source, SourceState
from infoharbor.ingest.templatetags.ingest import duration
from tests.ingest.conftest import Harbor

pytestmark = pytest.mark.django_db


def test_a_new_source_has_a_state_and_is_audited_with_its_fields(harbor: Harbor) -> None:
    source = harbor.source("/feed.xml", sectors=["health", "agriculture"])

    assert SourceState.objects.filter(source=source, next_due_at=None).exists()
    event = AuditEvent.objects.get(action="source.create", target_id=str(source.pk))
    assert event.organization == harbor.org
    assert event.changes["sectors"] == [None, ["agriculture", "health"]]
    assert event.changes["interval_minutes"] == [None, 60]


def test_changing_the_sectors_is_audited(harbor: Harbor) -> None:
    source = harbor.source("/feed.xml", sectors=["health"])
    data = services.SourceData.of(source)
    data.sectors = list(Sector.objects.filter(slug="tourism"))

    services.update_source(
        actor=Actor(is_operator=True), origin=audit.Origin(via="test"), source=source, data=data
    )

    event = AuditEvent.objects.get(action="source.update")
    assert event.changes == {"sectors": [["health"], ["tourism"]]}


def test_saving_without_changes_records_nothing(harbor: Harbor) -> None:
    source = harbor.source("/feed.xml")

    services.update_source(
        actor=Actor(is_operator=True),
        origin=audit.Origin(via="test"),
        source=source,
        data=services.SourceData.of(source),
    )

    assert not AuditEvent.objects.filter(action="source.update").exists()


def test_administrators_of_a_suspended_organization_manage_no_sources(harbor: Harbor) -> None:
    source = harbor.source("/feed.xml")
    harbor.org.is_active = False
    harbor.org.save()
    admin = Actor.for_user(harbor.admin)

    with pytest.raises(PermissionDenied):
        services.update_source(
            actor=admin,
            origin=audit.Origin(via="test"),
            source=source,
            data=services.SourceData.of(source),
        )


def test_every_problem_is_reported_at_once_and_nothing_is_stored(harbor: Harbor) -> None:
    with pytest.raises(ValidationError) as refused:
        harbor.source(
            "/feed.xml",
            kind="cap",
            interval_minutes=1,
            quiet_after_hours=0,
            entry_kind="information.policy",
        )

    assert set(refused.value.message_dict) == {
        "kind",
        "interval_minutes",
        "quiet_after_hours",
        "entry_details",
    }
    assert not Source.objects.exists()


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(None, "—"), (20, "under a minute"), (540, "9 min"), (5400, "1 h 30 min"),
     (90000, "1 day 1 h"), (3 * 86400, "3 days 0 h")],
)  # fmt: skip
def test_durations_read_as_people_say_them(seconds: float | None, shown: str) -> None:
    assert duration(seconds) == shown
