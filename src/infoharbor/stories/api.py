"""/stories: near-duplicate entries grouped into one story, with its sources and languages.

A caller sees of a story only the live entries they may read (anonymous callers: public
ones); a story with none of those is not found. Counts, languages and countries are of the
entries the caller sees.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from infoharbor.api.auth import caller, read_auth
from infoharbor.api.pagination import LAST_SEEN_KEYSET, PageParams, paginate
from infoharbor.api.problems import Problem, not_found
from infoharbor.api.schemas import DateTime, OrganizationBrief
from infoharbor.core.languages import content_language
from infoharbor.stories import queries

router = Router(tags=["stories"], auth=read_auth)


class StoryEntryOut(Schema):
    id: int
    title: str
    language: str = Field(description="The entry's language (BCP 47).")
    country: str = Field(description="ISO 3166-1 alpha-2 code.")
    organization: OrganizationBrief
    published_at: DateTime | None
    url: str = Field(description="The entry's page on the portal.")
    api_url: str = Field(description="The entry in this API.")


class StoryBriefOut(Schema):
    id: int
    title: str = Field(description="The title of the story's first entry in `lang`, if any.")
    title_language: str
    size: int = Field(description="Entries of the story that the caller may see.")
    sources: int = Field(description="Organizations that published them.")
    languages: list[str]
    countries: list[str]
    first_seen: DateTime | None
    last_seen: DateTime | None
    trending: bool
    trending_since: DateTime | None
    url: str = Field(description="The story's page on the portal.")


class StoryOut(StoryBriefOut):
    entries: list[StoryEntryOut] = Field(description="Oldest first.")


class StoryPage(Schema):
    items: list[StoryBriefOut]
    next: str | None = Field(description="Link to the next page; null on the last one.")


class StoryFilters(PageParams):
    trending: bool | None = Field(None, description="Only trending stories (or only others).")
    language: str | None = Field(
        None, max_length=16, description="Stories with an entry in this language (BCP 47)."
    )
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166 alpha-2.")
    lang: str | None = Field(
        None, max_length=16, description="Language to take the title from, where it exists."
    )


class LangParam(Schema):
    lang: str | None = Field(
        None, max_length=16, description="Language to take the title from, where it exists."
    )


def _brief(request: HttpRequest, story: queries.Story) -> StoryBriefOut:
    cluster = story.cluster
    return StoryBriefOut(
        id=cluster.pk,
        title=story.title,
        title_language=story.lead.language_id,
        size=story.size,
        sources=story.sources,
        languages=[language.code for language in story.languages],
        countries=story.countries,
        first_seen=story.first_seen,
        last_seen=story.last_seen,
        trending=cluster.trending,
        trending_since=cluster.trending_since,
        url=request.build_absolute_uri(cluster.get_absolute_url()),
    )


def _entries(request: HttpRequest, story: queries.Story) -> list[StoryEntryOut]:
    return [
        StoryEntryOut(
            id=entry.pk,
            title=entry.title,
            language=entry.language_id,
            country=entry.country_id,
            organization=OrganizationBrief(
                slug=entry.organization.slug, name=entry.organization.name
            ),
            published_at=entry.published_at,
            url=request.build_absolute_uri(entry.get_absolute_url()),
            api_url=request.build_absolute_uri(
                reverse("api:get_entry", kwargs={"entry_id": entry.pk})
            ),
        )
        for entry in story.entries
    ]


def _language(raw: str | None) -> str:
    return content_language(raw) if raw else "en"


@router.get(
    "/stories",
    response={200: StoryPage, 401: Problem, 422: Problem},
    summary="List stories",
)
def list_stories(request: HttpRequest, filters: Query[StoryFilters]) -> StoryPage:
    """Stories with an entry the caller may see, the latest seen first."""
    actor = caller(request).actor
    queryset = queries.visible_stories(
        actor,
        language=content_language(filters.language) if filters.language else None,
        country=filters.country.upper() if filters.country else None,
    )
    if filters.trending is not None:
        queryset = queryset.filter(trending=filters.trending)
    rows, next_url = paginate(request, queryset, LAST_SEEN_KEYSET, filters)
    shown = queries.stories(actor, rows, _language(filters.lang))
    return StoryPage(items=[_brief(request, story) for story in shown], next=next_url)


@router.get(
    "/stories/{story_id}",
    response={200: StoryOut, 401: Problem, 404: Problem, 422: Problem},
    summary="A story",
)
def get_story(request: HttpRequest, story_id: int, params: Query[LangParam]) -> StoryOut:
    """One story with the entries of it the caller may see (404 when there are none)."""
    story = queries.story(caller(request).actor, story_id, _language(params.lang))
    if story is None:
        raise not_found(_("There is no story with this id, or you may not see it."))
    return StoryOut(**_brief(request, story).model_dump(), entries=_entries(request, story))
