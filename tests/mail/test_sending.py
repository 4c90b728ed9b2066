"""Sending over a real SMTP conversation (aiosmtpd on loopback): the parts and headers on
the wire, retries on refusal, timeouts and dropped connections (one mail in the end),
permanent refusals that mark an address failing, and a send cut short by a dead process."""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import sys
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from infoharbor.mail import compose, sending, services, tasks
from infoharbor.mail.choices import MessageState
from infoharbor.mail.models import AddressHealth, Message
from infoharbor.subscriptions.models import Match, Subscription
from tests import factories
from tests.mail.helpers import parts, publish, publisher
from tests.mail.smtp import Mailbox
from tests.subscriptions.factories import subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():  # type: ignore[no-untyped-def]
    return factories.make_org("ministry", country="TH", name="Ministry of Commerce")


def one_message(org: Any, reader: Any = None, title: str = "Rice exports rise") -> Message:
    reader = reader or factories.make_user()
    if not Subscription.objects.filter(owner=reader).exists():
        subscribe(reader, "q=rice", name="Rice", frequency="immediately")
    publish(org, publisher(org), title)
    (pk,) = compose.compose_immediate()
    return Message.objects.get(pk=pk)


def send(message: Message, at: dt.datetime | None = None) -> sending.Attempt:
    attempt = sending.send(message.pk, now=at)
    message.refresh_from_db()
    return attempt


