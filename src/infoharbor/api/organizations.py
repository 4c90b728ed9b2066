"""/organizations: the publishers, by country and kind."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from infoharbor.api.auth import read_auth
from infoharbor.api.pagination import NAME_KEYSET, PageParams, paginate
from infoharbor.api.problems import Problem, not_found
from infoharbor.core.choices import OrganizationKind
from infoharbor.core.models import Organization, Sector

router = Router(tags=["organizations"], auth=read_auth)


class OrganizationOut(Schema):
    slug: str
    name: str
    kind: OrganizationKind
    country: str = Field(description="ISO 3166-1 alpha-2 code.")
    sectors: list[str]
    description: str
    website: str
    verified: bool
    active: bool = Field(description="False for suspended organizations, kept for history.")
    url: str = Field(description="The organization's page on the portal.")


class OrganizationPage(Schema):
    items: list[OrganizationOut]
    next: str | None


class OrganizationFilters(PageParams):
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166 alpha-2.")
    kind: OrganizationKind | None = None


def _queryset() -> QuerySet[Organization]:
    return Organization.objects.prefetch_related(
        Prefetch("sectors", queryset=Sector.objects.only("id", "slug"))
    )


def _out(request: HttpRequest, organization: Organization) -> OrganizationOut:
    return OrganizationOut(
        slug=organization.slug,
        name=organization.name,
        kind=OrganizationKind(organization.kind),
        country=organization.country_id,
        sectors=[sector.slug for sector in organization.sectors.all()],
        description=organization.description,
        website=organization.website,
        verified=organization.verified,
        active=organization.is_active,
        url=request.build_absolute_uri(organization.get_absolute_url()),
    )


@router.get(
    "/organizations",
    response={200: OrganizationPage, 401: Problem, 422: Problem},
    summary="List organizations",
)
def list_organizations(
    request: HttpRequest, filters: Query[OrganizationFilters]
) -> OrganizationPage:
    """Active organizations by name."""
    queryset = _queryset().filter(is_active=True)
    if filters.country:
        queryset = queryset.filter(country_id=filters.country.upper())
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    rows, next_url = paginate(request, queryset, NAME_KEYSET, filters)
    return OrganizationPage(items=[_out(request, row) for row in rows], next=next_url)


@router.get(
    "/organizations/{slug}",
    response={200: OrganizationOut, 401: Problem, 404: Problem},
    summary="An organization",
)
def get_organization(request: HttpRequest, slug: str) -> OrganizationOut:
    """One organization by its slug, suspended ones included (``active`` is false)."""
    organization = _queryset().filter(slug=slug).first()
    if organization is None:
        raise not_found(_("There is no organization with this slug."))
    return _out(request, organization)
