"""Sending one stored message over SMTP, once, with retries; and what a refusal means.

One attempt claims the message (state ``sending``, by this process), talks to the SMTP
server, then records the outcome:

- **accepted**: ``sent``; the address's count of refusals goes back to zero;
- **refused for good** (a 5xx reply to RCPT or DATA): ``failed``, and the refusal counts
  against the address; after ``MAIL_BOUNCE_LIMIT`` in a row the address is failing;
- **refused for now, timed out, connection dropped** (4xx, socket errors, any other
  trouble): ``retrying`` after an exponential backoff with jitter
  (:func:`retry_delay`), ``failed`` after ``MAIL_MAX_ATTEMPTS`` attempts.

Delivery is at least once on the wire: if the process dies after the server said "250" and
before the row says ``sent``, the message is sent again by the next attempt, with the SAME
``Message-ID`` (it is stored with the message), so mail servers and clients that dedupe by
Message-ID show it once. A message stuck in ``sending`` is taken over when the process that
claimed it is gone (same machine) or its claim is older than :data:`CLAIM_LEASE`.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import os
import random
import smtplib
import socket
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from infoharbor.core.languages import content_language
from infoharbor.mail.choices import MessageState
from infoharbor.mail.models import AddressHealth, Message

logger = logging.getLogger(__name__)

# Longer than any SMTP conversation can last (each step is bounded by EMAIL_TIMEOUT).
CLAIM_LEASE = dt.timedelta(minutes=10)
MAX_RETRY_DELAY = dt.timedelta(hours=6)


class Outcome(enum.StrEnum):
    SENT = "sent"
    BOUNCED = "bounced"  # refused for good
    RETRY = "retry"  # refused for now, timed out, dropped
    GAVE_UP = "gave up"  # temporary trouble, too many times
    SKIPPED = "skipped"  # sent already, not due yet, held, or another is sending it


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    error: str = ""
    next_attempt_at: dt.datetime | None = None


def me() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:300]


def retry_delay(
    attempt: int, base_seconds: float, rng: random.Random | None = None
) -> dt.timedelta:
    """The wait after failed attempt number ``attempt`` (1, 2, ...): ``base`` doubled each
    time, at most :data:`MAX_RETRY_DELAY`, plus up to a quarter more, at random."""
    rng = rng or random.SystemRandom()
    exponent = min(max(attempt - 1, 0), 30)
    wait = min(dt.timedelta(seconds=base_seconds * 2**exponent), MAX_RETRY_DELAY)
    return wait * (1 + rng.random() / 4)


def classify(error: BaseException) -> tuple[bool, str]:
    """(refused for good?, a short description) of what an SMTP attempt raised."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = list(error.recipients.values())
        code = min((reply[0] for reply in replies), default=0)
        text = "; ".join(f"{c} {_text(m)}" for c, m in replies)
        return code >= 500, f"recipient refused: {text}"
    if isinstance(error, smtplib.SMTPDataError):
        return (
            error.smtp_code >= 500,
            f"message refused: {error.smtp_code} {_text(error.smtp_error)}",
        )
    if isinstance(error, smtplib.SMTPSenderRefused):
        # Our sender address was refused: the harbor's configuration, not the address's fault.
        return False, f"sender refused: {error.smtp_code} {_text(error.smtp_error)}"
    if isinstance(error, smtplib.SMTPResponseException):
        return False, f"SMTP error: {error.smtp_code} {_text(error.smtp_error)}"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        # smtplib reports a read that timed out as a disconnection; say which it was.
        if isinstance(error.__context__, TimeoutError):
            return False, f"timed out: {error}"
        return False, f"connection dropped: {error}"
    if isinstance(error, TimeoutError | socket.timeout):
        return False, f"timed out: {error}"
    if isinstance(error, OSError):
        return False, f"connection failed: {error}"
    return False, f"{type(error).__name__}: {error}"


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def email_of(message: Message) -> EmailMultiAlternatives:
    """The message as it goes on the wire (the same bytes at every attempt)."""
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.address],
        headers={
            "Message-ID": message.message_id,
            # RFC 8058: one POST to this address unsubscribes, without signing in.
            "List-Unsubscribe": f"<{message.unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # RFC 3834: no vacation replies to this.
            "Auto-Submitted": "auto-generated",
            "Content-Language": content_language(message.language),
            "Date": _date(message.created_at),
        },
    )
    email.attach_alternative(message.html_body, "text/html")
    return email


def _date(moment: dt.datetime) -> str:
    from email.utils import format_datetime

    return format_datetime(moment.astimezone(dt.UTC))


