"""Subscriptions made through the services, as a person would."""

from __future__ import annotations

from typing import Any

from infoharbor.accounts.models import User
from infoharbor.core import audit
from infoharbor.subscriptions import services
from infoharbor.subscriptions.models import Subscription


def subscribe(user: User, params: str = "", **data: Any) -> Subscription:
    data.setdefault("name", params or "Follow")
    return services.create_subscription(
        user=user,
        origin=audit.Origin(user=user, via="test"),
        data=services.SubscriptionData(params=params, **data),
    )


def follow(user: User, target_type: str, target: str, **data: Any) -> Subscription:
    return subscribe(user, kind="follow", target_type=target_type, target=target, **data)
