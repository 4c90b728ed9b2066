"""services.create_entries: a batch of entries is what create_entry + publish_entry make of
each, written at once; a bad entry fails alone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infoharbor.accounts.choices import Role
from infoharbor.core import audit, services
from infoharbor.core.choices import EntryStatus, Provenance
from infoharbor.core.models import AuditEvent, Entry, Language, Organization, Sector
from infoharbor.core.permissions import Actor
from infoharbor.information.models import News
from infoharbor.search.models import PendingIndex
from tests import factories

pytestmark = pytest.mark.django_db

ORIGIN = audit.Origin(via="ingest", user_agent="source 7")


@pytest.fixture
def org() -> Organization:
    return factories.make_org("agency", country="TH")


def admin_of(org: Organization) -> Actor:
    return Actor(roles={org.pk: Role.ADMIN})


def data(n: int, **overrides: Any) -> services.EntryData:
    values: dict[str, Any] = {
        "title": f"Border trade notice {n}",
        "summary": f"Figures of week {n}.",
        "body": f"<p>The checkpoints report week {n}.</p>",
        "body_format": "html",
        "sectors": list(Sector.objects.order_by("slug")[: n % 3]),
        "tags": [f"Week {n}", "Border Trade", "border-trade"],
        "source_url": f"https://agency.example.org/{n}",
        "language": "th" if n % 2 else "en",
    }
    values.update(overrides)
    return factories.entry_data(**values)


def one_by_one(org: Organization, batch: list[services.NewEntry]) -> list[Entry]:
    made = []
    for item in batch:
        entry = services.create_entry(
            actor=admin_of(org),
            origin=ORIGIN,
            organization=org,
            kind="information.news",
            data=item.data,
            details=item.details,
            provenance=Provenance.INGESTED,
            provenance_note=item.provenance_note,
        )
        if item.publish:
            entry = services.publish_entry(
                actor=admin_of(org), origin=ORIGIN, entry=entry, published_at=item.published_at
            )
        made.append(entry)
    return made


def batched(org: Organization, batch: list[services.NewEntry]) -> list[Any]:
    return services.create_entries(
        actor=admin_of(org),
        origin=ORIGIN,
        organization=org,
        kind="information.news",
        batch=batch,
        provenance=Provenance.INGESTED,
    )


def described(entry_ids: list[int]) -> list[dict[str, Any]]:
    """Everything stored of the entries, without ids and times."""
    rows = []
    for entry in Entry.objects.filter(pk__in=entry_ids).order_by("pk"):
        events = AuditEvent.objects.filter(target_type="core.entry", target_id=str(entry.pk))
        rows.append(
            {
                **{
                    name: getattr(entry, name)
                    for name in (
                        "kind",
                        "title",
                        "summary",
                        "body_format",
                        "body_source",
                        "body_html",
                        "language_id",
                        "country_id",
                        "organization_id",
                        "source_url",
                        "license",
                        "visibility",
                        "status",
                        "provenance",
                        "provenance_note",
                        "published_at",
                        "reviewed_at",
                        "withdrawn_at",
                        "author_id",
                        "is_demo",
                    )
                },
                "sectors": sorted(entry.sectors.values_list("slug", flat=True)),
                "tags": sorted(entry.tags.values_list("slug", flat=True)),
                "notice_type": News.objects.get(entry=entry).notice_type,
                "audit": [
                    (
                        e.action,
                        e.changes,
                        e.actor_label,
                        e.via,
                        e.user_agent,
                        e.target_label,
                        e.organization_id,
                        e.note,
                    )
                    for e in events.order_by("pk")
                ],
                "queued_for_index": PendingIndex.objects.filter(entry_id=entry.pk).count(),
            }
        )
    return rows


def new_entries(n: int, **overrides: Any) -> list[services.NewEntry]:
    published = dt.datetime(2025, 12, 1, 8, 0, tzinfo=dt.UTC)
    return [
        services.NewEntry(
            data=data(i),
            details={"notice_type": "notice" if i % 2 else "news"},
            provenance_note="Agency feed",
            publish=i % 4 != 3,
            published_at=published + dt.timedelta(hours=i) if i % 5 else None,
            **overrides,
        )
        for i in range(n)
    ]


def test_a_batch_stores_what_one_by_one_stores(org: Organization) -> None:
    # Given the same entries made one by one and in a batch
    first = [entry.pk for entry in one_by_one(org, new_entries(8))]
    second = [entry.pk for entry in batched(org, new_entries(8))]

    # Then the entries, their relations, details, audit trail and outbox rows are the same
    expected, got = described(first), described(second)
    for row in expected + got:
        # Only the time of publication "now" differs between two runs.
        if row["published_at"] is not None and row["published_at"].year == timezone.now().year:
            row["published_at"] = "now"
    assert got == expected
    assert {row["status"] for row in got} == {EntryStatus.PUBLISHED, EntryStatus.DRAFT}


def test_a_batch_costs_the_same_queries_however_many_entries(org: Organization) -> None:
    batched(org, new_entries(2))
    three, thirty = new_entries(3), new_entries(30)  # both with new tags and old ones
    with CaptureQueriesContext(connection) as few:
        batched(org, three)
    with CaptureQueriesContext(connection) as many:
        batched(org, thirty)
    # At most 17: 16 of the batch's own, and the subscriptions' revision check.
    assert len(many) == len(few) <= 17


def test_a_bad_entry_fails_alone_with_every_error(org: Organization) -> None:
    batch = new_entries(4)
    batch[1].data.title = "  "
    batch[1].data.lat = 95.0
    batch[2].details = {"notice_type": "no-such-type"}

    results = batched(org, batch)

    assert isinstance(results[0], Entry)
    assert isinstance(results[3], Entry)
    assert isinstance(results[1], ValidationError)
    assert set(results[1].message_dict) == {"title", "lat", "lng"}
    assert isinstance(results[2], ValidationError)
    assert set(results[2].message_dict) == {"details.notice_type"}
    assert Entry.objects.count() == 2
    assert AuditEvent.objects.filter(action="entry.create").count() == 2


def test_the_same_errors_as_create_entry(org: Organization) -> None:
    wrong = data(1, title="", lat=10.0)
    with pytest.raises(ValidationError) as one:
        services.create_entry(
            actor=admin_of(org), origin=ORIGIN, organization=org, kind="information.news",
            data=wrong, details={"notice_type": "bogus"},
        )  # fmt: skip
    [batch_error] = batched(org, [services.NewEntry(data=wrong, details={"notice_type": "bogus"})])
    assert isinstance(batch_error, ValidationError)
    assert batch_error.message_dict == one.value.message_dict


def test_a_language_the_harbor_does_not_have_is_refused_for_its_entry_only(
    org: Organization,
) -> None:
    unknown = data(1)
    unknown.language = Language(code="xx")  # not stored

    [refused, fine] = batched(
        org,
        [services.NewEntry(data=unknown, details={}), services.NewEntry(data=data(2), details={})],
    )

    assert isinstance(refused, ValidationError)
    assert set(refused.message_dict) == {"language"}
    assert isinstance(fine, Entry)


def test_rights_are_checked_for_the_batch_and_for_publishing(org: Organization) -> None:
    editor = Actor(roles={org.pk: Role.EDITOR})
    stranger = Actor(roles={})
    with pytest.raises(PermissionDenied):
        services.create_entries(
            actor=stranger, origin=ORIGIN, organization=org, kind="information.news",
            batch=new_entries(2),
        )  # fmt: skip
    with pytest.raises(ValidationError):
        services.create_entries(
            actor=editor, origin=ORIGIN, organization=org, kind="no.such-kind",
            batch=new_entries(2),
        )  # fmt: skip
    # An editor may create drafts but not publish them (without the organization's leave).
    draft, published = new_entries(2)
    draft.publish, published.publish = False, True
    results = services.create_entries(
        actor=editor, origin=ORIGIN, organization=org, kind="information.news",
        batch=[draft, published],
    )  # fmt: skip
    assert isinstance(results[0], Entry)
    assert isinstance(results[1], PermissionDenied)
    assert Entry.objects.get().status == EntryStatus.DRAFT


def test_batch_hooks_run_once_per_batch_and_entry_hooks_once_per_entry(
    org: Organization, django_capture_on_commit_callbacks: Any
) -> None:
    seen_batches: list[tuple[str, int]] = []
    seen_entries: list[str] = []
    batch_hook = services.on_entries_change(
        lambda event, ids: seen_batches.append((event, len(ids)))
    )
    entry_hook = services.on_entry_change(lambda event, _pk: seen_entries.append(event))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            batched(org, new_entries(4))  # three published, one draft
    finally:
        services._after_commit_batch_hooks.remove(batch_hook)
        services._after_commit_hooks.remove(entry_hook)
    assert seen_batches == [("created", 4), ("published", 3)]
    assert sorted(seen_entries) == ["created"] * 4 + ["published"] * 3


def test_bad_values_get_the_messages_of_full_clean(org: Organization) -> None:
    # Given values every check of the model refuses, on entries of one batch
    too_long = data(1, title="x" * 301)
    bad_choice = data(2, license="not-a-license", visibility="everyone")
    bad_address = data(3, source_url="https://exa mple.org/ space")
    long_address = data(4, source_url="https://example.org/" + "a" * 1000)
    long_region = data(5, region="r" * 201)
    wrong = [too_long, bad_choice, bad_address, long_address, long_region]

    results = batched(org, [services.NewEntry(data=d, details={}) for d in wrong])
    [long_note] = batched(org, [services.NewEntry(data=data(6), details={},
                                                  provenance_note="n" * 301)])  # fmt: skip
    assert isinstance(long_note, ValidationError)
    assert set(long_note.message_dict) == {"provenance_note"}

    # Then each fails alone, with the very messages create_entry gives
    for entry_data, result in zip(wrong, results, strict=True):
        with pytest.raises(ValidationError) as one:
            services.create_entry(
                actor=admin_of(org), origin=ORIGIN, organization=org, kind="information.news",
                data=entry_data, details={},
            )  # fmt: skip
        assert isinstance(result, ValidationError)
        assert result.message_dict == one.value.message_dict
    assert set(results[1].message_dict) == {"license", "visibility"}
    assert Entry.objects.count() == 0


def test_an_address_is_refused_after_a_good_one_was_accepted(org: Organization) -> None:
    # The verdicts of good addresses are kept; a bad one is never taken for one of them.
    good, bad = data(1), data(2, source_url="https://example.org/a b")
    results = batched(org, [services.NewEntry(data=good, details={}),
                            services.NewEntry(data=bad, details={})])  # fmt: skip
    assert isinstance(results[0], Entry)
    assert isinstance(results[1], ValidationError)
    assert set(results[1].message_dict) == {"source_url"}


def test_shared_details_are_checked_once_and_stored_for_each(org: Organization) -> None:
    # Given entries that share their details, and one whose details are wrong
    batch = new_entries(5)
    for item in batch:
        item.details = {"notice_type": "notice"}
    batch[3].details = {"notice_type": "no-such-type"}

    results = batched(org, batch)

    # Then every valid entry has its own details row, and the wrong one its message
    assert [isinstance(result, Entry) for result in results] == [True, True, True, False, True]
    assert isinstance(results[3], ValidationError)
    assert set(results[3].message_dict) == {"details.notice_type"}
    stored = News.objects.filter(entry__in=[r for r in results if isinstance(r, Entry)])
    assert sorted(stored.values_list("notice_type", flat=True)) == ["notice"] * 4


def test_details_of_any_type_are_checked_and_stored(org: Organization) -> None:
    # Dataset details carry dates and lists: values JSON does not hold as they are
    # are checked each time, and stored through their fields.
    start = dt.date(2024, 1, 1)
    batch = [
        services.NewEntry(
            data=data(n),
            details={"temporal_start": start, "formats": ["CSV"], "identifier": f"ds-{n}"},
        )
        for n in range(2)
    ]
    batch.append(services.NewEntry(data=data(3), details={"temporal_start": "not a date"}))

    results = services.create_entries(
        actor=admin_of(org), origin=ORIGIN, organization=org, kind="information.dataset",
        batch=batch, provenance=Provenance.INGESTED,
    )  # fmt: skip

    from infoharbor.information.models import Dataset

    assert isinstance(results[2], ValidationError)
    assert "details.temporal_start" in results[2].message_dict
    stored = Dataset.objects.order_by("identifier")
    assert [(d.identifier, d.temporal_start, d.formats) for d in stored] == [
        ("ds-0", start, ["CSV"]),
        ("ds-1", start, ["CSV"]),
    ]


def test_a_batch_that_fails_in_the_database_leaves_nothing(
    org: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a batch whose audit rows cannot be written (the last of its inserts)
    from django.db import IntegrityError, transaction

    from infoharbor.core import bulk

    real_insert = bulk.insert

    def failing(model: Any, *args: Any, **kwargs: Any) -> Any:
        if model is AuditEvent:
            raise IntegrityError("simulated")
        return real_insert(model, *args, **kwargs)

    monkeypatch.setattr(bulk, "insert", failing)
    with pytest.raises(IntegrityError), transaction.atomic():
        batched(org, new_entries(3))

    # Then none of its rows stayed: entries, details, links, outbox
    assert Entry.objects.count() == 0
    assert News.objects.count() == 0
    assert Entry.tags.through.objects.count() == 0
    assert Entry.sectors.through.objects.count() == 0
    assert PendingIndex.objects.count() == 0
