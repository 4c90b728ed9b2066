"""Small helpers the portal's views share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

from infoharbor.core import permissions
from infoharbor.core.choices import EntryStatus
from infoharbor.core.languages import content_language
from infoharbor.core.models import Entry
from infoharbor.core.permissions import Actor

PAGE_SIZE = 20

T = TypeVar("T")


def reader_language() -> str:
    """The reader's content language (BCP 47): the interface language of this request."""
    return content_language(translation.get_language() or settings.LANGUAGE_CODE)


def paginate(request: HttpRequest, items: Any, per_page: int = PAGE_SIZE) -> Page[Any]:
    """The requested page of ``items``; out-of-range or malformed numbers give the nearest
    page instead of an error."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def back_url(request: HttpRequest, default: str) -> str:
    """Where to go after an action: the form's ``next`` if it is on this site."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@dataclass(frozen=True)
class EntryActions:
    """Which actions ``actor`` may take on one entry (computed without queries)."""

    edit: bool = False
    submit: bool = False
    publish: bool = False
    withdraw: bool = False
    review: bool = False

    @property
    def any(self) -> bool:
        return self.edit or self.submit or self.publish or self.withdraw or self.review


def actions_for(actor: Actor, entry: Entry) -> EntryActions:
    if not actor.is_authenticated:
        return EntryActions()
    published = entry.status == EntryStatus.PUBLISHED
    return EntryActions(
        edit=permissions.can_edit(actor, entry),
        submit=permissions.can_submit(actor, entry),
        publish=not published and permissions.can_publish(actor, entry),
        withdraw=permissions.can_withdraw(actor, entry),
        review=published and entry.reviewed_at is None and permissions.can_moderate(actor, entry),
    )
