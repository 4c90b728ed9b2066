"""Pages anyone can read: home, entries, organizations, countries, about."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from infoharbor.core import kinds, queries
from infoharbor.core.languages import content_language
from infoharbor.core.models import Language
from infoharbor.core.platforms import PLATFORMS
from infoharbor.portal.actor import actor_for
from infoharbor.portal.forms import (
    EntryFilterForm,
    HomeCountryForm,
    OrganizationFilterForm,
    TranslationLanguageForm,
)
from infoharbor.portal.views.common import actions_for, paginate, reader_language
from infoharbor.stories import queries as stories

HOME_PER_PLATFORM = 4
LATEST_ON_PAGES = 10


def home(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    region = queries.region_countries()
    form = HomeCountryForm(request.GET, countries=region)
    country = form.selected()
    sections = queries.latest_by_platform(
        actor, reader_language(), country=country, per_platform=HOME_PER_PLATFORM
    )
    chosen = next((item for item in region if item.iso2 == country), None)
    return render(
        request,
        "portal/home.html",
        {
            "sections": sections,
            "trending_stories": stories.trending(
                actor, reader_language(), limit=stories.TRENDING_ON_HOME
            ),
            "region": region,
            "country_form": form,
            "country": chosen,
        },
    )


def entries(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    form = EntryFilterForm(request.GET)
    queryset = queries.with_card_relations(form.filter(queries.published_entries(actor)))
    page = paginate(request, queryset)
    return render(
        request,
        "portal/entries.html",
        {
            "form": form,
            "page_obj": page,
            "cards": queries.entry_cards(page, reader_language()),
        },
    )


@dataclass(frozen=True)
class LanguageLink:
    language: Language
    current: bool
    original: bool
    is_machine: bool = False


def entry(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    item = queries.visible_entry(actor, pk)
    if item is None:
        raise Http404
    requested = request.GET.get("lang", "")
    wanted = content_language(requested) if requested else reader_language()
    translation = queries.choose_translation(item, wanted)
    text = queries.localize(item, translation)
    try:
        kind: kinds.EntryKind | None = kinds.get(item.kind)
    except kinds.UnknownKind:
        kind = None
    links = [LanguageLink(item.language, current=translation is None, original=True)] + [
        LanguageLink(
            other.language,
            current=other == translation,
            original=False,
            is_machine=other.is_machine,
        )
        for other in item.translations.all()
    ]
    return render(
        request,
        "portal/entry.html",
        {
            "entry": item,
            "text": text,
            "kind": kind,
            "kind_label": queries.kind_label(item.kind),
            "details": queries.entry_details(item) if kind else None,
            "actions": actions_for(actor, item),
            "translate_form": TranslationLanguageForm(entry=item),
            "language_links": links,
            "story": stories.entry_story(actor, item),
            # The reader asked for a language this entry has no text in: say what they get.
            "fell_back": translation is None and wanted != item.language_id,
            "is_demo": item.is_demo or item.organization.is_demo,
        },
    )


def organizations(request: HttpRequest) -> HttpResponse:
    form = OrganizationFilterForm(request.GET)
    country, kind = form.values()
    page = paginate(request, queries.organizations(country=country, kind=kind))
    return render(request, "portal/organizations.html", {"form": form, "page_obj": page})


def organization(request: HttpRequest, slug: str) -> HttpResponse:
    org = queries.organization_page(slug)
    if org is None:
        raise Http404
    latest = queries.with_card_relations(
        queries.published_entries(actor_for(request)).filter(organization=org)
    )[:LATEST_ON_PAGES]
    return render(
        request,
        "portal/organization.html",
        {
            "organization": org,
            "cards": queries.entry_cards(latest, reader_language()),
            "entries_url": f"{reverse('portal:entries')}?organization={org.slug}",
        },
    )


def countries(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/countries.html",
        {
            "region": queries.region_countries(),
            "others": queries.other_countries(),
        },
    )


def country(request: HttpRequest, iso2: str) -> HttpResponse:
    if iso2 != iso2.lower():
        return HttpResponseRedirect(reverse("portal:country", args=[iso2.lower()]))
    place = queries.country_page(iso2)
    if place is None:
        raise Http404
    latest = queries.with_card_relations(
        queries.published_entries(actor_for(request)).filter(country=place)
    )[:LATEST_ON_PAGES]
    orgs = queries.organizations(country=place.iso2)
    return render(
        request,
        "portal/country.html",
        {
            "country": place,
            "languages": list(place.languages.all()),
            "organizations": orgs[: LATEST_ON_PAGES * 2],
            "organization_count": orgs.count(),
            "cards": queries.entry_cards(latest, reader_language()),
            "entries_url": f"{reverse('portal:entries')}?country={place.iso2}",
            "organizations_url": f"{reverse('portal:organizations')}?country={place.iso2}",
        },
    )


def about(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/about.html",
        {
            "platforms": [
                (platform, bool(kinds.for_platform(platform.key))) for platform in PLATFORMS
            ],
        },
    )
