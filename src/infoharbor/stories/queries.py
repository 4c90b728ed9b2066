"""Reads of story clusters, as a reader sees them.

A reader sees of a story only the entries they may read that are live (published, not
expired), by :func:`infoharbor.core.queries.published_entries`: a story none of whose entries
they may read does not exist for them (pages answer 404). Counts, languages, countries and the
title are those of the visible entries, never the stored totals, so a private or withdrawn
entry is not even counted. Every list costs a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet

from infoharbor.core import queries as core_queries
from infoharbor.core.models import Entry, Language
from infoharbor.core.permissions import Actor
from infoharbor.stories.models import StoryCluster, StoryMember

# Stories on the home page's box and at the head of the stories page.
TRENDING_ON_HOME = 5


def visible_entries(actor: Actor) -> QuerySet[Entry]:
    """The clustered entries ``actor`` may read (live ones only)."""
    return core_queries.published_entries(actor).filter(story_member__cluster__isnull=False)


def visible_stories(
    actor: Actor, *, language: str | None = None, country: str | None = None
) -> QuerySet[StoryCluster]:
    """Stories with at least one entry ``actor`` may read (in ``language``, of ``country``)."""
    members = StoryMember.objects.filter(
        entry__in=core_queries.published_entries(actor).order_by().values("pk")
    )
    if language:
        members = members.filter(language=language)
    if country:
        members = members.filter(country=country)
    return StoryCluster.objects.filter(pk__in=members.values("cluster_id"))


@dataclass(frozen=True)
class LanguageGroup:
    language: Language
    entries: list[Entry]


@dataclass(frozen=True)
class Story:
    """A story as one reader sees it: its visible entries, oldest first."""

    cluster: StoryCluster
    entries: list[Entry]
    reader_language: str

    @property
    def pk(self) -> int:
        return self.cluster.pk

    @property
    def lead(self) -> Entry:
        """The entry whose title names the story: the first in the reader's language, or the
        first of all."""
        for entry in self.entries:
            if entry.language_id == self.reader_language:
                return entry
        return self.entries[0]

    @property
    def title(self) -> str:
        return self.lead.title

    @property
    def size(self) -> int:
        return len(self.entries)

    @property
    def sources(self) -> int:
        """Organizations that published an entry of the story."""
        return len({entry.organization_id for entry in self.entries})

    @property
    def languages(self) -> list[Language]:
        return list({entry.language_id: entry.language for entry in self.entries}.values())

    @property
    def countries(self) -> list[str]:
        return list(dict.fromkeys(entry.country_id for entry in self.entries))

    @property
    def first_seen(self) -> dt.datetime | None:
        return self.entries[0].published_at

    @property
    def last_seen(self) -> dt.datetime | None:
        return max((e.published_at for e in self.entries if e.published_at), default=None)

    def by_language(self) -> list[LanguageGroup]:
        """The entries grouped by language, the reader's language first, then by size."""
        groups: dict[str, list[Entry]] = defaultdict(list)
        for entry in self.entries:
            groups[entry.language_id].append(entry)
        order = sorted(
            groups,
            key=lambda code: (code != self.reader_language, -len(groups[code]), code),
        )
        return [LanguageGroup(groups[code][0].language, groups[code]) for code in order]


def stories(actor: Actor, clusters: Sequence[StoryCluster], language: str) -> list[Story]:
    """``clusters`` as ``actor`` sees them (one query for all their entries); clusters without
    a visible entry are left out."""
    ids = [cluster.pk for cluster in clusters]
    found: dict[int, list[Entry]] = defaultdict(list)
    rows = (
        core_queries.with_card_relations(
            visible_entries(actor).filter(story_member__cluster__in=ids)
        )
        .select_related("story_member")
        .order_by("published_at", "pk")
    )
    for entry in rows:
        found[entry.story_member.cluster_id].append(entry)  # type: ignore[attr-defined,index,unused-ignore]
    return [
        Story(cluster, found[cluster.pk], language) for cluster in clusters if found[cluster.pk]
    ]


def story(actor: Actor, pk: int, language: str) -> Story | None:
    """The story ``pk`` as ``actor`` sees it, or None (unknown, or nothing of it visible)."""
    cluster = StoryCluster.objects.filter(pk=pk).first()
    if cluster is None:
        return None
    found = stories(actor, [cluster], language)
    return found[0] if found else None


def trending(actor: Actor, language: str, *, limit: int | None = None) -> list[Story]:
    """The trending stories ``actor`` can read, the fastest-growing first."""
    clusters = (
        visible_stories(actor).filter(trending=True).order_by("-trend_rate", "-last_seen", "-pk")
    )
    return stories(actor, list(clusters[:limit] if limit else clusters), language)


def recent(actor: Actor) -> QuerySet[StoryCluster]:
    """Stories told by more than one entry, latest first (to paginate, then :func:`stories`)."""
    return visible_stories(actor).filter(size__gt=1).order_by("-last_seen", "-pk")


@dataclass(frozen=True)
class EntryStory:
    """The line on an entry's page: who else tells its story."""

    cluster_id: int
    others: int  # other entries of the story the reader may see
    sources: int  # organizations that published them


def entry_story(actor: Actor, entry: Entry) -> EntryStory | None:
    """The story of ``entry`` if the reader can see other entries of it (one query)."""
    others = list(
        visible_entries(actor)
        .filter(story_member__cluster__members__entry_id=entry.pk)
        .exclude(pk=entry.pk)
        .values_list("organization_id", "story_member__cluster_id")
    )
    if not others:
        return None
    return EntryStory(others[0][1], len(others), len({org for org, _ in others}))
