"""assign_pending: near-duplicates join one story, other stories stay apart, reruns change
nothing, a killed run resumes, trending goes on and off."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import timezone

from infoharbor.core.models import Entry
from infoharbor.stories import services
from infoharbor.stories.models import BandKey, StoryCluster, StoryMember
from infoharbor.text.fingerprint import Fingerprint, LSHIndex
from tests.stories.conftest import UDHR, Outlet, story

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


def edited(paragraphs: list[str]) -> list[str]:
    """A republication: three words of the first paragraph changed, paragraphs reordered."""
    words = paragraphs[0].split()
    for at in (len(words) // 5, len(words) // 2, 4 * len(words) // 5):
        words[at] = words[at][::-1]
    return [*paragraphs[1:][::-1], " ".join(words)]


def partition() -> set[frozenset[int]]:
    """The stories as sets of entry ids."""
    groups: dict[int, set[int]] = {}
    for entry_id, cluster_id in StoryMember.objects.filter(cluster__isnull=False).values_list(
        "entry_id", "cluster_id"
    ):
        groups.setdefault(cluster_id, set()).add(entry_id)
    return {frozenset(group) for group in groups.values()}


def publish_wire(outlets: tuple[Outlet, Outlet, Outlet]) -> dict[int, list[Entry]]:
    """Four English stories by the first outlet, each republished (edited) by the second."""
    first, second, _ = outlets
    published: dict[int, list[Entry]] = {}
    for number in range(4):
        at = NOW - dt.timedelta(hours=10 - number)
        original = first.publish(story("en", number), at=at)
        copy = second.publish(edited(story("en", number)), at=at + dt.timedelta(minutes=30))
        published[number] = [original, copy]
    return published


def test_republished_stories_join_and_different_stories_stay_apart(
    outlets: tuple[Outlet, Outlet, Outlet],
) -> None:
    # given four stories, each published by one outlet and republished, edited and in its
    # own template, by another
    published = publish_wire(outlets)
    # when the pending entries are assigned
    result = services.assign_pending(now=NOW)
    # then each story is one cluster of its two entries, and there are four clusters
    assert partition() == {frozenset(e.pk for e in pair) for pair in published.values()}
    assert (result.entries, result.joined, result.started) == (8, 4, 4)
    cluster = StoryCluster.objects.get(representative=published[0][0])
    assert cluster.size == 2
    assert cluster.countries == ["TH", "ID"]
    assert cluster.languages == ["en"]
    assert cluster.first_seen == published[0][0].published_at
    assert cluster.last_seen == published[0][1].published_at
    copy = StoryMember.objects.get(entry=published[0][1])
    assert copy.matched_id == published[0][0].pk
    assert 0.5 <= copy.similarity < 1.0


@pytest.mark.parametrize("lang", ["zh-Hans", "th", "vi", "km", "my"])
def test_every_script_clusters(outlets: tuple[Outlet, Outlet, Outlet], lang: str) -> None:
    first, _, third = outlets
    pairs = []
    for number in range(4):
        original = first.publish(story(lang, number), language=lang)
        copy = third.publish(story(lang, number)[::-1], language=lang)
        pairs.append(frozenset({original.pk, copy.pk}))

    services.assign_pending()

    assert partition() == set(pairs)


def test_entries_arriving_later_join_stored_stories(
    outlets: tuple[Outlet, Outlet, Outlet],
) -> None:
    # given stories assigned in an earlier run
    first, _second, third = outlets
    originals = [first.publish(story("en", n), at=NOW - dt.timedelta(days=1)) for n in range(4)]
    services.assign_pending(now=NOW)
    # when a copy arrives and a later run assigns it (from the stored band keys alone)
    copy = third.publish(edited(story("en", 2)), at=NOW)
    result = services.assign_pending(now=NOW)
    # then it joins its story
    assert (result.entries, result.joined) == (1, 1)
    assert StoryMember.objects.get(entry=copy).cluster_id == (
        StoryMember.objects.get(entry=originals[2]).cluster_id
    )
    assert StoryCluster.objects.get(representative=originals[2]).size == 2


def test_batches_of_one_give_the_same_stories_as_one_batch(
    outlets: tuple[Outlet, Outlet, Outlet],
) -> None:
    publish_wire(outlets)
    services.assign_pending(batch_size=500)
    at_once = partition()

    result = services.rebuild(batch_size=1)

    assert result.batches == 8
    assert partition() == at_once


def test_a_second_run_changes_nothing(outlets: tuple[Outlet, Outlet, Outlet]) -> None:
    publish_wire(outlets)
    services.assign_pending(now=NOW)
    before = (partition(), BandKey.objects.count(), list(StoryCluster.objects.values()))

    again = services.assign_pending(now=NOW)

    assert again.entries == 0
    assert (partition(), BandKey.objects.count(), list(StoryCluster.objects.values())) == before


def test_a_killed_run_loses_one_batch_and_the_next_run_finishes(
    outlets: tuple[Outlet, Outlet, Outlet], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an uninterrupted run's stories, forgotten again
    publish_wire(outlets)
    services.assign_pending(batch_size=3)
    expected = partition()
    services.rebuild(batch_size=3)
    StoryCluster.objects.all().delete()
    assert StoryMember.objects.count() == 0
    # when a run is killed in the middle of its second batch
    real = services._assign_batch
    calls = []

    def dies_on_the_second(*args: object) -> None:
        calls.append(1)
        real(*args)  # type: ignore[arg-type]
        if len(calls) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(services, "_assign_batch", dies_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        services.assign_pending(batch_size=3)
    # then the first batch is stored and nothing of the second
    assert StoryMember.objects.count() == 3
    assert BandKey.objects.count() == 3 * 32
    assert sum(StoryCluster.objects.values_list("size", flat=True)) == 3
    # and the next run finishes with the uninterrupted run's stories
    monkeypatch.setattr(services, "_assign_batch", real)
    result = services.assign_pending(batch_size=3)
    assert result.entries == 5
    assert partition() == expected


def test_stored_band_keys_are_the_lsh_index_keys(outlets: tuple[Outlet, Outlet, Outlet]) -> None:
    entry = outlets[0].publish(story("en", 0))
    services.assign_pending()

    member = StoryMember.objects.get(entry=entry)
    found = Fingerprint.from_bytes(bytes(member.fingerprint))
    stored = dict(member.band_keys.values_list("band", "key"))
    expected = np.array(LSHIndex().keys_of(found), dtype=np.uint64).view(np.int64)
    assert [stored[band] for band in range(32)] == expected.tolist()


def test_short_texts_and_unpublished_entries(outlets: tuple[Outlet, Outlet, Outlet]) -> None:
    _, second, untemplated = outlets
    short = untemplated.publish(["Short."], title="Hi")
    draft = factories_draft(second)

    result = services.assign_pending()

    assert result.too_short == 1
    member = StoryMember.objects.get(entry=short)
    assert member.cluster_id is None
    assert not BandKey.objects.filter(entry=member).exists()
    assert not StoryMember.objects.filter(entry=draft).exists()


def factories_draft(outlet: Outlet) -> Entry:
    from tests import factories

    return factories.make_entry(
        outlet.organization, outlet.admin, status="draft", body="\n\n".join(story("en", 1))
    )


def test_a_story_trends_while_it_grows_fast_and_cools(
    outlets: tuple[Outlet, Outlet, Outlet],
) -> None:
    # given a story that five outlets carried within the last six hours
    paragraphs = story("en", 3)
    for hour in range(5):
        outlet = outlets[hour % 3]
        outlet.publish(
            edited(paragraphs) if hour % 2 else paragraphs, at=NOW - dt.timedelta(hours=hour)
        )
    # and a story that has trickled in for days
    for day in range(5):
        outlets[0].publish([*story("en", 1), f"Update {day}."], at=NOW - dt.timedelta(days=day + 1))
    # when the entries are assigned now
    result = services.assign_pending(now=NOW)
    # then the first story trends, the other does not
    hot = StoryCluster.objects.get(trending=True)
    assert result.trending_on == [hot.pk]
    assert hot.size == 5
    assert hot.trending_since == NOW
    assert hot.trend_rate == pytest.approx(5 / 6)
    assert StoryCluster.objects.filter(trending=True).count() == 1
    # and a later run keeps it trending from the same time
    later = NOW + dt.timedelta(hours=1)
    assert services.update_trending(now=later) == ([], [])
    hot.refresh_from_db()
    assert hot.trending_since == NOW
    # and a day later it has cooled
    assert services.update_trending(now=NOW + dt.timedelta(days=1)) == ([], [hot.pk])
    hot.refresh_from_db()
    assert (hot.trending, hot.trending_since, hot.trend_rate) == (False, None, 0.0)


def test_withdrawn_entries_do_not_make_a_story_trend(
    outlets: tuple[Outlet, Outlet, Outlet],
) -> None:
    entries = [
        outlets[n % 3].publish(story("en", 0), at=NOW - dt.timedelta(hours=n)) for n in range(5)
    ]
    outlets[0].withdraw(entries[0])

    services.assign_pending(now=NOW)

    assert not StoryCluster.objects.filter(trending=True).exists()


def test_the_command_reports_and_rebuilds(outlets: tuple[Outlet, Outlet, Outlet]) -> None:
    publish_wire(outlets)
    out = StringIO()
    call_command("stories", "--batch-size", "5", stdout=out, stderr=StringIO())
    assert "5/8 entries" in out.getvalue()
    assert "Stories: 8 entries" in out.getvalue()
    assert "4 joined a story, 4 started one" in out.getvalue()
    first = {c.pk for c in StoryCluster.objects.all()}

    out = StringIO()
    call_command("stories", "--rebuild", stdout=out, stderr=StringIO())

    assert "Stories: 8 entries" in out.getvalue()
    assert StoryCluster.objects.count() == 4
    assert first.isdisjoint(StoryCluster.objects.values_list("pk", flat=True))


def test_the_udhr_fixture_has_the_languages_tested() -> None:
    assert {"en", "zh-Hans", "th", "vi", "km", "my"} <= set(UDHR)


def test_a_bad_batch_size_is_refused() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        services.assign_pending(batch_size=0)
    assert timezone.now()  # nothing else happened
