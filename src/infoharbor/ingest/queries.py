"""Reads about sources, shaped for pages and the API: who may see them, and their health."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from infoharbor.accounts.choices import Role
from infoharbor.core.models import Sector
from infoharbor.core.permissions import Actor
from infoharbor.ingest.choices import Freshness
from infoharbor.ingest.models import FetchAttempt, IngestedItem, SectorRule, Source, SourceState
from infoharbor.ingest.sectors import KeywordRule, SectorMatcher

HEALTH_DAYS = 14  # the per-day table
RATE_DAYS = 7  # items per day: the mean over this many days
DELAY_DAYS = 30  # mean delay: items that arrived within this many days
RECENT_ATTEMPTS = 10


def manageable_sources(actor: Actor) -> QuerySet[Source]:
    """The sources ``actor`` may see and manage: all for operators, else those of the
    organizations they administer."""
    queryset = Source.objects.select_related("organization", "country", "language", "state")
    if actor.is_operator:
        return queryset
    admin_of = [org for org in actor.roles if actor.has_role(org, Role.ADMIN)]
    return queryset.filter(organization_id__in=admin_of, organization__is_active=True)


def freshness(source: Source, state: SourceState | None, now: dt.datetime) -> str:
    """A source at a glance: off, new, failing, quiet (no new item for its quiet period) or
    fresh."""
    if not source.enabled:
        return Freshness.OFF
    if state is None or state.last_attempt_at is None:
        return Freshness.NEW
    if state.last_error_at is not None and (
        state.last_success_at is None or state.last_error_at >= state.last_success_at
    ):
        return Freshness.FAILING
    if state.last_success_at is None:
        return Freshness.NEW
    # Quiet: no new item for the source's quiet period (counted from its creation when
    # none ever came).
    since = state.last_new_item_at or source.created_at
    if now - since > dt.timedelta(hours=source.quiet_after_hours):
        return Freshness.QUIET
    return Freshness.FRESH


@dataclass(frozen=True)
class SourceRow:
    """A source in a list, with its state and counts (the list costs one query)."""

    source: Source
    freshness: str
    items_total: int
    items_recent: int  # in the last RATE_DAYS days

    @property
    def items_per_day(self) -> float:
        return round(self.items_recent / RATE_DAYS, 1)

    @property
    def state(self) -> SourceState | None:
        return getattr(self.source, "state", None)


def with_counts(queryset: QuerySet[Source], now: dt.datetime | None = None) -> QuerySet[Source]:
    """``queryset`` with the counts :func:`as_rows` needs, in the same query."""
    since = (now or timezone.now()) - dt.timedelta(days=RATE_DAYS)
    # Meta.ordering does not apply to aggregating queries: the order is said again.
    return queryset.annotate(
        n_items=Count("items", distinct=True),
        n_recent=Count("items", filter=Q(items__first_seen_at__gte=since), distinct=True),
    ).order_by("name", "pk")


def as_rows(sources: Iterable[Source], now: dt.datetime | None = None) -> list[SourceRow]:
    """Rows of sources read through :func:`with_counts`."""
    now = now or timezone.now()
    return [
        SourceRow(
            source=source,
            freshness=freshness(source, getattr(source, "state", None), now),
            items_total=getattr(source, "n_items", 0),
            items_recent=getattr(source, "n_recent", 0),
        )
        for source in sources
    ]


def source_rows(queryset: QuerySet[Source], now: dt.datetime | None = None) -> list[SourceRow]:
    return as_rows(with_counts(queryset, now), now)


@dataclass(frozen=True)
class SourceHealth:
    source: Source
    state: SourceState
    freshness: str
    items_total: int
    items_per_day: float  # mean over the last RATE_DAYS days
    daily: list[tuple[dt.date, int]]  # the last HEALTH_DAYS days, oldest first, UTC days
    mean_delay_seconds: float | None  # publication at the source -> arrival, DELAY_DAYS
    attempts: list[FetchAttempt]

    @property
    def last_success_at(self) -> dt.datetime | None:
        return self.state.last_success_at

    @property
    def last_error_at(self) -> dt.datetime | None:
        return self.state.last_error_at


def source_health(source: Source, now: dt.datetime | None = None) -> SourceHealth:
    now = now or timezone.now()
    state, _created = SourceState.objects.get_or_create(source=source)
    items = IngestedItem.objects.filter(source=source)
    today = now.astimezone(dt.UTC).date()
    first_day = today - dt.timedelta(days=HEALTH_DAYS - 1)
    start = dt.datetime.combine(first_day, dt.time(), tzinfo=dt.UTC)
    counts = dict(
        items.filter(first_seen_at__gte=start)
        .annotate(day=TruncDate("first_seen_at", tzinfo=dt.UTC))
        .values_list("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    daily = [
        (day, counts.get(day, 0))
        for day in (first_day + dt.timedelta(days=n) for n in range(HEALTH_DAYS))
    ]
    recent = items.filter(first_seen_at__gte=now - dt.timedelta(days=RATE_DAYS)).count()
    delay = items.filter(
        first_seen_at__gte=now - dt.timedelta(days=DELAY_DAYS), delay_seconds__isnull=False
    ).aggregate(mean=Avg("delay_seconds"))["mean"]
    return SourceHealth(
        source=source,
        state=state,
        freshness=freshness(source, state, now),
        items_total=items.count(),
        items_per_day=round(recent / RATE_DAYS, 1),
        daily=daily,
        mean_delay_seconds=float(delay) if delay is not None else None,
        attempts=list(FetchAttempt.objects.filter(source=source)[:RECENT_ATTEMPTS]),
    )


@dataclass(frozen=True)
class SectorRules:
    """The enabled sector keyword rules, read once per harvest."""

    matcher: SectorMatcher
    sectors: dict[int, Sector]

    def refine(self, sectors: list[Sector], text: str, lang: str | None) -> list[Sector]:
        """``sectors`` (the source's) and those of the rules with a keyword in ``text``."""
        if not self.matcher:
            return sectors
        matched = self.matcher.sectors(text, lang)
        have = {sector.pk for sector in sectors}
        extra = [self.sectors[pk] for pk in sorted(matched - have)]
        return [*sectors, *extra]


def sector_rules() -> SectorRules:
    rules = list(SectorRule.objects.filter(enabled=True).select_related("sector"))
    return SectorRules(
        matcher=SectorMatcher(
            KeywordRule(rule.sector_id, tuple(rule.keyword_list)) for rule in rules
        ),
        sectors={rule.sector_id: rule.sector for rule in rules},
    )
