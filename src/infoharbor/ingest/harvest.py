"""Harvest runs: which sources are due, and one harvest of one source.

A harvest fetches the source (conditionally), skips the items whose very bytes were stored
before (:class:`~infoharbor.ingest.feeds.RawItems`), parses the rest and hands them to
:func:`infoharbor.ingest.items.ingest_items`, which commits new items in batches and changed
ones one by one. The source's
validators (ETag, Last-Modified) are stored only once every item has been handled, so a
harvest killed half-way fetches the whole document again next time and the items already
stored are recognised: nothing is lost and nothing is doubled. Each harvest leaves a
:class:`FetchAttempt` row; one killed before the end stays "running or interrupted".

A source that fails is recorded as failed and tried again later (backing off while it keeps
failing); it never stops the others.

Sources that are not feeds (dataset files, CKAN and DCAT catalogues, article pages) are
read by their kind's harvester (:mod:`infoharbor.ingest.dispatch`) through a
:class:`~infoharbor.ingest.runs.Run`, within a time budget and page bounds; one cut short
is due again at once and goes on from the place it kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from infoharbor.core.models import Language
from infoharbor.ingest import dispatch
from infoharbor.ingest.choices import Outcome
from infoharbor.ingest.feeds import FeedRejected, parse_feed, raw_items
from infoharbor.ingest.fetch import Fetcher, FetchError, FetchPolicy
from infoharbor.ingest.items import Keys, Known, SourceContext, ingest_items
from infoharbor.ingest.models import FetchAttempt, IngestedItem, Source, SourceState
from infoharbor.ingest.runs import HarvestFailed, Progress, Run, Tally

logger = logging.getLogger(__name__)

# A failing source is tried again after its interval, doubled for each failure in a row,
# but at least once a day.
MAX_BACKOFF = dt.timedelta(hours=24)
# Item problems kept per attempt (the counts are always complete).
MAX_NOTES = 50
# Harvest attempts kept per source.
KEEP_ATTEMPTS = 200
# Keys per query, well under every database's limit on parameters.
CHUNK = 500

FEED_TYPES = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


def policy_from_settings() -> FetchPolicy:
    return FetchPolicy(
        user_agent=settings.INGEST_USER_AGENT,
        connect_timeout=settings.INGEST_CONNECT_TIMEOUT_SECONDS,
        read_timeout=settings.INGEST_READ_TIMEOUT_SECONDS,
        max_bytes=settings.INGEST_MAX_BYTES,
        max_redirects=settings.INGEST_MAX_REDIRECTS,
        host_delay=settings.INGEST_HOST_DELAY_SECONDS,
        retries=settings.INGEST_RETRIES,
        max_retry_wait=settings.INGEST_MAX_RETRY_WAIT_SECONDS,
        allowed_networks=tuple(settings.INGEST_ALLOWED_NETWORKS),
    )


def harvestable(queryset: QuerySet[Source] | None = None) -> QuerySet[Source]:
    """Sources that are on, of organizations that are not suspended."""
    queryset = Source.objects.all() if queryset is None else queryset
    return queryset.filter(enabled=True, organization__is_active=True)


def due_sources(now: dt.datetime | None = None) -> QuerySet[Source]:
    now = now or timezone.now()
    return (
        harvestable()
        .filter(Q(state__next_due_at__isnull=True) | Q(state__next_due_at__lte=now))
        .order_by("state__next_due_at", "pk")
    )


def harvest(
    sources: Iterable[Source],
    *,
    fetcher: Fetcher | None = None,
    progress: Progress | None = None,
) -> list[FetchAttempt]:
    """Harvest each source once, in turn; every source gets its attempt, whatever the
    others do."""
    own = fetcher is None
    fetcher = fetcher or Fetcher(policy_from_settings())
    attempts = []
    try:
        for source in sources:
            try:
                attempts.append(harvest_source(source, fetcher, progress=progress))
            except Exception:
                # A bug must not take the other sources down with it: record it on this one.
                logger.exception("harvest of source %s failed", source.pk)
                attempts.append(_crashed(source))
    finally:
        if own:
            fetcher.close()
    return attempts


def _state(source: Source) -> SourceState:
    state, _created = SourceState.objects.get_or_create(source=source)
    return state


def harvest_source(
    source: Source, fetcher: Fetcher, *, progress: Progress | None = None
) -> FetchAttempt:
    source = Source.objects.select_related("organization", "country", "language").get(pk=source.pk)
    state = _state(source)
    now = timezone.now()
    attempt = FetchAttempt.objects.create(source=source, started_at=now)
    state.last_attempt_at = now
    state.save(update_fields=["last_attempt_at"])
    harvester = dispatch.harvester_for(source.kind)
    if harvester is not None:
        return _harvest_with(harvester, source, state, attempt, fetcher, progress, now)
    try:
        result = fetcher.fetch(
            source.url, etag=state.etag, last_modified=state.last_modified, accept=FEED_TYPES
        )
    except FetchError as error:
        return _failed(source, state, attempt, error.code, error.message, error.status,
                       retry_at=error.retry_at)  # fmt: skip
    attempt.url = result.url
    attempt.http_status = result.status
    attempt.bytes = len(result.body)
    # Shown until the feed answers without a permanent redirect (or its address changes).
    state.moved_to = result.moved_to or ""
    if result.not_modified:
        attempt.outcome = Outcome.NOT_MODIFIED
        return _succeeded(
            source, state, attempt, etag=result.etag, last_modified=result.last_modified
        )
    digest = hashlib.sha256(result.body).hexdigest()
    if digest == state.document_hash:
        # The very bytes harvested in full last time (a server without validators): the
        # same items, nothing to read.
        attempt.outcome = Outcome.NOT_MODIFIED
        attempt.notes = "The same document as at the last harvest."
        return _succeeded(
            source, state, attempt, etag=result.etag, last_modified=result.last_modified
        )
    raw = raw_items(result.body)
    skipped = _seen_before(source, raw.hashes) if raw is not None else set()
    if raw is not None and len(skipped) == len(raw.spans):
        # Every item exactly as read before (only the channel changed, a build date): no
        # parsing at all.
        attempt.outcome = Outcome.FETCHED
        attempt.items_unchanged = len(skipped)
        state.document_hash = digest
        if progress is not None:
            progress(source, len(skipped), len(skipped))
        return _succeeded(
            source, state, attempt, etag=result.etag, last_modified=result.last_modified
        )
    body = raw.without(skipped) if raw is not None and skipped else result.body
    try:
        feed = parse_feed(body, url=result.url, content_type=result.content_type)
        raw_hashes = [h for n, h in enumerate(raw.hashes) if n not in skipped] if raw else []
        if raw is not None and len(feed.items) != len(raw_hashes):
            # The parser read other items than the split found: read it all, as it is.
            skipped, raw_hashes = set(), []
            if body is not result.body:
                feed = parse_feed(result.body, url=result.url, content_type=result.content_type)
    except FeedRejected as error:
        return _failed(source, state, attempt, error.code, error.message, result.status)
    context = SourceContext(
        source=source,
        sectors=list(source.sectors.all()),
        languages={language.code: language for language in Language.objects.all()},
        first_harvest=state.last_success_at is None,
        now=now,
    )
    tally = Tally(unchanged=len(skipped))
    notes = list(feed.notes)
    # Oldest first, so that entries are numbered in the order they were published.
    read = sorted(
        zip(feed.items, raw_hashes or [""] * len(feed.items), strict=True),
        key=lambda pair: pair[0].published or pair[0].updated or now,
    )
    items = [item for item, _raw in read]
    keys = [Keys.of(item, raw_hash) for item, raw_hash in read]
    known = Known(source, keys)
    outcomes = ingest_items(items, context, known, keys)
    for done, (item, outcome) in enumerate(zip(items, outcomes, strict=True), start=1):
        tally.add(outcome.result)
        if outcome.reason and len(notes) < MAX_NOTES:
            notes.append(f"{item.link or item.guid or item.title[:80]}: {outcome.reason}")
        if progress is not None:
            progress(source, len(skipped) + done, len(skipped) + len(items))
    attempt.outcome = Outcome.FETCHED
    attempt.notes = "\n".join(notes)
    attempt.items_new = tally.new
    attempt.items_updated = tally.updated
    attempt.items_unchanged = tally.unchanged
    attempt.items_duplicate = tally.duplicate
    attempt.items_failed = tally.failed
    if tally.new:
        state.last_new_item_at = now
    state.feed_format = feed.format[:16]
    state.feed_title = feed.title[:300]
    state.document_hash = digest
    return _succeeded(source, state, attempt, etag=result.etag, last_modified=result.last_modified)


def _harvest_with(
    harvester: dispatch.Harvester,
    source: Source,
    state: SourceState,
    attempt: FetchAttempt,
    fetcher: Fetcher,
    progress: Progress | None,
    now: dt.datetime,
) -> FetchAttempt:
    """A dataset, catalogue or pages source: its kind's harvester does the work."""
    run = Run(
        source=source,
        state=state,
        attempt=attempt,
        fetcher=fetcher,
        now=now,
        budget_seconds=settings.INGEST_TIME_BUDGET_SECONDS,
        max_pages=settings.INGEST_CATALOGUE_MAX_PAGES,
        max_items=settings.INGEST_MAX_PAGES,
        progress=progress,
    )
    try:
        harvester(run)
    except HarvestFailed as error:
        attempt.notes = "\n".join(run.notes)
        return _failed(source, state, attempt, error.code, error.message, error.status,
                       retry_at=error.retry_at)  # fmt: skip
    run.record()
    done = _succeeded(source, state, attempt, etag=run.etag, last_modified=run.last_modified)
    if run.more:
        # Cut short at its bounds: due again at once, to go on from where it stopped.
        state.next_due_at = timezone.now()
        state.save(update_fields=["next_due_at"])
    return done


