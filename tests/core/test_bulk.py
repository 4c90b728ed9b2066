"""core.bulk.insert: rows of prepared values, the same as the ORM would store."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from infoharbor.core import audit, bulk
from infoharbor.core.models import AuditEvent, Tag

pytestmark = pytest.mark.django_db


def test_rows_come_back_with_their_keys_in_order() -> None:
    keys = bulk.insert(Tag, ["slug"], [(f"tag-{n}",) for n in range(1200)], returning=True)

    assert len(keys) == 1200
    stored = dict(Tag.objects.values_list("pk", "slug"))
    assert [stored[key] for key in keys] == [f"tag-{n}" for n in range(1200)]


def test_dates_json_and_empty_values_are_stored_as_the_orm_stores_them() -> None:
    at = dt.datetime(2026, 12, 3, 8, 30, 15, 123456, tzinfo=dt.UTC)
    origin = audit.Origin(via="ingest", user_agent="source 7", ip_address="192.0.2.7")
    target = Tag.objects.create(slug="trade")
    changes = {"title": [None, "การค้า"], "tags": [[], ["a", "b"]], "n": [1, True]}

    bulk.insert(
        AuditEvent,
        audit.EVENT_COLUMNS,
        [audit.event_row(origin, "entry.create", target, at=at, changes=changes)],
    )
    made = audit.event(origin, "entry.create", target, changes=changes)
    made.at = at
    made.save()

    fields = ["at", "actor_id", "actor_label", "action", "target_type", "target_id",
              "target_label", "organization_id", "changes", "note", "ip_address",
              "user_agent", "via"]  # fmt: skip
    first, second = AuditEvent.objects.order_by("pk").values(*fields)
    assert first == second
    assert first["changes"]["n"] == [1, True]  # True and 1 are not mixed up


def test_one_statement_per_table_without_keys_and_none_for_no_rows() -> None:
    with CaptureQueriesContext(connection) as queries:
        bulk.insert(Tag, ["slug"], [(f"t-{n}",) for n in range(600)])
        bulk.insert(Tag, ["slug"], [])
    assert len(queries) == 1
    assert Tag.objects.count() == 600
