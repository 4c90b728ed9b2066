"""The story pages, the trending box and the line on an entry's page, as readers see them:
only the live entries each reader may read count."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from infoharbor.accounts.choices import Role
from infoharbor.core.choices import Visibility
from infoharbor.core.models import Entry
from infoharbor.stories import services
from infoharbor.stories.models import StoryCluster, StoryMember
from tests import factories
from tests.stories.conftest import Outlet, story

pytestmark = pytest.mark.django_db


def text(response: object) -> str:
    content: bytes = response.content  # type: ignore[attr-defined]
    return content.decode()


def cluster_of(entry: Entry) -> int:
    cluster_id = StoryMember.objects.get(entry=entry).cluster_id
    assert cluster_id is not None
    return cluster_id


@pytest.fixture
def chinese(plain_outlets: tuple[Outlet, Outlet, Outlet]) -> dict[str, Entry]:
    """One story in Simplified Chinese (Thailand), in Traditional Chinese (Indonesia) and
    again in Simplified (Vietnam, members only); and an unrelated English story."""
    first, second, third = plain_outlets
    now = timezone.now()
    entries = {
        "hans": first.publish(
            story("zh-Hans", 0),
            title="简体标题",
            language="zh-Hans",
            at=now - dt.timedelta(hours=3),
        ),
        "hant": second.publish(
            story("zh-Hant", 0),
            title="繁體標題",
            language="zh-Hant",
            at=now - dt.timedelta(hours=2),
        ),
        "members": third.publish(
            story("zh-Hans", 0)[::-1],
            title="会员标题",
            language="zh-Hans",
            at=now - dt.timedelta(hours=1),
            visibility=Visibility.MEMBERS,
        ),
        "other": third.publish(story("en", 2), title="Unrelated story"),
    }
    services.assign_pending()
    assert len({cluster_of(entries[k]) for k in ("hans", "hant", "members")}) == 1
    return entries


def test_the_story_page_lists_its_entries_by_language(
    client: Client, chinese: dict[str, Entry]
) -> None:
    response = client.get(f"/en/stories/{cluster_of(chinese['hans'])}/")

    assert response.status_code == 200
    page = text(response)
    assert '<h1 lang="zh-Hans">简体标题</h1>' in page
    assert 'id="story-lang-zh-Hans"' in page
    assert 'id="story-lang-zh-Hant"' in page
    for key in ("hans", "hant"):
        assert f'href="/en/entries/{chinese[key].pk}/"' in page
    assert "Harbor Daily" in page
    assert "Asean Wire" in page
    assert "Thailand" in page
    assert "Indonesia" in page
    assert "2 entries" in page
    assert "2 sources" in page
    # a members-only entry is not shown to an anonymous reader, nor the unrelated story
    assert "会员标题" not in page
    assert "Unrelated story" not in page
    assert "<script" not in page.split("</header>", 1)[1]


def test_members_see_the_members_only_entry(
    chinese: dict[str, Entry], plain_outlets: tuple[Outlet, Outlet, Outlet]
) -> None:
    reader = factories.make_user("reader@example.org")
    client = Client()
    client.force_login(reader)

    page = text(client.get(f"/en/stories/{cluster_of(chinese['hans'])}/"))

    assert "会员标题" in page
    assert "3 entries" in page


def test_withdrawn_entries_leave_the_story_and_a_story_of_none_is_not_found(
    client: Client, chinese: dict[str, Entry], plain_outlets: tuple[Outlet, Outlet, Outlet]
) -> None:
    story_id = cluster_of(chinese["hans"])
    plain_outlets[0].withdraw(chinese["hans"])

    page = text(client.get(f"/en/stories/{story_id}/"))
    assert "简体标题" not in page
    assert '<h1 lang="zh-Hant">繁體標題</h1>' in page  # the first entry still visible

    plain_outlets[1].withdraw(chinese["hant"])
    assert client.get(f"/en/stories/{story_id}/").status_code == 404
    assert client.get("/en/stories/999999/").status_code == 404
    assert client.get("/en/stories/abc/").status_code == 404


def test_the_title_is_in_the_readers_language_where_there_is_one(
    client: Client, chinese: dict[str, Entry]
) -> None:
    page = text(client.get(f"/zh-hant/stories/{cluster_of(chinese['hans'])}/"))

    assert '<h1 lang="zh-Hant">繁體標題</h1>' in page
    assert page.index('id="story-lang-zh-Hant"') < page.index('id="story-lang-zh-Hans"')


def test_an_entry_page_links_to_its_story(client: Client, chinese: dict[str, Entry]) -> None:
    page = text(client.get(f"/en/entries/{chinese['hans'].pk}/"))

    link = re.search(
        r'<a href="/en/stories/(\d+)/">Also reported by 1 source — see the story</a>', page
    )
    assert link is not None
    assert int(link.group(1)) == cluster_of(chinese["hans"])
    # an entry alone in its story has no line
    assert "Also reported" not in text(client.get(f"/en/entries/{chinese['other'].pk}/"))


def test_the_line_counts_only_what_the_reader_sees(
    client: Client, chinese: dict[str, Entry], plain_outlets: tuple[Outlet, Outlet, Outlet]
) -> None:
    plain_outlets[1].withdraw(chinese["hant"])
    assert "Also reported" not in text(client.get(f"/en/entries/{chinese['hans'].pk}/"))

    member = factories.make_user("member@example.org")
    factories.add_member(member, plain_outlets[2].organization, Role.MEMBER)
    signed = Client()
    signed.force_login(member)
    assert "Also reported by 1 source" in text(signed.get(f"/en/entries/{chinese['hans'].pk}/"))


def make_trending(outlets: tuple[Outlet, Outlet, Outlet], number: int) -> int:
    """A story carried five times in the last five hours: it trends."""
    now = timezone.now()
    entries = [
        outlets[n % 3].publish(
            story("en", number), title=f"Trending {number}.{n}", at=now - dt.timedelta(hours=n)
        )
        for n in range(5)
    ]
    services.assign_pending()
    cluster = StoryCluster.objects.get(pk=cluster_of(entries[0]))
    assert cluster.trending
    return cluster.pk


def test_the_stories_page_shows_trending_then_latest(
    client: Client, plain_outlets: tuple[Outlet, Outlet, Outlet]
) -> None:
    hot = make_trending(plain_outlets, 1)
    quiet = [plain_outlets[n].publish(story("en", 3), title=f"Quiet {n}") for n in range(2)]
    services.assign_pending()

    page = text(client.get("/en/stories/"))

    trending, latest = page.split('id="recent-heading"')
    assert f'href="/en/stories/{hot}/"' in trending
    assert f'href="/en/stories/{cluster_of(quiet[0])}/"' not in trending
    assert f'href="/en/stories/{cluster_of(quiet[0])}/"' in latest
    assert "5 entries" in trending
    assert "3 sources" in trending


def test_the_home_page_has_a_trending_box(
    client: Client, plain_outlets: tuple[Outlet, Outlet, Outlet]
) -> None:
    assert "Trending stories" not in text(client.get("/en/"))
    hot = make_trending(plain_outlets, 0)

    page = text(client.get("/en/"))

    assert "Trending stories" in page
    assert f'href="/en/stories/{hot}/"' in page


def test_an_empty_stories_page(client: Client, db: None) -> None:
    page = text(client.get("/en/stories/"))
    assert "No story has been reported by more than one source yet." in page


def test_list_pages_cost_a_fixed_number_of_queries(
    client: Client, plain_outlets: tuple[Outlet, Outlet, Outlet], django_assert_num_queries: object
) -> None:
    make_trending(plain_outlets, 0)
    # Count, page of stories, their entries; trending stories, their entries.
    with django_assert_num_queries(5):  # type: ignore[operator]
        client.get("/en/stories/")
    with django_assert_num_queries(5):  # type: ignore[operator]
        client.get("/en/")  # countries, entries, translations, trending stories, their entries
    make_trending(plain_outlets, 1)
    make_trending(plain_outlets, 2)
    with django_assert_num_queries(5):  # type: ignore[operator]
        client.get("/en/stories/")
    with django_assert_num_queries(5):  # type: ignore[operator]
        client.get("/en/")


def test_operators_read_stories_in_the_operator_site(
    chinese: dict[str, Entry],
) -> None:
    operator = factories.make_operator()
    client = Client()
    client.force_login(operator)
    story_id = cluster_of(chinese["hans"])

    listing = client.get("/en/operator/stories/storycluster/")
    detail = client.get(f"/en/operator/stories/storycluster/{story_id}/change/")

    assert listing.status_code == 200
    assert detail.status_code == 200
    assert "简体标题" in text(detail)
    assert client.get("/en/operator/stories/storycluster/add/").status_code == 403