def _abandoned(message: Message, now: dt.datetime) -> bool:
    if message.claimed_at is None or message.claimed_at < now - CLAIM_LEASE:
        return True
    host, _sep, pid = message.claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's: wait for its lease to run out
    if int(pid) == os.getpid():
        return False  # another thread of this process is sending it
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _failing(address: str) -> bool:
    return AddressHealth.objects.filter(address=address, failing_since__isnull=False).exists()


def claim(pk: int, now: dt.datetime) -> Message | None:
    """Take message ``pk`` for sending now; None when it is not this attempt's to send."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=pk).first()
        if message is None:
            return None
        if message.state in (MessageState.PENDING, MessageState.RETRYING):
            if message.next_attempt_at > now:
                return None
        elif message.state != MessageState.SENDING or not _abandoned(message, now):
            return None  # sent, failed, held, or being sent
        if _failing(message.address):
            message.state = MessageState.HELD
            message.claimed_by, message.claimed_at = "", None
            message.save(update_fields=["state", "claimed_by", "claimed_at"])
            return None
        message.state = MessageState.SENDING
        message.claimed_by, message.claimed_at = me(), now
        message.save(update_fields=["state", "claimed_by", "claimed_at"])
    return message


def send(pk: int, now: dt.datetime | None = None) -> Attempt:
    """One attempt at sending message ``pk`` (idempotent: a sent message is not sent again)."""
    message = claim(pk, now or timezone.now())
    if message is None:
        return Attempt(Outcome.SKIPPED)
    try:
        _deliver(message)
    except Exception as error:  # every failure is recorded on the row, never lost
        permanent, description = classify(error)
        if not isinstance(error, smtplib.SMTPException | OSError):
            logger.exception("sending message %s failed unexpectedly", pk)
        return _failed(message, description, permanent=permanent)
    return _sent(message)


def _deliver(message: Message) -> None:
    connection = get_connection(fail_silently=False)
    connection.open()
    try:
        connection.send_messages([email_of(message)])
    finally:
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            # The message was accepted before QUIT failed: the delivery stands.
            logger.info("closing the SMTP connection failed after message %s", message.pk)


def _ours(message: Message) -> QuerySet[Message]:
    return Message.objects.filter(
        pk=message.pk,
        state=MessageState.SENDING,
        claimed_by=message.claimed_by,
        claimed_at=message.claimed_at,
    )


def _sent(message: Message) -> Attempt:
    now = timezone.now()
    with transaction.atomic():
        _ours(message).update(
            state=MessageState.SENT,
            sent_at=now,
            attempts=F("attempts") + 1,
            last_error="",
            claimed_by="",
            claimed_at=None,
        )
        AddressHealth.objects.filter(address=message.address).update(
            consecutive_failures=0, failing_since=None, updated_at=now
        )
    return Attempt(Outcome.SENT)


def _failed(message: Message, description: str, *, permanent: bool) -> Attempt:
    now = timezone.now()
    attempts = message.attempts + 1
    with transaction.atomic():
        if permanent:
            _ours(message).update(
                state=MessageState.FAILED,
                attempts=attempts,
                last_error=description[:2000],
                claimed_by="",
                claimed_at=None,
            )
            _count_refusal(message.address, description, now)
            logger.warning("message %s refused for good: %s", message.pk, description)
            return Attempt(Outcome.BOUNCED, description)
        if attempts >= settings.MAIL_MAX_ATTEMPTS:
            _ours(message).update(
                state=MessageState.FAILED,
                attempts=attempts,
                last_error=description[:2000],
                claimed_by="",
                claimed_at=None,
            )
            logger.warning(
                "message %s failed after %d attempts: %s", message.pk, attempts, description
            )
            return Attempt(Outcome.GAVE_UP, description)
        later = now + retry_delay(attempts, settings.MAIL_RETRY_SECONDS)
        _ours(message).update(
            state=MessageState.RETRYING,
            attempts=attempts,
            next_attempt_at=later,
            last_error=description[:2000],
            claimed_by="",
            claimed_at=None,
        )
    logger.info("message %s to be tried again at %s: %s", message.pk, later, description)
    return Attempt(Outcome.RETRY, description, later)


def _count_refusal(address: str, description: str, now: dt.datetime) -> None:
    health, _created = AddressHealth.objects.select_for_update().get_or_create(address=address)
    health.consecutive_failures += 1
    health.last_error = description[:2000]
    health.updated_at = now
    if health.failing_since is None and health.consecutive_failures >= settings.MAIL_BOUNCE_LIMIT:
        health.failing_since = now
        logger.warning("address marked failing after %d refusals", health.consecutive_failures)
    health.save()
