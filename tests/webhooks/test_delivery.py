"""Publishing to a real local receiver: fan-out in the publication's transaction, the
signed request, retries, 410, pausing, replay, bounded answers."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from infoharbor.core import audit
from infoharbor.subscriptions import outbox
from infoharbor.webhooks import sending, services
from infoharbor.webhooks.choices import DeliveryState, EventType, PauseReason
from infoharbor.webhooks.models import Delivery, Endpoint
from tests import factories
from tests.subscriptions.factories import follow
from tests.webhooks.conftest import Hooked, make_endpoint
from tests.webhooks.receiver import Answer, Receiver

pytestmark = pytest.mark.django_db


def make_due() -> None:
    """Time passes: every pending delivery's next attempt has come."""
    Delivery.objects.filter(state=DeliveryState.PENDING).update(next_attempt_at=timezone.now())


def test_a_publication_writes_a_delivery_and_the_receiver_gets_it_signed(hooked: Hooked) -> None:
    entry = hooked.publish("Thai rice export rises")
    delivery = Delivery.objects.get()
    assert (delivery.endpoint, delivery.entry, delivery.subscription) == (
        hooked.endpoint, entry, hooked.subscription,
    )  # fmt: skip
    assert delivery.state == DeliveryState.PENDING
    assert delivery.next_attempt_at is not None

    result = sending.send_due()

    assert (result.sent, result.delivered) == (1, 1)
    (seen,) = hooked.receiver.received
    assert seen.verified
    assert seen.headers["content-type"] == "application/json"
    assert seen.headers["user-agent"].startswith("InformationHarbor-Webhooks/")
    assert seen.headers["x-harbor-event-id"] == str(delivery.event_id)
    assert seen.headers["x-harbor-event-type"] == "entry.matched"
    assert abs(int(seen.headers["x-harbor-signature"].split(",")[0][2:]) - time.time()) < 60
    event = json.loads(seen.body)
    assert event["version"] == 1
    assert event["id"] == str(delivery.event_id)
    assert event["type"] == "entry.matched"
    assert event["subscription"] == {"id": hooked.subscription.pk, "name": "Ministry news"}
    assert event["entry"]["id"] == entry.pk
    assert event["entry"]["title"] == "Thai rice export rises"
    assert event["entry"]["summary"] == "A short summary."
    assert (
        event["entry"]["url"].endswith(f"/entries/{entry.pk}/")
        or str(entry.pk) in event["entry"]["url"]
    )
    assert event["entry"]["platform"] == "information"
    assert event["entry"]["kind"] == "information.news"
    assert (event["entry"]["country"], event["entry"]["language"]) == ("TH", "en")
    assert event["entry"]["organization"]["slug"] == "ministry"
    assert event["entry"]["published_at"].endswith("Z")
    assert event["entry"]["story_id"] is None
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    assert (delivery.attempts, delivery.status_code, delivery.response_excerpt) == (1, 200, "ok")
    assert delivery.next_attempt_at is None
    assert delivery.claim == ""
    # The email channel's mark is left alone.
    assert hooked.subscription.matches.get().delivered_at is None


def test_fan_out_commits_or_rolls_back_with_the_publication(hooked: Hooked) -> None:
    def publish_then_fail() -> None:
        with transaction.atomic():
            hooked.publish()
            assert Delivery.objects.count() == 1
            raise RuntimeError("the publication fails after matching")

    with pytest.raises(RuntimeError):
        publish_then_fail()
    assert Delivery.objects.count() == 0


def test_a_pair_matched_again_adds_no_delivery(hooked: Hooked) -> None:
    entry = hooked.publish()
    sending.send_due()
    outbox.rematch([entry.pk])
    from infoharbor.webhooks import fanout

    fanout.on_matched([(hooked.subscription.pk, entry.pk)])
    assert Delivery.objects.count() == 1
    assert sending.send_due().sent == 0
    assert len(hooked.receiver.received) == 1


def test_only_the_chosen_subscriptions_reach_an_endpoint(hooked: Hooked) -> None:
    other_org = factories.make_org("other", country="VN")
    other = follow(hooked.owner, "organization", other_org.slug, name="Other")
    hooked.receiver.secrets["/only-other"] = make_endpoint(
        hooked.owner, hooked.receiver.url("/only-other"), all_subscriptions=False,
        subscriptions=[other.pk],
    ).secret  # fmt: skip
    hooked.publish()
    factories.make_entry(other_org, title="From the other")
    sending.send_due()
    paths = sorted(seen.path for seen in hooked.receiver.received)
    assert paths == ["/hook", "/hook", "/only-other"]
    assert all(seen.verified for seen in hooked.receiver.received)