def _seen_before(source: Source, hashes: tuple[str, ...]) -> set[int]:
    """The numbers of the items whose very bytes this source's stored items were read from."""
    found: set[str] = set()
    for start in range(0, len(hashes), CHUNK):
        chunk = hashes[start : start + CHUNK]
        found.update(
            IngestedItem.objects.filter(source=source, raw_hash__in=chunk).values_list(
                "raw_hash", flat=True
            )
        )
    return {number for number, digest in enumerate(hashes) if digest in found}


def _succeeded(
    source: Source, state: SourceState, attempt: FetchAttempt, *, etag: str, last_modified: str
) -> FetchAttempt:
    now = timezone.now()
    # Only now: had the harvest stopped before, the next one would fetch everything again.
    state.etag = etag[:300] or state.etag
    state.last_modified = last_modified[:100] or state.last_modified
    state.last_success_at = now
    state.consecutive_failures = 0
    state.next_due_at = now + dt.timedelta(minutes=source.interval_minutes)
    state.save()
    attempt.finished_at = now
    attempt.save()
    _prune(source)
    return attempt


def _failed(
    source: Source,
    state: SourceState,
    attempt: FetchAttempt,
    code: str,
    message: str,
    status: int | None,
    *,
    retry_at: dt.datetime | None = None,
) -> FetchAttempt:
    now = timezone.now()
    state.consecutive_failures += 1
    state.last_error_at = now
    state.last_error_code = code
    state.last_error = message
    wait = dt.timedelta(minutes=source.interval_minutes) * 2 ** (state.consecutive_failures - 1)
    due = now + min(wait, max(MAX_BACKOFF, dt.timedelta(minutes=source.interval_minutes)))
    state.next_due_at = max(due, retry_at) if retry_at is not None else due
    state.save()
    attempt.outcome = Outcome.FAILED
    attempt.error_code = code
    attempt.error = message
    attempt.http_status = status
    attempt.finished_at = now
    attempt.save()
    _prune(source)
    return attempt


def _crashed(source: Source) -> FetchAttempt:
    state = _state(source)
    attempt = FetchAttempt.objects.filter(
        source=source, finished_at__isnull=True
    ).first() or FetchAttempt.objects.create(source=source)
    return _failed(
        source,
        state,
        attempt,
        "internal_error",
        "The harvest stopped on an error in the harbor; it has been logged for the operators.",
        None,
    )


def _prune(source: Source) -> None:
    keep = FetchAttempt.objects.filter(source=source).values_list("pk", flat=True)[
        KEEP_ATTEMPTS : KEEP_ATTEMPTS + 1
    ]
    oldest_kept = list(keep)
    if oldest_kept:
        FetchAttempt.objects.filter(source=source, pk__lte=oldest_kept[0]).delete()
