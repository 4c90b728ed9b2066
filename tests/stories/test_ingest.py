"""The enrich stage at the end of ``infoharbor ingest``: a real blog's feed (15 posts in one
template) and a mirror of it that republishes every post under other addresses."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from infoharbor.ingest.models import IngestedItem
from infoharbor.stories.models import StoryCluster, StoryMember
from tests import factories
from tests.ingest.conftest import Harbor, fixture_bytes, make_source

ATOM = "application/atom+xml; charset=utf-8"

pytestmark = pytest.mark.django_db


def ingest() -> str:
    out = StringIO()
    call_command("ingest", "--no-progress", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_mirrored_feed_joins_the_original_posts_stories(harbor: Harbor) -> None:
    # given a blog's feed, and a mirror that republishes it under its own addresses and ids
    original = fixture_bytes("atom-large-sanitize.xml")
    mirror = original.replace(b"touchnokia.ru", b"mirror.example.org")
    harbor.server.serve_file("/blog.xml", original, ATOM)
    harbor.server.serve_file("/mirror.xml", mirror, ATOM)
    blog = harbor.source("/blog.xml")
    other = factories.make_org("mirror-news", country="MY")
    copy = make_source(other, harbor.server.url("/mirror.xml"))
    # when the harbor ingests both
    output = ingest()
    # then every post is one story with its republication, and no two posts share a story
    assert "Stories: 30 entries" in output
    posts = dict(IngestedItem.objects.filter(source=blog).values_list("canonical_url", "entry_id"))
    copies = dict(IngestedItem.objects.filter(source=copy).values_list("canonical_url", "entry_id"))
    assert len(posts) == len(copies) == 15
    cluster = dict(StoryMember.objects.values_list("entry_id", "cluster_id"))
    for url, entry_id in posts.items():
        twin = copies[url.replace("touchnokia.ru", "mirror.example.org")]
        assert cluster[entry_id] is not None
        assert cluster[entry_id] == cluster[twin], url
    assert len({cluster[entry_id] for entry_id in posts.values()}) == 15
    assert sorted(StoryCluster.objects.values_list("size", flat=True)) == [2] * 15
    assert set(StoryCluster.objects.values_list("countries", flat=True).first() or []) == {
        "TH",
        "MY",
    }
    # and a second run, with nothing new, changes nothing
    before = list(StoryCluster.objects.values())
    assert "Stories: 0 entries" in ingest() or "No source is due." in ingest()
    assert list(StoryCluster.objects.values()) == before