def test_500_then_timeout_then_refused_then_success_is_one_accepted_event(
    hooked: Hooked,
) -> None:
    receiver = hooked.receiver
    receiver.answers = [Answer(500, b"busy"), Answer(delay=3.0), Answer(200)]
    hooked.publish()
    (delivery,) = Delivery.objects.all()

    sending.send_due()  # 500
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.status_code) == ("pending", 1, 500)
    assert delivery.error == "The receiver answered 500."
    assert delivery.response_excerpt == "busy"
    waited = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 0 < waited <= 10  # full jitter within the first window (WEBHOOK_RETRY_BASE_SECONDS)
    assert sending.send_due().sent == 0  # not due yet

    make_due()
    sending.send_due()  # the receiver takes 3 s; the bound is 1.5 s
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.status_code) == (2, None)
    assert "1.5 seconds" in delivery.error
    assert delivery.duration_ms is not None
    assert delivery.duration_ms < 2500

    port = receiver.port
    receiver.stop()
    make_due()
    sending.send_due()  # nobody listens
    delivery.refresh_from_db()
    assert delivery.attempts == 3
    assert delivery.state == DeliveryState.PENDING
    assert "Connection failed" in delivery.error

    again = Receiver(secret=hooked.endpoint.secret, port=port).start()
    try:
        make_due()
        sending.send_due()
    finally:
        again.stop()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.status_code) == ("delivered", 4, 200)
    # On the wire: the same event id every time; accepted once in the end.
    ids = {seen.event_id for seen in receiver.received + again.received}
    assert ids == {str(delivery.event_id)}
    assert sum(receiver.accepted.values()) + sum(again.accepted.values()) == 1
    assert Endpoint.objects.get(pk=hooked.endpoint.pk).consecutive_failures == 0


def test_410_pauses_the_endpoint_and_a_resume_sends_what_waits(
    hooked: Hooked, django_capture_on_commit_callbacks: Any
) -> None:
    hooked.receiver.answers = [Answer(410, b"gone"), Answer(200)]
    hooked.publish()
    with django_capture_on_commit_callbacks(execute=True):
        sending.send_due()
    endpoint = Endpoint.objects.get()
    assert not endpoint.active
    assert endpoint.paused_reason == PauseReason.GONE
    assert endpoint.paused_at is not None
    (message,) = mail.outbox
    assert message.to == ["reader@example.org"]
    assert "410" in message.body
    assert f"/webhooks/{endpoint.pk}/" in message.body
    hooked.publish("A second entry, while paused")
    assert sending.send_due().sent == 0  # a paused endpoint gets nothing
    assert Delivery.objects.filter(state=DeliveryState.PENDING).count() == 2

    services.resume_endpoint(
        user=hooked.owner, origin=audit.Origin(user=hooked.owner, via="test"), endpoint=endpoint
    )
    assert sending.send_due().delivered == 2
    assert Endpoint.objects.get().active
    assert len(hooked.receiver.accepted) == 2


def test_repeated_failures_pause_the_endpoint_and_tell_the_owner(
    hooked: Hooked, django_capture_on_commit_callbacks: Any
) -> None:
    hooked.receiver.answers = [Answer(503, b"down")]
    for number in range(3):
        hooked.publish(f"Entry {number}")
    sending.send_due()  # 3 failures
    assert Endpoint.objects.get().active
    assert Endpoint.objects.get().consecutive_failures == 3
    make_due()
    with django_capture_on_commit_callbacks(execute=True):
        sending.send_due()  # 6 >= WEBHOOK_MAX_FAILURES (5)
    endpoint = Endpoint.objects.get()
    assert not endpoint.active
    assert endpoint.paused_reason == PauseReason.FAILURES
    (message,) = mail.outbox
    assert "paused" in message.subject
    assert "resume" in message.body.lower()
    make_due()
    assert sending.send_due().sent == 0
    # A success sets the count back.
    hooked.receiver.answers = [Answer(200)]
    services.resume_endpoint(
        user=hooked.owner, origin=audit.Origin(user=hooked.owner, via="test"), endpoint=endpoint
    )
    assert sending.send_due().delivered == 3
    assert Endpoint.objects.get().consecutive_failures == 0


