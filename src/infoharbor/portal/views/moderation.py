"""The moderation queue of a country's moderators (and the operators)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from infoharbor.core import queries
from infoharbor.portal.actor import actor_for
from infoharbor.portal.views.common import actions_for, paginate, reader_language
from infoharbor.portal.views.writing import EntryRow

WITHDRAWN_SHOWN = 50


@login_required
def moderation(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    if not (actor.moderates or actor.is_operator):
        raise PermissionDenied(_("Only moderators and operators see the moderation queue."))
    pending, withdrawn = queries.moderation_queue(actor)
    page = paginate(request, pending)
    language = reader_language()
    return render(
        request,
        "portal/moderation.html",
        {
            "page_obj": page,
            "pending": [
                EntryRow(card, actions_for(actor, card.entry))
                for card in queries.entry_cards(page, language)
            ],
            "withdrawn": queries.entry_cards(withdrawn[:WITHDRAWN_SHOWN], language),
            "countries": sorted(actor.moderates),
        },
    )
