"""A story across languages: an entry that starts a story joins the story of its translation
when they share enough anchors (real texts: the UD PUD documents in English, Chinese, Thai)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from infoharbor.core.models import Entry
from infoharbor.stories import services
from infoharbor.stories.anchoring import day_of
from infoharbor.stories.models import (
    AnchorFrequency,
    MatchKind,
    StoryAnchor,
    StoryCluster,
    StoryMember,
)
from tests import factories
from tests.stories.conftest import Outlet

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
PUD: dict[str, dict[str, list[dict[str, str]]]] = json.loads(
    (Path(__file__).parent / "fixtures" / "pud_reports.json").read_text(encoding="utf-8")
)
LANGUAGE = {"en": "en", "zh": "zh-Hant", "th": "th"}


def report(doc: str, lang: str) -> list[str]:
    """The document's sentences in ``lang``, two to a paragraph."""
    sentences = [s["text"] for s in PUD[doc][lang]]
    return [" ".join(sentences[i : i + 2]) for i in range(0, len(sentences), 2)]


def publish(
    outlet: Outlet, doc: str, lang: str, at: dt.datetime, *, language: str | None = None
) -> Entry:
    paragraphs = report(doc, lang)
    return outlet.publish(
        paragraphs,
        title=paragraphs[0][:40],
        language=language or LANGUAGE[lang],
        at=at,
    )


def member(entry: Entry) -> StoryMember:
    return StoryMember.objects.get(entry=entry)


def partition() -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for entry_id, cluster_id in StoryMember.objects.filter(cluster__isnull=False).values_list(
        "entry_id", "cluster_id"
    ):
        groups.setdefault(cluster_id, set()).add(entry_id)
    return {frozenset(group) for group in groups.values()}


def test_a_report_and_its_translations_are_one_story(
    plain_outlets: tuple[Outlet, Outlet, Outlet],
) -> None:
    # given one report in English, then its Chinese and Thai translations by other outlets
    first, second, third = plain_outlets
    english = publish(first, "n01084", "en", NOW - dt.timedelta(hours=5))
    chinese = publish(second, "n01084", "zh", NOW - dt.timedelta(hours=3))
    thai = publish(third, "n01084", "th", NOW - dt.timedelta(hours=1))
    # when they are assigned
    result = services.assign_pending(now=NOW)
    # then they are one story in three languages, the translations linked by anchors
    assert partition() == {frozenset({english.pk, chinese.pk, thai.pk})}
    assert (result.started, result.joined, result.linked) == (1, 2, 2)
    cluster = StoryCluster.objects.get()
    assert cluster.representative_id == english.pk
    assert cluster.size == 3
    assert cluster.languages == ["en", "zh-Hant", "th"]
    assert cluster.countries == ["TH", "ID", "VN"]
    assert member(english).matched_by == MatchKind.NONE
    for translation in (chinese, thai):
        linked = member(translation)
        assert linked.matched_by == MatchKind.ANCHORS
        assert linked.matched_id in {english.pk, chinese.pk}
        assert 0.5 <= linked.similarity <= 1.0
    # the three entries' anchors are stored to be looked up, with one story per anchor-day
    assert set(StoryAnchor.objects.values_list("entry", flat=True)) == {
        english.pk,
        chinese.pk,
        thai.pk,
    }
    assert AnchorFrequency.objects.filter(stories=3).exists()


def test_reports_that_share_only_a_year_stay_apart(
    plain_outlets: tuple[Outlet, Outlet, Outlet],
) -> None:
    # given an English report on pay in 2013-2016 and an unrelated Chinese one of 30 August 2015
    first, second, _ = plain_outlets
    pay = publish(first, "n01043", "en", NOW - dt.timedelta(hours=2))
    app = publish(second, "n02042", "zh", NOW - dt.timedelta(hours=1))
    # when assigned, then they are two stories (one shared anchor, "2015", is no link)
    result = services.assign_pending(now=NOW)
    assert partition() == {frozenset({pay.pk}), frozenset({app.pk})}
    assert result.linked == 0


