"""One harvest of a source that is not a feed: a dataset file, a catalogue or article pages.

:mod:`infoharbor.ingest.harvest` opens the attempt, calls the kind's harvester with a
:class:`Run`, and closes the attempt from what the run recorded. The harvester fetches
through the run (politely, safely, every request counted on the attempt), hands items to
:meth:`Run.ingest` (committed in batches, exactly as a feed's), keeps its place in
:meth:`Run.keep_place` after each step that is done for good, and watches
:meth:`Run.out_of_time`: a harvest that reaches its time budget or another bound says
``run.more = True`` and stops; it is due again at once and goes on from its place, so no
harvest "hangs for days" and none is lost when the process is killed.

A harvester that cannot go on raises :class:`HarvestFailed`; the attempt is then recorded
as failed with its code and message.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from infoharbor.core import services
from infoharbor.core.choices import EntryStatus
from infoharbor.core.models import Language
from infoharbor.ingest import identity
from infoharbor.ingest.choices import Outcome, PageOutcome
from infoharbor.ingest.feeds import FeedItem
from infoharbor.ingest.fetch import Fetcher, FetchError, FetchResult
from infoharbor.ingest.items import ItemResult, Keys, Known, SourceContext, ingest_items
from infoharbor.ingest.items import Outcome as ItemOutcome
from infoharbor.ingest.models import FetchAttempt, IngestedItem, PageVisit, Source, SourceState
from infoharbor.ingest.sitemaps import Listed

Progress = Callable[[Source, int, int], None]  # source, items handled, items known so far
MAX_NOTES = 50


class HarvestFailed(Exception):
    """The harvest cannot go on; ``code`` is stable, ``message`` is for operators."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        retry_at: dt.datetime | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.retry_at = retry_at

    @classmethod
    def of(cls, error: FetchError) -> HarvestFailed:
        return cls(error.code, error.message, status=error.status, retry_at=error.retry_at)


@dataclass
class Tally:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    failed: int = 0

    def add(self, result: ItemResult) -> None:
        setattr(self, result.value, getattr(self, result.value) + 1)

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged + self.duplicate + self.failed


