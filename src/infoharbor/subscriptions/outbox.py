"""Matching entries as they are published, and the match index each process keeps.

When entries are published, ``on_entries_write`` (inside the publication's transaction) builds
its index document, asks the match index which subscriptions it matches and writes one
:class:`Match` row for each: the outbox that delivery reads. The rows commit or roll back with
the publication. (That is more than the one quick write the hook asks for: it analyses the
entry once more, a few milliseconds, and matching is under a millisecond at 100,000
subscriptions; see docs/benchmarks.md. A publication that cannot be matched is not lost: the
error propagates and the publication rolls back with it.)

The index lives in the memory of each process that publishes (web, worker, ingest):

- built from the database on the first publication in the process (active subscriptions of
  active owners, not paused);
- every subscription change bumps the one-row counter :class:`MatchState` in its own
  transaction and stamps the subscription (or a :class:`SubscriptionRemoval`) with the new
  revision;
- before matching, a process reads the counter (one query): if it moved, it re-reads only the
  subscriptions and removals after the revision it has, and updates its index in place.

So every process sees every change that committed before the publication, without a rebuild.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from infoharbor.core import services
from infoharbor.core.choices import EntryStatus, Visibility
from infoharbor.core.models import Entry
from infoharbor.search import documents
from infoharbor.search.query import ParsedQuery
from infoharbor.search.service import parse_query
from infoharbor.stories import services as story_services
from infoharbor.subscriptions import matching
from infoharbor.subscriptions.choices import FollowTarget
from infoharbor.subscriptions.conditions import conditions_of
from infoharbor.subscriptions.models import Match, MatchState, Subscription, SubscriptionRemoval

# Removals older than this are deleted (every process has caught up long before).
KEEP_REMOVALS = dt.timedelta(days=7)
STATE_ID = 1


# Channels that fan a match out further (webhook deliveries) register here; each is called
# inside the publication's transaction with the (subscription id, entry id) pairs just
# matched, so what it writes commits or rolls back with the Match rows. A pair may have
# matched before (a republished entry): a channel's writes must be idempotent.
MatchedCallback = Callable[[list[tuple[int, int]]], None]
_matched_callbacks: list[MatchedCallback] = []


def on_matched(callback: MatchedCallback) -> None:
    """Call ``callback(pairs)`` whenever entries have matched subscriptions."""
    if callback not in _matched_callbacks:
        _matched_callbacks.append(callback)


def connect() -> None:
    # The batch hook: a harvest's batch of new entries reads the revision counter once, not
    # once per entry (a single publication is a batch of one).
    services.on_entries_write(_entries_written)
    story_services.on_assigned(_stories_assigned)


def _entries_written(event: str, entry_ids: list[int]) -> None:
    if event == EntryStatus.PUBLISHED:
        match_entries(entry_ids)


def _stories_assigned(pairs: list[tuple[int, int]]) -> None:
    # An entry joins its story after it was published (the stories stage runs later), so
    # the followers of a story are matched here; only entries of followed stories are
    # matched again, and a subscription that matched the entry before keeps its first row.
    followed = set(
        Subscription.objects.filter(
            target_type=FollowTarget.STORY,
            target__in={str(story) for _entry, story in pairs},
            paused=False,
        ).values_list("target", flat=True)
    )
    joined: dict[int, list[int]] = {}
    for entry_id, story in pairs:
        if str(story) in followed:
            joined.setdefault(story, []).append(entry_id)
    for story, entry_ids in joined.items():
        match_entries(entry_ids, stories=[story])


# --- the revision counter ------------------------------------------------------------------


def bump_revision() -> int:
    """The next revision (inside the caller's transaction: the counter row stays locked until
    it commits, so revisions commit in order)."""
    state, _created = MatchState.objects.get_or_create(pk=STATE_ID)
    MatchState.objects.filter(pk=STATE_ID).update(revision=F("revision") + 1)
    state.refresh_from_db(fields=["revision"])
    return int(state.revision)


def current_revision() -> int:
    revision = MatchState.objects.filter(pk=STATE_ID).values_list("revision", flat=True).first()
    return int(revision or 0)


# --- the index of this process -------------------------------------------------------------


def _parsed(text: str, cache: dict[str, ParsedQuery]) -> ParsedQuery:
    parsed = cache.get(text)
    if parsed is None:
        parsed = cache[text] = parse_query(text)
    return parsed


def compile_row(
    subscription: Subscription | tuple[int, int, str, str, str],
    cache: dict[str, ParsedQuery] | None = None,
) -> matching.Compiled:
    """A subscription (or its pk, owner_id, params, target_type, target) compiled."""
    if isinstance(subscription, Subscription):
        row = (
            subscription.pk,
            subscription.owner_id,
            subscription.params,
            subscription.target_type,
            subscription.target,
        )
    else:
        row = subscription
    pk, owner_id, params, target_type, target = row
    conditions = conditions_of(params, target_type, target)
    parsed = _parsed(conditions.text, cache if cache is not None else {})
    scope = matching.Scope.of(conditions.filters, story=conditions.stories)
    return matching.compile_subscription(pk, owner_id, parsed.root, scope)


_ROW = ("pk", "owner_id", "params", "target_type", "target")


class ProcessIndex:
    """The match index of this process and the revision it reflects."""

    def __init__(self) -> None:
        self.index: matching.MatchIndex | None = None
        self.revision = -1
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self.index, self.revision = None, -1

    def current(self) -> matching.MatchIndex:
        """The index, caught up with every subscription change committed so far."""
        with self._lock:
            revision = current_revision()
            if self.index is None:
                self.index = self._build()
                self.revision = revision
            elif revision != self.revision:
                self._catch_up(self.index, self.revision)
                self.revision = revision
            return self.index

    def _build(self) -> matching.MatchIndex:
        index = matching.MatchIndex()
        cache: dict[str, ParsedQuery] = {}
        rows = Subscription.objects.filter(paused=False, owner__is_active=True).values_list(*_ROW)
        for row in rows.iterator(chunk_size=2000):
            index.add(compile_row(row, cache))
        return index

    def _catch_up(self, index: matching.MatchIndex, after: int) -> None:
        cache: dict[str, ParsedQuery] = {}
        changed = Subscription.objects.filter(revision__gt=after).values_list(
            *_ROW, "paused", "owner__is_active"
        )
        for *row, paused, active in changed:
            if paused or not active:
                index.remove(row[0])
            else:
                index.add(compile_row((row[0], row[1], row[2], row[3], row[4]), cache))
        removed = SubscriptionRemoval.objects.filter(revision__gt=after).values_list(
            "subscription_id", flat=True
        )
        for pk in removed:
            index.remove(int(pk))


process_index = ProcessIndex()


# --- matching a published entry ------------------------------------------------------------


def match_entry(
    entry_id: int, *, stories: Iterable[int] = (), now: dt.datetime | None = None
) -> list[Match]:
    """Write the Match rows of a just-published entry (in the caller's transaction)."""
    return match_entries([entry_id], stories=stories, now=now)


def match_entries(
    entry_ids: list[int], *, stories: Iterable[int] = (), now: dt.datetime | None = None
) -> list[Match]:
    """Write the Match rows of just-published entries (in the caller's transaction);
    ``stories``: the stories the entries are in, for the followers of a story."""
    index = process_index.current()
    if not len(index):
        return []  # nobody subscribes: no need to analyse the entries (harvests publish a lot)
    built, _removed = documents.build(entry_ids)
    if not built:
        return []  # not listed by the search (their organization is suspended)
    now = now or timezone.now()
    story_ids = tuple(stories)
    matches: list[Match] = []
    for document in built:
        facts = matching.EntryFacts.of(document, story_ids)
        found = index.match(facts, now=now)
        if found:
            matches.extend(_eligible(facts, found, document.entry_id, now))
    # A republished entry matched before keeps its first match (and its delivery state).
    Match.objects.bulk_create(matches, ignore_conflicts=True)
    if matches:
        pairs = [(match.subscription_id, match.entry_id) for match in matches]
        for callback in _matched_callbacks:
            callback(pairs)
    return matches


def _eligible(
    facts: matching.EntryFacts, found: Iterable[int], entry_id: int, now: dt.datetime
) -> list[Match]:
    # The index may be a moment behind for an owner's account; the rows decide.
    eligible = Subscription.objects.filter(pk__in=found, paused=False, owner__is_active=True)
    if facts.visibility == Visibility.ORGANIZATION:
        # Only the organization's own people and the operators may read it.
        eligible = eligible.filter(
            Q(owner__is_staff=True)
            | Q(
                owner__memberships__organization_id=facts.organization_id,
                owner__memberships__organization__is_active=True,
            )
        )
    ids = sorted(set(eligible.values_list("pk", flat=True)))
    return [Match(subscription_id=pk, entry_id=entry_id, matched_at=now) for pk in ids]


def prune_removals(now: dt.datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - KEEP_REMOVALS
    deleted, _kinds = SubscriptionRemoval.objects.filter(removed_at__lt=cutoff).delete()
    return deleted


def rematch(entry_ids: Iterable[int]) -> int:
    """Match entries again (e.g. after a bulk change of subscriptions); idempotent."""
    count = 0
    for entry_id in entry_ids:
        with transaction.atomic():
            if Entry.objects.filter(pk=entry_id, status=EntryStatus.PUBLISHED).exists():
                count += len(match_entry(entry_id))
    return count
