"""``{% follow_button "organization" organization.pk organization.name %}``: a follow (or
unfollow) button for the signed-in reader, a sign-in link for others; a plain POST form."""

from __future__ import annotations

from typing import Any

from django import template

from infoharbor.subscriptions import queries

register = template.Library()


@register.inclusion_tag("subscriptions/follow_button.html", takes_context=True)
def follow_button(
    context: dict[str, Any], target_type: str, target: object, name: str
) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    following = queries.following(user, target_type, str(target)) if signed_in else None
    return {
        "request": request,
        "signed_in": signed_in,
        "following": following,
        "target_type": target_type,
        "target": str(target),
        "name": name,
        "csrf_token": context.get("csrf_token"),
    }
