from __future__ import annotations

from django.http import HttpRequest

from infoharbor.core.permissions import Actor


def actor_for(request: HttpRequest) -> Actor:
    """The request's person with their roles, read once per request."""
    actor: Actor | None = getattr(request, "_harbor_actor", None)
    if actor is None:
        actor = Actor.for_user(getattr(request, "user", None))
        request._harbor_actor = actor  # type: ignore[attr-defined]
    return actor