@dataclass
class Run:
    source: Source
    state: SourceState
    attempt: FetchAttempt
    fetcher: Fetcher
    now: dt.datetime
    budget_seconds: float
    max_pages: int = 20  # pages of a catalogue per harvest
    max_items: int = 100  # article pages per harvest
    progress: Progress | None = None
    clock: Callable[[], float] = time.monotonic
    tally: Tally = field(default_factory=Tally)
    notes: list[str] = field(default_factory=list)
    withdrawn: int = 0
    # What the harvester reports to the run's end:
    not_modified: bool = False
    more: bool = False  # stopped at a bound with more to do: due again at once
    etag: str = ""
    last_modified: str = ""
    document_hash: str = ""
    format: str = ""
    title: str = ""
    _started: float = 0.0
    _context: SourceContext | None = None

    def __post_init__(self) -> None:
        self._started = self.clock()

    # --- Bounds and notes ------------------------------------------------------------------

    def out_of_time(self) -> bool:
        return self.clock() - self._started >= self.budget_seconds

    def note(self, text: str) -> None:
        if len(self.notes) < MAX_NOTES and text not in self.notes:
            self.notes.append(text)

    def keep_place(self, cursor: dict[str, Any]) -> None:
        """Store where the harvest is, now: a killed harvest goes on from here."""
        self.state.cursor = cursor
        self.state.save(update_fields=["cursor"])

    # --- Fetching ----------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        etag: str = "",
        last_modified: str = "",
        accept: str = "*/*",
        truncate: bool = False,
    ) -> FetchResult:
        """Fetch ``url`` through the run's fetcher; a failure is :class:`FetchError`.

        The attempt shows the first address fetched and its status, and every byte read.
        """
        result = self.fetcher.fetch(
            url, etag=etag, last_modified=last_modified, accept=accept, truncate=truncate
        )
        if not self.attempt.url:
            self.attempt.url = result.url[:1000]
            self.attempt.http_status = result.status
        self.attempt.bytes += len(result.body)
        return result

    def fetch_or_fail(self, url: str, **kwargs: Any) -> FetchResult:
        try:
            return self.fetch(url, **kwargs)
        except FetchError as error:
            raise HarvestFailed.of(error) from None

    # --- Items -------------------------------------------------------------------------------

    @property
    def context(self) -> SourceContext:
        if self._context is None:
            self._context = SourceContext(
                source=self.source,
                sectors=list(self.source.sectors.all()),
                languages={language.code: language for language in Language.objects.all()},
                first_harvest=self.state.last_success_at is None,
                now=self.now,
            )
        return self._context

    def ingest(self, items: Sequence[FeedItem]) -> list[ItemOutcome]:
        """Each item into its entry, committed in batches as a feed's items are (what the
        database already holds of them is read in one query first)."""
        keys = [Keys.of(item) for item in items]
        known = Known(self.source, keys)
        outcomes = ingest_items(items, self.context, known, keys)
        for item, outcome in zip(items, outcomes, strict=True):
            self.tally.add(outcome.result)
            if outcome.reason:
                self.note(f"{item.link or item.guid or item.title[:80]}: {outcome.reason}")
            if self.progress is not None:
                self.progress(self.source, self.tally.total, self.tally.total)
        return outcomes

    def withdraw(self, found: Iterable[IngestedItem], reason: str) -> None:
        """Withdraw the published entries of ``found`` (their dataset left the catalogue),
        through the core services, with ``reason`` shown to the publisher."""
        context = self.context
        for item in found:
            if item.entry.status not in {EntryStatus.PUBLISHED, EntryStatus.IN_REVIEW}:
                continue
            try:
                with transaction.atomic():
                    services.withdraw_entry(
                        actor=context.actor, origin=context.origin, entry=item.entry, reason=reason
                    )
            except (ValidationError, PermissionDenied) as error:
                self.note(f"{item.canonical_url or item.guid}: not withdrawn ({error})")
                continue
            self.withdrawn += 1

    def withdraw_guids(self, guids: Iterable[str], reason: str) -> None:
        """Withdraw the entries of this source's items with these GUIDs."""
        keys = [identity.guid_key(guid) for guid in guids if guid]
        if keys:
            found = IngestedItem.objects.filter(source=self.source, guid_key__in=keys)
            self.withdraw(found.select_related("entry"), reason)

    def withdraw_missing(self, present: Iterable[str], reason: str) -> None:
        """Withdraw the live entries of this source whose address is not in ``present``
        (the catalogue's datasets now)."""
        keys = {identity.url_key(url) for url in present}
        rows = IngestedItem.objects.filter(
            source=self.source, entry__status__in=[EntryStatus.PUBLISHED, EntryStatus.IN_REVIEW]
        ).values_list("pk", "url_key")
        gone = [pk for pk, url_key in rows if url_key and url_key not in keys]
        if gone:
            found = IngestedItem.objects.filter(pk__in=gone).select_related("entry")
            self.withdraw(found, reason)

    def withdraw_absent(self, guids: Iterable[str], reason: str) -> None:
        """Withdraw the live entries of this source whose GUID is not in ``guids`` (the
        datasets a whole catalogue lists now)."""
        keys = {identity.guid_key(guid) for guid in guids}
        rows = IngestedItem.objects.filter(
            source=self.source, entry__status__in=[EntryStatus.PUBLISHED, EntryStatus.IN_REVIEW]
        ).values_list("pk", "guid_key")
        gone = [pk for pk, guid_key in rows if guid_key and guid_key not in keys]
        if gone:
            self.withdraw(IngestedItem.objects.filter(pk__in=gone).select_related("entry"), reason)

    # --- Article pages ----------------------------------------------------------------------

    CHUNK = 500  # keys per query

    def page_visits(self, url_keys: list[str]) -> dict[str, PageVisit]:
        visits: dict[str, PageVisit] = {}
        for start in range(0, len(url_keys), self.CHUNK):
            chunk = url_keys[start : start + self.CHUNK]
            for visit in PageVisit.objects.filter(source=self.source, url_key__in=chunk):
                visits[visit.url_key] = visit
        return visits

    def known_elsewhere(self, url_keys: list[str]) -> set[str]:
        """The pages another source (a feed, another sitemap) already brought."""
        found: set[str] = set()
        for start in range(0, len(url_keys), self.CHUNK):
            chunk = url_keys[start : start + self.CHUNK]
            found.update(
                # "Not empty": the unique index on addresses is partial (IngestedItem.Meta).
                IngestedItem.objects.filter(~Q(url_key=""), url_key__in=chunk)
                .exclude(source=self.source)
                .values_list("url_key", flat=True)
            )
        return found

    def record_visit(self, url_key: str, listed: Listed, outcome: str, error: str) -> None:
        visit, _created = PageVisit.objects.get_or_create(
            source=self.source,
            url_key=url_key,
            defaults={"url": identity.canonical_url(listed.url), "outcome": outcome},
        )
        visit.lastmod = listed.lastmod
        visit.fetched_at = self.now
        visit.outcome = outcome
        visit.failures = visit.failures + 1 if outcome == PageOutcome.FAILED else 0
        visit.error = error[:2000]
        visit.save()

    # --- The end -----------------------------------------------------------------------------

    def record(self) -> None:
        """Write what the harvest did into its attempt and the source's state (unsaved)."""
        attempt, state, tally = self.attempt, self.state, self.tally
        attempt.outcome = Outcome.NOT_MODIFIED if self.not_modified else Outcome.FETCHED
        if self.more:
            self.note(
                "Stopped at the harvest's bounds (time or pages); the next run goes on from here."
            )
        if self.withdrawn:
            self.note(
                f"{self.withdrawn} entries withdrawn: their datasets were deleted, made private "
                "or left the catalogue."
            )
        attempt.notes = "\n".join(self.notes)
        attempt.items_new = tally.new
        attempt.items_updated = tally.updated
        attempt.items_unchanged = tally.unchanged
        attempt.items_duplicate = tally.duplicate
        attempt.items_failed = tally.failed
        attempt.items_withdrawn = self.withdrawn
        if tally.new:
            state.last_new_item_at = self.now
        if self.format:
            state.feed_format = self.format[:16]
        if self.title:
            state.feed_title = self.title[:300]
        if self.document_hash:
            state.document_hash = self.document_hash
