"""Background work of webhooks: send what is due (after a publication, a resume, a replay)
and, from the scheduler, the sweep that sends retries and whatever a dead worker left."""

from __future__ import annotations

from django.utils import timezone

from infoharbor.core.tasks import enqueue_unless_waiting, task
from infoharbor.webhooks import sending
from infoharbor.webhooks.choices import DeliveryState
from infoharbor.webhooks.models import Delivery


@task()
def deliver_due() -> int:
    """Send every due delivery; how many were sent."""
    return sending.send_due().sent


@task()
def deliver_endpoint(endpoint_id: int) -> int:
    """Send the due deliveries of one endpoint (a resume, a replay, a test event)."""
    return sending.send_due(endpoint_id=endpoint_id).sent


def enqueue_due_deliveries() -> int:
    """For the scheduler: a sweep when some delivery is due (a retry whose time has come,
    or the claim of a worker that died while sending has run out)."""
    due = Delivery.objects.filter(
        next_attempt_at__lte=timezone.now(), state=DeliveryState.PENDING, endpoint__active=True
    )
    if not due.exists():
        return 0
    return int(enqueue_unless_waiting(deliver_due))
