"""Mail on the worker: composing after matches commit, digests when due, sending with
retries, and the periodic sweep that picks up whatever a crash left behind.

- When entries match immediate subscriptions, the publication's commit enqueues
  :func:`compose_immediate_mail`, unless one is already waiting: a harvest of 200 entries
  enqueues one task, which composes one message per subscriber.
- Each composed message enqueues :func:`send_mail_message` when its composition commits;
  a retry enqueues it again for the time of the next attempt.
- The scheduler calls :func:`enqueue_mail` every tick (``worker/scheduler.py``): it
  enqueues the composition of waiting immediate matches and of due digests, and the sending
  of every message that is due and has no task waiting (a lost enqueue, a killed worker).

Every task is idempotent: composing takes only undelivered matches, and sending skips a
message that is sent, not yet due, or being sent by a live process.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task_backends

from infoharbor.core.tasks import Queue, enqueue_unless_waiting, task, waiting_ids
from infoharbor.mail import compose, sending
from infoharbor.mail.choices import MessageKind, MessageState
from infoharbor.mail.models import Message
from infoharbor.subscriptions import outbox
from infoharbor.subscriptions.choices import Frequency
from infoharbor.subscriptions.models import Subscription

# Rounds of one composition task: matches that commit while it runs are composed by its
# next round (an enqueue meanwhile saw it running and did not add another).
COMPOSE_ROUNDS = 5
# Messages enqueued for sending per sweep at most; the next tick enqueues the rest.
SWEEP_LIMIT = 1000
# Sent and failed messages are kept this long (operators look into them; the subscriptions
# page shows the last deliveries), then deleted, a bounded batch per tick.
KEEP_MESSAGES = dt.timedelta(days=90)
PRUNE_LIMIT = 1000


@task(queue=Queue.DEFAULT)
def compose_immediate_mail() -> dict[str, int]:
    """Compose the messages of every subscriber with immediate matches waiting."""
    composed = 0
    for _round in range(COMPOSE_ROUNDS):
        found = compose.compose_immediate()
        composed += len(found)
        if not found:
            break
    return {"messages": composed}


@task(queue=Queue.DEFAULT)
def compose_digest_mail() -> dict[str, int]:
    """Compose every daily and weekly digest that is due now."""
    return {"messages": len(compose.compose_digests())}


@task(queue=Queue.DEFAULT)
def send_mail_message(message_id: int) -> dict[str, Any]:
    """One attempt at sending a message; schedules the next attempt when it must retry."""
    attempt = sending.send(message_id)
    if attempt.outcome == sending.Outcome.RETRY and attempt.next_attempt_at is not None:
        enqueue_send(message_id, at=attempt.next_attempt_at)
    return {"message": message_id, "outcome": str(attempt.outcome), "error": attempt.error}


def enqueue_send(message_id: int, at: dt.datetime | None = None) -> None:
    """Enqueue the sending of a message (at ``at``, where the backend can wait)."""
    chosen = send_mail_message
    if at is not None:
        if not task_backends[chosen.backend].supports_defer:
            return  # the sweep sends it when it is due
        chosen = chosen.using(run_after=at)
    chosen.enqueue(message_id)


def _enqueue_composition() -> None:
    enqueue_unless_waiting(compose_immediate_mail)


def enqueue_compositions() -> None:
    """Compose what waits now (after an address works again), digests only when due."""
    enqueue_unless_waiting(compose_immediate_mail)
    if any(compose.due_digests(kind) for kind in (MessageKind.DAILY, MessageKind.WEEKLY)):
        enqueue_unless_waiting(compose_digest_mail)


def _matched(pairs: list[tuple[int, int]]) -> None:
    # In the publication's transaction: only the enqueue waits for the commit. Not
    # enqueue_on_commit(): that always adds a task, and a harvest's many commits must add
    # one composition, not one each.
    subscriptions = {subscription for subscription, _entry in pairs}
    if Subscription.objects.filter(pk__in=subscriptions, frequency=Frequency.IMMEDIATELY).exists():
        transaction.on_commit(_enqueue_composition)


def connect() -> None:
    outbox.on_matched(_matched)


def _due_messages(now: dt.datetime) -> list[int]:
    stale = now - sending.CLAIM_LEASE
    due = Q(state__in=[MessageState.PENDING, MessageState.RETRYING], next_attempt_at__lte=now)
    # A claim by a dead process on this machine is found by the task itself; the sweep
    # only looks at claims past their lease (any machine).
    stuck = Q(state=MessageState.SENDING, claimed_at__lt=stale)
    return list(
        Message.objects.filter(due | stuck)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_LIMIT]
    )


def enqueue_mail(now: dt.datetime | None = None) -> int:
    """The scheduler's round: enqueue what mail work is due and not waiting already."""
    now = now or timezone.now()
    count = 0
    if compose.waiting(Frequency.IMMEDIATELY).exists():
        count += int(enqueue_unless_waiting(compose_immediate_mail))
    if any(compose.due_digests(kind, now) for kind in (MessageKind.DAILY, MessageKind.WEEKLY)):
        count += int(enqueue_unless_waiting(compose_digest_mail))
    waiting = {arguments[0] for arguments in waiting_ids(send_mail_message) if arguments}
    for pk in _due_messages(now):
        if pk not in waiting:
            send_mail_message.enqueue(pk)
            count += 1
    prune(now)
    return count


def prune(now: dt.datetime | None = None) -> int:
    """Delete sent and failed messages older than :data:`KEEP_MESSAGES` (their matches stay
    delivered); how many were deleted."""
    cutoff = (now or timezone.now()) - KEEP_MESSAGES
    old = Message.objects.filter(
        state__in=[MessageState.SENT, MessageState.FAILED], created_at__lt=cutoff
    ).values_list("pk", flat=True)[:PRUNE_LIMIT]
    deleted, _kinds = Message.objects.filter(pk__in=list(old)).delete()
    return deleted