def test_the_same_language_never_links_by_anchors(
    plain_outlets: tuple[Outlet, Outlet, Outlet],
) -> None:
    # given the Thai and Chinese versions of one report, both declared Thai (a feed whose
    # default language is wrong for one item): the anchors match, the declared languages too
    first, second, third = plain_outlets
    thai = publish(first, "n01084", "th", NOW - dt.timedelta(hours=2))
    mislabelled = publish(second, "n01084", "zh", NOW - dt.timedelta(hours=1), language="th")
    # when assigned, then they stay two stories
    services.assign_pending(now=NOW)
    assert partition() == {frozenset({thai.pk}), frozenset({mislabelled.pk})}
    # and an English version links to one of them, never merging the two
    english = publish(third, "n01084", "en", NOW)
    services.assign_pending(now=NOW)
    assert member(english).matched_by == MatchKind.ANCHORS
    assert member(english).cluster_id in {member(thai).cluster_id, member(mislabelled).cluster_id}
    assert member(mislabelled).cluster_id != member(thai).cluster_id


def test_outside_the_window_there_is_no_link(
    plain_outlets: tuple[Outlet, Outlet, Outlet],
) -> None:
    # given an English report, its Chinese translation 73 hours later and its Thai one 71
    first, second, third = plain_outlets
    english = publish(first, "n01084", "en", NOW - dt.timedelta(hours=80))
    late = publish(second, "n01084", "zh", NOW - dt.timedelta(hours=7))
    services.assign_pending(now=NOW)
    # then the late one starts its own story
    assert member(late).cluster_id != member(english).cluster_id
    assert member(late).matched_by == MatchKind.NONE
    # and one within the window of both joins the first one found: never two stories merged
    thai = publish(third, "n01084", "th", NOW - dt.timedelta(hours=9))
    services.assign_pending(now=NOW)
    assert member(thai).matched_by == MatchKind.ANCHORS
    assert member(thai).cluster_id in {member(english).cluster_id, member(late).cluster_id}


def test_the_window_is_a_setting(
    plain_outlets: tuple[Outlet, Outlet, Outlet], settings: Any
) -> None:
    settings.STORIES_CROSS_LANGUAGE_HOURS = 0
    first, second, _ = plain_outlets
    english = publish(first, "n01084", "en", NOW - dt.timedelta(hours=2))
    chinese = publish(second, "n01084", "zh", NOW - dt.timedelta(hours=1))
    services.assign_pending(now=NOW)
    assert member(chinese).cluster_id != member(english).cluster_id
    assert not StoryAnchor.objects.exists()


def test_anchors_carried_by_too_many_stories_are_not_looked_up(
    plain_outlets: tuple[Outlet, Outlet, Outlet], settings: Any
) -> None:
    # given at most one story per anchor in the window to look up, and the Chinese and
    # English versions of a report: the English one finds the Chinese one
    settings.STORIES_ANCHOR_MAX_STORIES = 1
    first, second, third = plain_outlets
    chinese = publish(first, "n01084", "zh", NOW - dt.timedelta(hours=3))
    english = publish(second, "n01084", "en", NOW - dt.timedelta(hours=2))
    services.assign_pending(now=NOW)
    assert member(english).cluster_id == member(chinese).cluster_id
    # when the Thai version comes, each of its anchors (six numbers) is in two stories
    thai = publish(third, "n01084", "th", NOW - dt.timedelta(hours=1))
    services.assign_pending(now=NOW)
    # then none is looked up and it starts its own story
    assert member(thai).cluster_id != member(chinese).cluster_id
    assert member(thai).matched_by == MatchKind.NONE


def test_a_rebuild_gives_the_same_stories(plain_outlets: tuple[Outlet, Outlet, Outlet]) -> None:
    first, second, third = plain_outlets
    for hours, (outlet, doc, lang) in enumerate(
        [
            (first, "n01084", "en"),
            (second, "n01043", "en"),
            (third, "n01084", "zh"),
            (first, "n02042", "zh"),
            (second, "n01043", "th"),
            (third, "n02042", "en"),
            (first, "n01084", "th"),
            (second, "n01043", "zh"),
        ]
    ):
        publish(outlet, doc, lang, NOW - dt.timedelta(hours=10 - hours))
    # assigned two at a time, in four runs
    for _ in range(4):
        services.assign_pending(batch_size=2, limit=2, now=NOW)

    def matches() -> set[tuple[int, int | None, str]]:
        return set(StoryMember.objects.values_list("entry_id", "matched_id", "matched_by"))

    before, links = partition(), matches()
    assert len(before) == 3  # the three documents, each in its languages
    assert sum(kind == MatchKind.ANCHORS for _, _, kind in links) == 5

    result = services.rebuild()

    assert result.linked == 5
    assert partition() == before
    assert matches() == links


