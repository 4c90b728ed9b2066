"""What a subscription asks for: the search page's parameters, read the way the page reads
them, and said in plain words.

The parameters are kept as the page's query string, so the search form itself
(:class:`infoharbor.search.forms.SearchForm`) turns them into the text and the filters: a
saved search means exactly what the page meant.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import icu
from django.conf import settings
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from infoharbor.core import kinds
from infoharbor.core.models import Country, Language, Organization, Sector
from infoharbor.core.permissions import ANONYMOUS
from infoharbor.core.platforms import BY_KEY as PLATFORMS
from infoharbor.core.queries import published_entries
from infoharbor.search.backends.base import Filters
from infoharbor.search.forms import FACET_PARAMS, SearchForm
from infoharbor.stories.models import StoryCluster
from infoharbor.subscriptions.choices import FollowTarget

# The page's parameters that say what is listed (sorting and paging do not).
PARAMS = ("q", *FACET_PARAMS, "published_from", "published_to")
# The search parameter each kind of follow sets (a story cluster has none: see models.py).
FOLLOW_PARAM = {
    FollowTarget.ORGANIZATION: "organization",
    FollowTarget.COUNTRY: "country",
    FollowTarget.SECTOR: "sector",
    FollowTarget.PLATFORM: "platform",
    FollowTarget.KIND: "kind",
}


@dataclass(frozen=True)
class Conditions:
    text: str
    filters: Filters
    stories: tuple[int, ...] = ()


def clean_params(data: QueryDict | str) -> str:
    """The listing parameters of ``data`` (a query string or the page's GET), in a stable
    order, without empty values or paging."""
    query = QueryDict(data) if isinstance(data, str) else data
    kept = QueryDict(mutable=True)
    for name in PARAMS:
        values = [value.strip() for value in query.getlist(name)]
        values = [value for value in values if value]
        if name == "q":
            values = values[:1]
        if values:
            kept.setlist(name, list(dict.fromkeys(values)))
    return kept.urlencode()


def form_of(params: str) -> SearchForm:
    return SearchForm(QueryDict(params))


def conditions_of(params: str, target_type: str = "", target: str = "") -> Conditions:
    form = form_of(params)
    stories: tuple[int, ...] = ()
    if target_type == FollowTarget.STORY and target.isdigit():
        stories = (int(target),)
    return Conditions(form.text, form.filters(), stories)


def follow_params(target_type: str, target: str) -> str:
    """The search parameters of a follow."""
    name = FOLLOW_PARAM.get(FollowTarget(target_type)) if target_type else None
    if name is None:
        return ""
    query = QueryDict(mutable=True)
    query[name] = target.upper() if name == "country" else target
    return query.urlencode()


@functools.lru_cache(maxsize=32)
def _or_list(language: str) -> icu.ListFormatter | None:
    # ICU knows how each language joins a list ("A, B หรือ C", "A、B或C", Burmese with its
    # own separator); for a language it has no data for (Tetum) it would quietly answer in
    # English, so those keep the interface catalogue's phrase.
    locale = icu.Locale.forLanguageTag(language)
    if locale.getName() not in _ICU_LOCALES:
        return None
    return icu.ListFormatter.createInstance(
        locale, icu.UListFormatterType.OR, icu.UListFormatterWidth.WIDE
    )


_ICU_LOCALES = frozenset(icu.Locale.getAvailableLocales())


def _either(values: list[str]) -> str:
    """``a``, ``a or b``, ``a, b or c`` in the reader's language."""
    if not values:
        return ""
    if len(values) == 1:
        return values[0]
    formatter = _or_list(translation.get_language() or settings.LANGUAGE_CODE)
    if formatter is not None:
        return str(formatter.format(values))
    return _("%(some)s or %(last)s") % {"some": ", ".join(values[:-1]), "last": values[-1]}


@dataclass
class Labels:
    """The names of the filter values of many subscriptions, read once (a list page)."""

    countries: dict[str, str]
    sectors: dict[str, str]
    organizations: dict[int, str]
    languages: dict[str, str]

    @classmethod
    def load(cls, all_filters: list[Filters]) -> Labels:
        countries = {v for f in all_filters for v in f.country}
        sectors = {v for f in all_filters for v in f.sector}
        organizations = {v for f in all_filters for v in f.organization}
        languages = {v for f in all_filters for v in f.language}
        return cls(
            countries={c.iso2: c.name for c in Country.objects.filter(iso2__in=countries)}
            if countries
            else {},
            sectors={s.slug: s.name for s in Sector.objects.filter(slug__in=sectors)}
            if sectors
            else {},
            organizations=dict(
                Organization.objects.filter(pk__in=organizations).values_list("pk", "name")
            )
            if organizations
            else {},
            languages={lang.code: lang.name for lang in Language.objects.filter(code__in=languages)}
            if languages
            else {},
        )


def describe(
    params: str, target_type: str = "", target: str = "", labels: Labels | None = None
) -> list[str]:
    """What a subscription matches, in plain words: the first line says which entries, each
    further line one more condition (all must hold; within a line any value may)."""
    if target_type == FollowTarget.STORY:
        title = _story_title(target)
        if title:
            return [_("Entries of the story “%(title)s”") % {"title": title}]
        return [_("Entries of the story %(story)s") % {"story": target}]
    form = form_of(params)
    filters = form.filters()
    labels = labels or Labels.load([filters])
    text = form.text.strip()
    lines = [_("Entries about “%(query)s”") % {"query": text} if text else _("All entries")]
    if filters.country:
        names = [labels.countries.get(code, code) for code in filters.country]
        lines.append(_("from %(countries)s") % {"countries": _either(names)})
    if filters.sector:
        names = [labels.sectors.get(slug, slug) for slug in filters.sector]
        lines.append(
            ngettext("in the sector %(sectors)s", "in the sectors %(sectors)s", len(names))
            % {"sectors": _either(names)}
        )
    if filters.organization:
        names = [labels.organizations.get(pk, str(pk)) for pk in filters.organization]
        lines.append(_("published by %(organizations)s") % {"organizations": _either(names)})
    if filters.kind:
        kind_labels = {kind.key: str(kind.label_plural) for kind in kinds.all_kinds()}
        names = [kind_labels.get(key, key) for key in filters.kind]
        lines.append(_("of the kind %(kinds)s") % {"kinds": _either(names)})
    if filters.platform:
        names = [str(PLATFORMS[key].name) if key in PLATFORMS else key for key in filters.platform]
        lines.append(_("on the platform %(platforms)s") % {"platforms": _either(names)})
    if filters.language:
        names = [labels.languages.get(code, code) for code in filters.language]
        lines.append(_("written in %(languages)s") % {"languages": _either(names)})
    cleaned = form.cleaned_data if form.is_valid() else {}
    start, end = cleaned.get("published_from"), cleaned.get("published_to")
    if start and end:
        lines.append(_("published from %(start)s to %(end)s") % {"start": start, "end": end})
    elif start:
        lines.append(_("published from %(start)s on") % {"start": start})
    elif end:
        lines.append(_("published until %(end)s") % {"end": end})
    return lines


def _story_title(target: str) -> str:
    # The story is named by the entry that started it, when everyone may read that entry
    # (these words reach feeds and mail); otherwise by its number.
    if not target.isdigit():
        return ""
    representative = (
        StoryCluster.objects.filter(pk=int(target)).values_list("representative", flat=True).first()
    )
    if representative is None:
        return ""
    title = (
        published_entries(ANONYMOUS)
        .filter(pk=representative)
        .values_list("title", flat=True)
        .first()
    )
    return title or ""


def describe_all(rows: list[tuple[str, str, str]]) -> list[list[str]]:
    """``describe`` for many (params, target_type, target), with the names read once."""
    labels = Labels.load([form_of(params).filters() for params, _t, _v in rows])
    return [describe(params, kind, target, labels) for params, kind, target in rows]
