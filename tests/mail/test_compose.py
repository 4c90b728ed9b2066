"""Composing messages from waiting matches: one per subscriber, in one transaction with
the matches it carries, in the subscriber's language and time zone; digests by platform and
story when due, never empty."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from infoharbor.core.choices import EntryStatus
from infoharbor.mail import compose, tasks
from infoharbor.mail.choices import MessageKind, MessageState
from infoharbor.mail.models import AddressHealth, Message, MessageItem
from infoharbor.stories import services as story_services
from infoharbor.subscriptions.models import Match
from tests import factories
from tests.mail.helpers import DAY, messages_of, publish, publisher, translate
from tests.stories.conftest import Outlet, story
from tests.subscriptions.factories import follow, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():  # type: ignore[no-untyped-def]
    return factories.make_org("ministry", country="TH", name="Ministry of Commerce")


def tasks_of(function: Any) -> list[DBTaskResult[Any, Any]]:
    return list(DBTaskResult.objects.filter(task_path=function.module_path))


def test_a_harvest_makes_one_message_per_subscriber_grouped_by_subscription(
    org: Any, django_capture_on_commit_callbacks: Any
) -> None:
    alice, bob = factories.make_user(), factories.make_user()
    rice = subscribe(alice, "q=rice", name="Rice", frequency="immediately")
    follow(alice, "organization", org.slug, name="The ministry", frequency="immediately")
    subscribe(bob, "q=rice", name="Bob's rice", frequency="immediately")
    subscribe(bob, "q=rice", name="Bob's digest", frequency="daily")
    admin = publisher(org)

    with django_capture_on_commit_callbacks(execute=True):
        for n in range(20):
            publish(org, admin, f"Rice harvest report {n}")
        publish(org, admin, "Maize prices")
    # Twenty-one publications, one composition task waiting (not one per match).
    assert len(tasks_of(tasks.compose_immediate_mail)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        composed = compose.compose_immediate()

    assert len(composed) == 2
    (to_alice,) = messages_of(alice)
    (to_bob,) = messages_of(bob)
    assert to_alice.kind == MessageKind.IMMEDIATE
    assert to_alice.subject == "21 new entries for your subscriptions"
    assert to_bob.subject == "20 new entries for “Bob's rice”"
    # Alice's message: a section per subscription; the rice entries are in both.
    assert to_alice.items.count() == 20 + 21
    assert to_alice.text_body.index("== Rice ==") < to_alice.text_body.index("== The ministry ==")
    assert "Maize prices" in to_alice.text_body.split("== The ministry ==")[1]
    assert "Maize prices" not in to_alice.text_body.split("== The ministry ==")[0]
    # Every immediate match is delivered, each in exactly one message; the digest's wait.
    assert not Match.objects.filter(
        delivered_at__isnull=True, subscription__frequency="immediately"
    ).exists()
    assert Match.objects.filter(delivered_at__isnull=True, subscription__frequency="daily").count()
    assert {item.match.subscription_id for item in to_alice.items.all()} >= {rice.pk}
    # Each message's sending is enqueued once it is committed.
    sent = sorted(task.args_kwargs["args"][0] for task in tasks_of(tasks.send_mail_message))
    assert sent == sorted(composed)
    # Nothing waits any more: a second round composes nothing.
    assert compose.compose_immediate() == []


def test_matches_of_digests_only_enqueue_no_composition(
    org: Any, django_capture_on_commit_callbacks: Any
) -> None:
    subscribe(factories.make_user(), "q=rice", frequency="daily")
    with django_capture_on_commit_callbacks(execute=True):
        publish(org, publisher(org), "Rice")
    assert Match.objects.count() == 1
    assert tasks_of(tasks.compose_immediate_mail) == []


def test_composition_and_the_matches_it_takes_roll_back_together(
    org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = factories.make_user()
    subscribe(reader, "q=rice", frequency="immediately")
    publish(org, publisher(org), "Rice")

    def broken(*args: object) -> None:
        raise RuntimeError("the template is broken")

    monkeypatch.setattr(compose, "render", broken)
    with pytest.raises(RuntimeError):
        compose.compose_immediate()
    assert not Message.objects.exists()
    assert Match.objects.get().delivered_at is None  # waits for the next composition
    monkeypatch.undo()
    assert len(compose.compose_immediate()) == 1


def test_a_match_can_be_carried_by_one_message_only(org: Any) -> None:
    reader = factories.make_user()
    subscribe(reader, "q=rice", frequency="immediately")
    publish(org, publisher(org), "Rice")
    (pk,) = compose.compose_immediate()
    item = MessageItem.objects.get()
    other = Message.objects.create(
        recipient=reader, address=reader.email, kind="immediately", language="en",
        subject="x", text_body="x", html_body="x", message_id="<other@x>",
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        MessageItem.objects.create(
            message=other, match=item.match, subscription_id=item.subscription_id
        )
    assert MessageItem.objects.get().message_id == pk


def test_matches_another_composer_took_first_are_left_to_it(
    org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = factories.make_user()
    subscribe(reader, "q=rice", frequency="immediately")
    publish(org, publisher(org), "Rice")
    real_update = compose.Match.objects.filter

    # Another composer marks the match delivered between our read and our update.
    def racing(*args: Any, **kwargs: Any) -> Any:
        found = real_update(*args, **kwargs)
        if "delivered_at__isnull" in kwargs and "pk__in" in kwargs:
            Match.objects.update(delivered_at=timezone.now())
        return found

    monkeypatch.setattr(compose.Match.objects, "filter", racing)
    assert compose.compose_immediate() == []
    assert not Message.objects.exists()


def test_nothing_is_composed_for_paused_unverified_inactive_or_failing(org: Any) -> None:
    paused = factories.make_user()
    subscription = subscribe(paused, "q=rice", frequency="immediately")
    unverified = factories.make_user(verified=False)
    subscribe(unverified, "q=rice", frequency="immediately")
    failing = factories.make_user()
    subscribe(failing, "q=rice", frequency="immediately")
    AddressHealth.objects.create(
        address=failing.email, consecutive_failures=3, failing_since=timezone.now()
    )
    publish(org, publisher(org), "Rice")
    subscription.paused = True
    subscription.save()
    assert compose.compose_immediate() == []
    # Their matches wait: the failing address gets them once it works again.
    assert Match.objects.filter(delivered_at__isnull=True).count() == 3


def test_withdrawn_entries_are_left_out_and_never_make_an_empty_message(org: Any) -> None:
    reader = factories.make_user()
    subscribe(reader, "q=rice", frequency="immediately")
    admin = publisher(org)
    entry = publish(org, admin, "Rice")
    from infoharbor.core import audit, services
    from infoharbor.core.permissions import Actor

    services.withdraw_entry(
        actor=Actor.for_user(admin), origin=audit.Origin(user=admin), entry=entry, reason="No."
    )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.WITHDRAWN
    assert compose.compose_immediate() == []
    assert not Message.objects.exists()
    assert Match.objects.get().delivered_at is not None  # used up, not sent


# --- digests -------------------------------------------------------------------------------


def at_local(day: dt.date, hour: int, zone: str) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime.combine(day, dt.time(hour), tzinfo=ZoneInfo(zone))


def test_a_daily_digest_goes_out_at_the_local_hour_with_what_matched_before_it(
    org: Any,
) -> None:
    reader = factories.make_user(time_zone="Asia/Bangkok")
    subscribe(reader, "q=rice", name="Rice", frequency="daily")
    publish(org, publisher(org), "Rice report")
    local = Match.objects.get().matched_at.astimezone(compose.zone_of("Asia/Bangkok"))
    # The first 07:00 in Bangkok after the match.
    tomorrow = local.date() if local.hour < 7 else local.date() + DAY
    seven = at_local(tomorrow, 7, "Asia/Bangkok")

    assert compose.compose_digests(now=seven - dt.timedelta(minutes=1)) == []
    (pk,) = compose.compose_digests(now=seven)
    digest = Message.objects.get(pk=pk)
    assert digest.kind == MessageKind.DAILY
    assert digest.subject == "Daily digest: 1 new entry"
    assert "Times are in Asia/Bangkok." in digest.text_body
    # The same period again: nothing waits, nothing is sent.
    assert compose.compose_digests(now=seven + dt.timedelta(hours=2)) == []


def test_a_weekly_digest_waits_for_monday(org: Any) -> None:
    reader = factories.make_user(time_zone="UTC")
    subscribe(reader, "q=rice", frequency="weekly")
    publish(org, publisher(org), "Rice report")
    matched = Match.objects.get().matched_at.date()
    monday = matched + dt.timedelta(days=7 - matched.weekday())
    sunday = monday - DAY
    assert compose.compose_digests(now=at_local(sunday, 23, "UTC")) == []
    (pk,) = compose.compose_digests(now=at_local(monday, 7, "UTC"))
    assert Message.objects.get(pk=pk).subject == "Weekly digest: 1 new entry"


def test_a_digest_groups_by_platform_then_story_and_shows_each_entry_once(db: None) -> None:
    first = Outlet(factories.make_org("harbor-daily", country="TH", name="Harbor Daily"))
    second = Outlet(factories.make_org("asean-wire", country="ID", name="ASEAN Wire"))
    reader = factories.make_user(time_zone="UTC")
    follow(reader, "platform", "information", name="Everything", frequency="daily")
    subscribe(reader, "q=wire", name="Wire stories", frequency="daily")
    now = timezone.now()
    original = first.publish(story("en", 1), title="The story", at=now - dt.timedelta(hours=3))
    copy = second.publish(story("en", 1), title="The story, again (wire)", at=now)
    alone = second.publish(story("en", 2), title="Another thing", at=now - dt.timedelta(hours=1))
    story_services.assign_pending()
    (pk,) = compose.compose_digests(now=now + 2 * DAY)
    digest = Message.objects.get(pk=pk)

    # One platform section; the story is one item told by two outlets, the first teller
    # leading; the lone entry is an item of its own; the newest story first.
    text = digest.text_body
    assert text.count("== Information sharing ==") == 1
    assert text.index("* The story\n") < text.index("* Another thing")
    assert "Also told by ASEAN Wire: The story, again (wire)" in text
    assert "* The story, again" not in text
    # The copy matched both subscriptions: shown once, with both names.
    assert text.count("The story, again (wire)") == 1
    assert "(Everything, Wire stories)" in text
    html = digest.html_body
    assert f'href="https://harbor.example.org/en/entries/{original.pk}/"' in html
    assert "Also told by:" in html
    assert f'<a href="https://harbor.example.org/en/entries/{copy.pk}/">ASEAN Wire</a>' in html
    # Every match is carried, the copy's for both subscriptions.
    assert digest.items.count() == Match.objects.count() >= 4
    assert {item.match.entry_id for item in digest.items.all()} == {original.pk, copy.pk, alone.pk}


def test_the_digest_is_in_the_subscribers_language_and_time_zone(org: Any) -> None:
    reader = factories.make_user(preferred_language="vi", time_zone="Asia/Ho_Chi_Minh")
    subscribe(reader, "q=rice", frequency="daily", language="th", time_zone="Asia/Bangkok")
    admin = publisher(org)
    entry = publish(org, admin, "Rice exports rise")
    translate(entry, admin, "th", "การส่งออกข้าวเพิ่มขึ้น")
    (pk,) = compose.compose_digests(now=timezone.now() + 2 * DAY)
    digest = Message.objects.get(pk=pk)
    assert digest.language == "th"
    assert digest.subject.startswith("สรุปรายวัน")  # "Daily digest" in Thai
    assert "การส่งออกข้าวเพิ่มขึ้น" in digest.text_body  # the entry's Thai title
    assert "การแบ่งปันข้อมูลข่าวสาร" in digest.text_body  # "Information sharing"
    assert "การรับข่าวสารของฉัน" in digest.text_body  # "My subscriptions"
    assert '<html lang="th">' in digest.html_body
    assert "https://harbor.example.org/th/subscriptions/" in digest.text_body
    assert "Asia/Bangkok" in digest.text_body


def test_without_a_language_of_its_own_the_subscription_speaks_the_owners(org: Any) -> None:
    reader = factories.make_user(preferred_language="vi")
    subscription = subscribe(reader, "q=rice", frequency="immediately")
    subscription.language = ""
    subscription.save()
    publish(org, publisher(org), "Rice")
    (pk,) = compose.compose_immediate()
    message = Message.objects.get(pk=pk)
    assert message.language == "vi"
    assert "Đăng ký theo dõi của tôi" in message.text_body  # "My subscriptions"
    assert message.state == MessageState.PENDING