def test_the_cross_language_step_costs_the_same_queries_for_more_entries(
    plain_outlets: tuple[Outlet, Outlet, Outlet],
) -> None:
    first, second, third = plain_outlets

    def assign(docs: list[str], start: dt.datetime) -> int:
        for n, doc in enumerate(docs):
            for outlet, lang in ((first, "en"), (second, "zh"), (third, "th")):
                publish(outlet, doc, lang, start + dt.timedelta(minutes=10 * n))
        with CaptureQueriesContext(connection) as queries:
            services.assign_pending(now=start + dt.timedelta(hours=1))
        return len(queries)

    one = assign(["n01084"], NOW - dt.timedelta(days=20))
    two = assign(["n01043", "n02042"], NOW - dt.timedelta(days=10))
    assert two == one
    assert StoryCluster.objects.count() == 3


def test_the_anchors_past_the_window_are_pruned(
    plain_outlets: tuple[Outlet, Outlet, Outlet],
) -> None:
    first, second, _ = plain_outlets
    old = publish(first, "n01043", "en", NOW - dt.timedelta(days=10))
    services.assign_pending(now=NOW)
    assert StoryAnchor.objects.filter(entry=old.pk).exists()
    new = publish(second, "n02042", "zh", NOW)
    services.assign_pending(now=NOW)
    # 10 days is more than twice the 72-hour window before the newest anchor
    assert not StoryAnchor.objects.filter(entry=old.pk).exists()
    assert StoryAnchor.objects.filter(entry=new.pk).exists()
    assert not AnchorFrequency.objects.filter(day__lt=day_of(NOW - dt.timedelta(days=6))).exists()
    assert AnchorFrequency.objects.filter(day=day_of(NOW)).exists()


@pytest.fixture
def linked(plain_outlets: tuple[Outlet, Outlet, Outlet]) -> dict[str, Entry]:
    """The report by three English outlets and in Chinese and Thai, within five hours."""
    first, second, third = plain_outlets
    entries = {
        f"en{n}": publish(outlet, "n01084", "en", NOW - dt.timedelta(hours=5 - n))
        for n, outlet in enumerate(plain_outlets)
    }
    entries["zh"] = publish(second, "n01084", "zh", NOW - dt.timedelta(hours=1))
    entries["th"] = publish(third, "n01084", "th", NOW - dt.timedelta(minutes=30))
    del first
    services.assign_pending(now=NOW)
    return entries


def test_a_linked_story_counts_every_language_and_trends(linked: dict[str, Entry]) -> None:
    cluster = StoryCluster.objects.get()
    assert cluster.size == 5
    assert cluster.languages == ["en", "zh-Hant", "th"]
    # five entries within six hours: trending, the translations counted
    assert cluster.trending
    assert member(linked["en1"]).matched_by == MatchKind.TEXT
    assert member(linked["zh"]).matched_by == MatchKind.ANCHORS


def test_the_story_page_and_api_show_both_languages(
    client: Client, plain_outlets: tuple[Outlet, Outlet, Outlet]
) -> None:
    first, second, _ = plain_outlets
    english = publish(first, "n01084", "en", NOW - dt.timedelta(hours=2))
    chinese = publish(second, "n01084", "zh", NOW - dt.timedelta(hours=1))
    services.assign_pending(now=NOW)
    story_id = member(english).cluster_id

    page = client.get(f"/en/stories/{story_id}/").content.decode()
    assert 'id="story-lang-en"' in page
    assert 'id="story-lang-zh-Hant"' in page
    assert f'href="/en/entries/{chinese.pk}/"' in page
    assert "2 entries" in page

    body = client.get(f"/api/v1/stories/{story_id}").json()
    assert body["languages"] == ["en", "zh-Hant"]
    assert [(e["id"], e["language"]) for e in body["entries"]] == [
        (english.pk, "en"),
        (chinese.pk, "zh-Hant"),
    ]


def test_followers_of_a_story_get_its_translation(
    plain_outlets: tuple[Outlet, Outlet, Outlet],
) -> None:
    from infoharbor.subscriptions.models import Match
    from tests.subscriptions.factories import follow

    first, second, _ = plain_outlets
    english = publish(first, "n01084", "en", NOW - dt.timedelta(hours=2))
    services.assign_pending(now=NOW)
    followed = follow(factories.make_user(), "story", str(member(english).cluster_id))

    chinese = publish(second, "n01084", "zh", NOW - dt.timedelta(hours=1))
    services.assign_pending(now=NOW)

    assert list(Match.objects.filter(subscription=followed).values_list("entry", flat=True)) == [
        chinese.pk
    ]
