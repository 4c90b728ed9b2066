"""Reference data: countries, languages, sectors and the registered kinds of entries.

These lists are short and change only with a release, so they come whole, not paginated.
Names are given in the language asked for (``?lang=``, else the request's language) along
with every name the harbor knows (``names``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from infoharbor.api.auth import read_auth
from infoharbor.api.problems import Problem, not_found
from infoharbor.api.schemas import Location
from infoharbor.core import kinds
from infoharbor.core.languages import CONTENT_LANGUAGES, content_language
from infoharbor.core.models import Country, Language, Sector
from infoharbor.core.platforms import BY_KEY as PLATFORMS

router = Router(tags=["reference data"], auth=read_auth)


class LangParam(Schema):
    lang: str | None = Field(
        None,
        description="BCP 47 language of `name` (default: the request's Accept-Language; "
        "English for a language the harbor does not have).",
    )


class CountryFilters(LangParam):
    region_member: bool | None = Field(
        None, description="True: China and the ASEAN member states only."
    )


class CountryOut(Schema):
    iso2: str
    iso3: str
    numeric: str
    name: str
    names: dict[str, str]
    capital: str
    flag: str
    calling_code: str
    currency: str | None
    languages: list[str]
    region_member: bool
    location: Location | None
    url: str


class CountryList(Schema):
    language: str = Field(description="The language `name` is given in.")
    items: list[CountryOut]


class LanguageOut(Schema):
    code: str = Field(description="BCP 47 code.")
    name: str
    names: dict[str, str]
    native_name: str
    script: str
    direction: str
    spaced: bool = Field(description="False for scripts written without spaces between words.")


class LanguageList(Schema):
    language: str
    items: list[LanguageOut]


class SectorOut(Schema):
    slug: str
    name: str
    names: dict[str, str]
    parent: str | None = Field(description="Slug of the parent sector; null at the top.")
    children: list[str]


class SectorList(Schema):
    language: str
    items: list[SectorOut] = Field(description="Each top-level sector, then its children.")


class KindOut(Schema):
    key: str = Field(description="The value of an entry's `kind`.")
    slug: str
    platform: str
    platform_name: str
    label: str
    label_plural: str
    details_schema: dict[str, Any] = Field(description="JSON Schema of the entry's `details`.")


class KindList(Schema):
    language: str
    items: list[KindOut]


def _language(lang: str | None) -> str:
    """The content language names are given in: ``lang``, else the request's; English when
    the harbor does not have the language (so ``language`` never names one it did not use)."""
    code = content_language(lang or translation.get_language() or "en")
    return code if code in CONTENT_LANGUAGES else "en"


def _country_out(request: HttpRequest, country: Country, language: str) -> CountryOut:
    location = (
        Location(lat=country.lat, lng=country.lng)
        if country.lat is not None and country.lng is not None
        else None
    )
    return CountryOut(
        iso2=country.iso2,
        iso3=country.iso3,
        numeric=country.numeric,
        name=country.name_in(language),
        names=country.names,
        capital=country.capital_in(language),
        flag=country.flag,
        calling_code=country.calling_code,
        currency=country.currency_id,
        languages=[lang.code for lang in country.languages.all()],
        region_member=country.region_member,
        location=location,
        url=request.build_absolute_uri(country.get_absolute_url()),
    )


def _countries() -> Any:
    return Country.objects.prefetch_related(
        Prefetch("languages", queryset=Language.objects.only("code", "order"))
    )


@router.get("/countries", response={200: CountryList, 401: Problem, 422: Problem})
def list_countries(request: HttpRequest, filters: Query[CountryFilters]) -> CountryList:
    """Every country the harbor knows, by ISO code, with its names in every language."""
    language = _language(filters.lang)
    countries = _countries()
    if filters.region_member is not None:
        countries = countries.filter(region_member=filters.region_member)
    return CountryList(
        language=language, items=[_country_out(request, c, language) for c in countries]
    )


@router.get("/countries/{iso2}", response={200: CountryOut, 401: Problem, 404: Problem})
def get_country(request: HttpRequest, iso2: str, params: Query[LangParam]) -> CountryOut:
    """One country by its ISO 3166 alpha-2 code (either case)."""
    # Only two letters can name a country (and PostgreSQL refuses NUL bytes in a query).
    valid = len(iso2) == 2 and iso2.isascii() and iso2.isalpha()
    country = _countries().filter(iso2=iso2.upper()).first() if valid else None
    if country is None:
        raise not_found(_("There is no country with this ISO 3166 alpha-2 code."))
    return _country_out(request, country, _language(params.lang))


@router.get("/languages", response={200: LanguageList, 401: Problem})
def list_languages(request: HttpRequest, params: Query[LangParam]) -> LanguageList:
    """The languages entries may be written and translated in."""
    language = _language(params.lang)
    return LanguageList(
        language=language,
        items=[
            LanguageOut(
                code=row.code,
                name=row.name_in(language),
                names=row.names,
                native_name=row.native_name,
                script=row.script,
                direction=row.direction,
                spaced=row.spaced,
            )
            for row in Language.objects.all()
        ],
    )


@router.get("/sectors", response={200: SectorList, 401: Problem})
def list_sectors(request: HttpRequest, params: Query[LangParam]) -> SectorList:
    """The sectors entries and organizations are filed under, as a tree."""
    language = _language(params.lang)
    sectors = list(Sector.objects.select_related("parent"))
    children: dict[int | None, list[Sector]] = {}
    for sector in sectors:
        children.setdefault(sector.parent_id, []).append(sector)

    def walk(parent_id: int | None) -> list[SectorOut]:
        result = []
        for sector in children.get(parent_id, []):
            result.append(
                SectorOut(
                    slug=sector.slug,
                    name=sector.name_in(language),
                    names=sector.names,
                    parent=sector.parent.slug if sector.parent else None,
                    children=[child.slug for child in children.get(sector.pk, [])],
                )
            )
            result.extend(walk(sector.pk))
        return result

    return SectorList(language=language, items=walk(None))


@router.get("/kinds", response={200: KindList, 401: Problem})
def list_kinds(request: HttpRequest, params: Query[LangParam]) -> KindList:
    """The kinds of entries this harbor accepts, with the JSON Schema of their `details`."""
    language = _language(params.lang)
    with translation.override(language.lower()):
        items = [
            KindOut(
                key=kind.key,
                slug=kind.slug,
                platform=kind.platform,
                platform_name=str(PLATFORMS[kind.platform].name)
                if kind.platform in PLATFORMS
                else kind.platform,
                label=str(kind.label),
                label_plural=str(kind.label_plural),
                details_schema=kind.schema.model_json_schema(),
            )
            for kind in sorted(kinds.all_kinds(), key=lambda kind: kind.key)
        ]
    return KindList(language=language, items=items)