def test_the_message_on_the_wire_is_multipart_with_one_click_unsubscribe(
    org: Any, mailbox: Mailbox, client: Client
) -> None:
    message = one_message(org)
    assert send(message).outcome == sending.Outcome.SENT
    assert message.state == MessageState.SENT
    assert message.sent_at is not None
    assert message.attempts == 1

    (received,) = mailbox.accepted
    assert received["Message-ID"] == message.message_id
    assert received["Message-ID"].endswith("@harbor.example.org>")
    assert received["To"] == message.address
    assert received["Subject"] == "A new entry for “Rice”"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["Content-Language"] == "en"
    # RFC 8058: an https address in angle brackets, and the one-click marker.
    # (A long header is folded onto a line of its own: unfolded, it keeps a leading space.)
    unsubscribe = str(received["List-Unsubscribe"]).strip()
    assert unsubscribe == f"<{message.unsubscribe_url}>"
    assert unsubscribe.startswith("<https://harbor.example.org/mail/unsubscribe/")
    assert unsubscribe.endswith(">")
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received.get_content_type() == "multipart/alternative"
    body = parts(received)
    assert set(body) == {"text/plain", "text/html"}
    assert "Rice exports rise" in body["text/plain"]
    assert "<" not in body["text/plain"].split("--")[0]  # plain text, no markup
    assert "https://harbor.example.org/en/subscriptions/" in body["text/plain"]
    assert '<a href="https://harbor.example.org/en/subscriptions/">' in body["text/html"]

    # The header's address unsubscribes with one POST, like a mail client's.
    response = Client().post(
        unsubscribe.strip("<>").removeprefix("https://harbor.example.org"),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Subscription.objects.get().paused


def test_html_in_entries_is_escaped_in_the_html_part(org: Any, mailbox: Mailbox) -> None:
    message = one_message(org, title="Rice <script>alert(1)</script> & co")
    send(message)
    body = parts(mailbox.accepted[0])
    assert "<script>" not in body["text/html"]
    assert "Rice &lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in body["text/html"]
    assert "Rice <script>alert(1)</script> & co" in body["text/plain"]


def test_sending_again_a_sent_message_sends_nothing(org: Any, mailbox: Mailbox) -> None:
    message = one_message(org)
    send(message)
    assert send(message).outcome == sending.Outcome.SKIPPED
    assert len(mailbox.accepted) == 1


def test_a_refusal_for_now_is_retried_later_and_one_mail_arrives(
    org: Any, mailbox: Mailbox
) -> None:
    message = one_message(org)
    mailbox.rcpt.append("450 4.2.1 Mailbox busy, try later")
    before = timezone.now()
    attempt = send(message)

    assert attempt.outcome == sending.Outcome.RETRY
    assert message.state == MessageState.RETRYING
    assert "450" in message.last_error
    # First retry after MAIL_RETRY_SECONDS (60), plus up to a quarter of jitter.
    wait = (message.next_attempt_at - before).total_seconds()
    assert 60 <= wait <= 75 + 1
    # Not before its time, then once.
    assert send(message).outcome == sending.Outcome.SKIPPED
    assert send(message, at=message.next_attempt_at).outcome == sending.Outcome.SENT
    assert mailbox.accepted_ids() == [message.message_id]
    assert message.attempts == 2
    assert message.last_error == ""


def test_the_task_enqueues_its_own_retry_for_the_time_of_the_next_attempt(
    org: Any, mailbox: Mailbox
) -> None:
    message = one_message(org)
    mailbox.data.append("451 4.3.0 Temporary local problem")
    result = tasks.send_mail_message.call(message.pk)
    assert result["outcome"] == "retry"
    message.refresh_from_db()
    (retry,) = DBTaskResult.objects.filter(
        task_path=tasks.send_mail_message.module_path, run_after__gt=timezone.now()
    )
    assert retry.args_kwargs["args"] == [message.pk]
    assert abs((retry.run_after - message.next_attempt_at).total_seconds()) < 0.01


def test_a_timeout_is_retried_and_one_mail_arrives(org: Any, mailbox: Mailbox) -> None:
    message = one_message(org)
    mailbox.rcpt.append("stall")  # longer than EMAIL_TIMEOUT (1 s in the tests)
    mailbox.stall_seconds = 3
    assert send(message).outcome == sending.Outcome.RETRY
    assert message.last_error.startswith("timed out")
    assert send(message, at=message.next_attempt_at).outcome == sending.Outcome.SENT
    assert mailbox.accepted_ids() == [message.message_id]


def test_a_connection_dropped_mid_data_is_retried_and_one_mail_arrives(
    org: Any, mailbox: Mailbox
) -> None:
    message = one_message(org)
    mailbox.data.append("drop")
    assert send(message).outcome == sending.Outcome.RETRY
    assert message.last_error.startswith("connection dropped")
    assert send(message, at=message.next_attempt_at).outcome == sending.Outcome.SENT
    assert mailbox.accepted_ids() == [message.message_id]
    # What the server saw: the same message twice, by its Message-ID, accepted once.
    assert mailbox.seen == [message.message_id, message.message_id]


def test_an_unreachable_server_is_retried_until_the_last_attempt(
    org: Any, settings: Any, mailbox: Mailbox
) -> None:
    message = one_message(org)
    settings.EMAIL_PORT = _closed_port()
    for attempt in range(1, 4):
        assert send(message, at=message.next_attempt_at).outcome == sending.Outcome.RETRY
        assert message.attempts == attempt
    # The waits double: 60, 120, 240 s (and a random quarter more).
    assert send(message, at=message.next_attempt_at).outcome == sending.Outcome.GAVE_UP
    assert message.state == MessageState.FAILED
    assert message.attempts == 4  # MAIL_MAX_ATTEMPTS in the tests
    assert message.last_error.startswith("connection failed")
    assert not AddressHealth.objects.exists()  # not the address's fault


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_backoff_doubles_with_jitter_up_to_six_hours() -> None:
    import random

    class Fixed(random.Random):
        def __init__(self, value: float) -> None:
            super().__init__()
            self.value = value

        def random(self) -> float:
            return self.value

    low, high = Fixed(0.0), Fixed(1.0)
    assert sending.retry_delay(1, 60, low) == dt.timedelta(seconds=60)
    assert sending.retry_delay(2, 60, low) == dt.timedelta(seconds=120)
    assert sending.retry_delay(3, 60, high) == dt.timedelta(seconds=300)
    assert sending.retry_delay(30, 60, low) == dt.timedelta(hours=6)
    assert sending.retry_delay(30, 60, high) == dt.timedelta(hours=7, minutes=30)


def test_three_permanent_refusals_mark_the_address_failing(org: Any, mailbox: Mailbox) -> None:
    reader = factories.make_user()
    for n in range(3):
        mailbox.rcpt.append("550 5.1.1 No such user here")
        message = one_message(org, reader, f"Rice report {n}")
        assert send(message).outcome == sending.Outcome.BOUNCED
        assert message.state == MessageState.FAILED
        assert "550" in message.last_error
    health = AddressHealth.objects.get(address=reader.email)
    assert health.consecutive_failures == 3
    assert health.failing

    # No more mail is composed for it; what matches waits.
    publish(org, publisher(org), "Rice report 4")
    assert compose.compose_immediate() == []
    assert Match.objects.filter(delivered_at__isnull=True).count() == 1
    assert mailbox.accepted == []

    # The owner says it works again: the waiting match goes out, and the count is reset.
    services.retry_address(user=reader)
    message = Message.objects.get(pk=compose.compose_immediate()[0])
    assert send(message).outcome == sending.Outcome.SENT
    health.refresh_from_db()
    assert (health.consecutive_failures, health.failing_since) == (0, None)


def test_a_success_resets_the_count_of_refusals(org: Any, mailbox: Mailbox) -> None:
    reader = factories.make_user()
    mailbox.data.extend(["554 5.7.1 Rejected", "554 5.7.1 Rejected"])
    for n in range(2):
        send(one_message(org, reader, f"Rice report {n}"))
    assert AddressHealth.objects.get().consecutive_failures == 2
    send(one_message(org, reader, "Rice report 3"))
    mailbox.data.append("554 5.7.1 Rejected")
    send(one_message(org, reader, "Rice report 4"))
    health = AddressHealth.objects.get()
    assert health.consecutive_failures == 1
    assert not health.failing


def test_a_message_composed_before_its_address_failed_is_held_then_sent(
    org: Any, mailbox: Mailbox
) -> None:
    message = one_message(org)
    AddressHealth.objects.create(
        address=message.address, consecutive_failures=3, failing_since=timezone.now()
    )
    assert send(message).outcome == sending.Outcome.SKIPPED
    assert message.state == MessageState.HELD
    services.retry_address(user=message.recipient)
    message.refresh_from_db()
    assert message.state == MessageState.PENDING
    assert send(message).outcome == sending.Outcome.SENT
    assert mailbox.accepted_ids() == [message.message_id]


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    return int(done.stdout)


def test_a_send_cut_short_by_a_dead_process_is_sent_again_with_the_same_message_id(
    org: Any, mailbox: Mailbox
) -> None:
    message = one_message(org)
    send(message)  # the server accepted it...
    # ...and the process died before it could record that: the row still says "sending".
    Message.objects.filter(pk=message.pk).update(
        state=MessageState.SENDING,
        claimed_by=f"{socket.gethostname()}:{_dead_pid()}",
        claimed_at=timezone.now(),
        sent_at=None,
    )
    assert send(message).outcome == sending.Outcome.SENT
    # At least once on the wire, with the same Message-ID: the receiver keeps one.
    assert mailbox.accepted_ids() == [message.message_id, message.message_id]


def test_a_message_another_live_process_is_sending_is_left_to_it(
    org: Any, mailbox: Mailbox
) -> None:
    message = one_message(org)
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        Message.objects.filter(pk=message.pk).update(
            state=MessageState.SENDING,
            claimed_by=f"{socket.gethostname()}:{alive.pid}",
            claimed_at=timezone.now(),
        )
        assert send(message).outcome == sending.Outcome.SKIPPED
        # Once its claim is older than the lease, it is taken over (the process hangs).
        later = timezone.now() + sending.CLAIM_LEASE + dt.timedelta(seconds=1)
        assert send(message, at=later).outcome == sending.Outcome.SENT
    finally:
        alive.kill()
        alive.wait()
    assert mailbox.accepted_ids() == [message.message_id]


def test_the_sweep_enqueues_what_is_due_once(org: Any, mailbox: Mailbox) -> None:
    message = one_message(org)  # its on-commit enqueue was lost (never run in this test)
    assert tasks.enqueue_mail() == 1
    assert tasks.enqueue_mail() == 0  # it waits in the queue now
    (queued,) = DBTaskResult.objects.filter(task_path=tasks.send_mail_message.module_path)
    assert queued.args_kwargs["args"] == [message.pk]
    # Immediate matches whose composition was lost are picked up too, once.
    subscribe(factories.make_user(), "q=maize", frequency="immediately")
    publish(org, publisher(org), "Maize")
    assert tasks.enqueue_mail() == 1
    assert tasks.enqueue_mail() == 0
    assert (
        DBTaskResult.objects.filter(task_path=tasks.compose_immediate_mail.module_path).count() == 1
    )


@pytest.mark.parametrize(
    ("language", "subject", "my_subscriptions"),
    [
        ("th", "สรุปรายวัน: รายการข้อมูลใหม่ 1 รายการ", "การรับข่าวสารของฉัน"),
        ("vi", "Bản tin tổng hợp hằng ngày: 1 mục thông tin mới", "Đăng ký theo dõi của tôi"),
    ],
)
def test_a_digest_arrives_in_the_subscribers_language(
    org: Any, mailbox: Mailbox, language: str, subject: str, my_subscriptions: str
) -> None:
    reader = factories.make_user(preferred_language=language, time_zone="Asia/Bangkok")
    subscribe(reader, "q=rice", frequency="daily")
    publish(org, publisher(org), "Rice exports rise")
    later = timezone.now() + dt.timedelta(days=2)
    (pk,) = compose.compose_digests(now=later)
    assert sending.send(pk, now=later).outcome == sending.Outcome.SENT

    (received,) = mailbox.accepted
    # The subject travels encoded (RFC 2047, folded onto a line of its own) and reads in the
    # language again.
    assert str(received["Subject"]).strip() == subject
    assert received["Content-Language"] == language
    body = parts(received)
    assert my_subscriptions in body["text/plain"]
    assert my_subscriptions in body["text/html"]
    assert f'<html lang="{language}">' in body["text/html"]
    assert f"https://harbor.example.org/{language}/subscriptions/" in body["text/plain"]


def test_old_sent_messages_are_pruned_and_open_ones_kept(org: Any, mailbox: Mailbox) -> None:
    sent = one_message(org)
    sending.send(sent.pk)
    waiting = one_message(org, sent.recipient, "Rice two")
    later = timezone.now() + tasks.KEEP_MESSAGES + dt.timedelta(days=1)
    assert tasks.prune(later) == 2  # the message and its one item
    assert list(Message.objects.values_list("pk", flat=True)) == [waiting.pk]
    assert Match.objects.filter(delivered_at__isnull=False).count() == 2