def test_a_delivery_is_given_up_after_the_max_age(hooked: Hooked) -> None:
    hooked.receiver.answers = [Answer(500)]
    hooked.publish()
    Delivery.objects.update(retrying_since=timezone.now() - dt.timedelta(days=2))
    sending.send_due()
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.next_attempt_at is None


def test_replay_sends_the_same_event_again(hooked: Hooked) -> None:
    hooked.publish()
    sending.send_due()
    delivery = Delivery.objects.get()
    services.replay_delivery(
        user=hooked.owner, origin=audit.Origin(user=hooked.owner, via="test"), delivery=delivery
    )
    sending.send_due()
    first, second = hooked.receiver.received
    assert first.event_id == second.event_id == str(delivery.event_id)
    assert second.verified
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("delivered", 2)


def test_a_test_event(hooked: Hooked) -> None:
    services.send_test_event(
        user=hooked.owner, origin=audit.Origin(user=hooked.owner, via="test"),
        endpoint=hooked.endpoint,
    )  # fmt: skip
    sending.send_due()
    (seen,) = hooked.receiver.received
    event = json.loads(seen.body)
    assert event["type"] == EventType.TEST
    assert event["endpoint"] == {"id": hooked.endpoint.pk}
    assert seen.verified
    assert seen.headers["x-harbor-event-type"] == "webhook.test"


def test_a_rotated_secret_signs_from_the_next_request(hooked: Hooked) -> None:
    old = hooked.endpoint.secret
    endpoint = services.rotate_secret(
        user=hooked.owner, origin=audit.Origin(user=hooked.owner, via="test"),
        endpoint=hooked.endpoint,
    )  # fmt: skip
    assert endpoint.secret != old
    assert endpoint.secret.startswith("whsec_")
    hooked.publish()
    sending.send_due()
    assert not hooked.receiver.received[0].verified  # the receiver still has the old one
    assert Delivery.objects.get().status_code == 401


def test_a_withdrawn_entry_is_not_sent(hooked: Hooked) -> None:
    from infoharbor.core import services as core_services
    from infoharbor.core.permissions import Actor

    entry = hooked.publish()
    admin = factories.make_user()
    factories.add_member(admin, hooked.org, "admin")
    core_services.withdraw_entry(
        actor=Actor.for_user(admin), origin=audit.Origin(user=admin, via="test"), entry=entry,
        reason="Wrong.",
    )  # fmt: skip
    sending.send_due()
    assert hooked.receiver.received == []
    assert Delivery.objects.get().state == DeliveryState.SKIPPED


def test_a_huge_answer_is_read_only_up_to_the_bound(hooked: Hooked) -> None:
    hooked.receiver.answers = [Answer(200, b"x" * (20 * 1024 * 1024))]
    hooked.publish()
    started = time.monotonic()
    sending.send_due()
    assert time.monotonic() - started < 5
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.DELIVERED
    assert delivery.response_excerpt == "x" * 500


def test_a_slow_answer_is_cut_at_the_time_bound(hooked: Hooked) -> None:
    hooked.receiver.answers = [Answer(200, b"y" * 100, drip=0.1)]
    hooked.publish()
    started = time.monotonic()
    sending.send_due()
    assert time.monotonic() - started < 3.5
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.PENDING
    assert delivery.status_code is None
    assert "1.5 seconds" in delivery.error


def test_a_redirect_is_not_followed(hooked: Hooked) -> None:
    hooked.receiver.answers = [Answer(302, b"", headers={"Location": "http://10.0.0.1/"})]
    hooked.publish()
    sending.send_due()
    assert len(hooked.receiver.received) == 1
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.status_code) == ("pending", 302)


def test_many_endpoints_are_sent_concurrently(db: None, receiver: Receiver) -> None:
    org = factories.make_org("busy", country="TH")
    owners = [factories.make_user() for _ in range(6)]
    for number, owner in enumerate(owners):
        follow(owner, "organization", org.slug)
        for index in range(3):
            path = f"/h/{number}/{index}"
            receiver.secrets[path] = make_endpoint(owner, receiver.url(path)).secret
    receiver.answers = [Answer(200, delay=0.3)]
    factories.make_entry(org, title="For everyone")
    started = time.monotonic()
    assert sending.send_due().delivered == 18
    # 18 requests of 0.3 s each, 8 at a time: about 1 s, not 5.4.
    assert time.monotonic() - started < 3
    assert all(seen.verified for seen in receiver.received)
    assert len(receiver.accepted) == 18
