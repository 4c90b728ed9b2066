"""Match rows written when an entry is published: in the publication's transaction, for the
subscriptions it matches and whose owners may read it; and the index kept in step with
subscription changes in every process."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from infoharbor.accounts.choices import Role
from infoharbor.core import audit, services
from infoharbor.core.choices import EntryStatus, Visibility
from infoharbor.core.models import AuditEvent
from infoharbor.core.permissions import Actor
from infoharbor.subscriptions import outbox
from infoharbor.subscriptions import services as subscription_services
from infoharbor.subscriptions.models import Match, Subscription
from tests import factories
from tests.subscriptions.factories import follow, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_index() -> None:
    # Each test has its own database: the process's index must be built from it again.
    outbox.process_index.reset()


@pytest.fixture
def org():  # type: ignore[no-untyped-def]
    return factories.make_org("ministry", country="TH", name="Ministry of Commerce")


def matched(subscription: Subscription) -> list[str]:
    return sorted(m.entry.title for m in Match.objects.filter(subscription=subscription))


def test_publishing_writes_a_match_per_matching_subscription(org) -> None:  # type: ignore[no-untyped-def]
    reader = factories.make_user()
    rice = subscribe(reader, "q=rice+export&country=VN&country=TH")
    maize = subscribe(reader, "q=maize")
    by_org = follow(reader, "organization", org.slug)
    factories.make_entry(org, title="Thai rice export rises", country="TH")
    factories.make_entry(org, title="Rice export to Japan", country="JP")
    assert matched(rice) == ["Thai rice export rises"]
    assert matched(maize) == []
    assert matched(by_org) == ["Rice export to Japan", "Thai rice export rises"]
    match = Match.objects.filter(subscription=rice).get()
    assert match.delivered_at is None  # waiting for delivery


def test_drafts_match_nothing_until_published(org) -> None:  # type: ignore[no-untyped-def]
    reader = factories.make_user()
    rice = subscribe(reader, "q=rice")
    entry = factories.make_entry(org, title="Rice prices", status=EntryStatus.DRAFT)
    assert matched(rice) == []
    admin = factories.make_user()
    factories.add_member(admin, org, Role.ADMIN)
    services.publish_entry(
        actor=Actor.for_user(admin), origin=audit.Origin(user=admin), entry=entry
    )
    assert matched(rice) == ["Rice prices"]


def test_matches_roll_back_with_the_publication(org) -> None:  # type: ignore[no-untyped-def]
    reader = factories.make_user()
    rice = subscribe(reader, "q=rice")
    entry = factories.make_entry(org, title="Rice prices", status=EntryStatus.DRAFT)
    admin = factories.make_user()
    factories.add_member(admin, org, Role.ADMIN)

    class Abort(Exception):
        pass

    def publish_then_fail() -> None:
        with transaction.atomic():
            services.publish_entry(
                actor=Actor.for_user(admin), origin=audit.Origin(user=admin), entry=entry
            )
            assert matched(rice) == ["Rice prices"]  # written inside the transaction
            raise Abort

    with pytest.raises(Abort):
        publish_then_fail()
    assert Match.objects.count() == 0
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DRAFT


def test_paused_subscriptions_do_not_match(org) -> None:  # type: ignore[no-untyped-def]
    reader = factories.make_user()
    rice = subscribe(reader, "q=rice")
    factories.make_entry(org, title="Rice one")
    subscription_services.pause_subscription(
        user=reader, origin=audit.Origin(user=reader), subscription=rice
    )
    factories.make_entry(org, title="Rice two")
    subscription_services.pause_subscription(
        user=reader, origin=audit.Origin(user=reader), subscription=rice, paused=False
    )
    factories.make_entry(org, title="Rice three")
    assert matched(rice) == ["Rice one", "Rice three"]


def test_subscribers_get_only_what_they_may_read(org) -> None:  # type: ignore[no-untyped-def]
    outsider = factories.make_user()
    insider = factories.make_user()
    factories.add_member(insider, org, Role.MEMBER)
    operator = factories.make_operator()
    subscriptions = {
        who: subscribe(user, "q=budget")
        for who, user in (("outsider", outsider), ("insider", insider), ("operator", operator))
    }
    factories.make_entry(org, title="Internal budget", visibility=Visibility.ORGANIZATION)
    factories.make_entry(org, title="Members budget", visibility=Visibility.MEMBERS)
    assert matched(subscriptions["outsider"]) == ["Members budget"]
    assert matched(subscriptions["insider"]) == ["Internal budget", "Members budget"]
    assert matched(subscriptions["operator"]) == ["Internal budget", "Members budget"]


def test_inactive_owners_get_nothing(org) -> None:  # type: ignore[no-untyped-def]
    reader = factories.make_user()
    rice = subscribe(reader, "q=rice")
    factories.make_entry(org, title="Rice one")
    reader.is_active = False
    reader.save()
    factories.make_entry(org, title="Rice two")
    assert matched(rice) == ["Rice one"]


def test_follows_of_country_sector_and_kind(org) -> None:  # type: ignore[no-untyped-def]
    reader = factories.make_user()
    vietnam = follow(reader, "country", "vn")
    agriculture = follow(reader, "sector", "agriculture")
    policies = follow(reader, "kind", "information.policy")
    factories.make_entry(org, title="Coffee harvest", country="VN", sectors=["agriculture"])
    factories.make_entry(org, title="Port upgrade", country="TH")
    assert matched(vietnam) == ["Coffee harvest"]
    assert matched(agriculture) == ["Coffee harvest"]
    assert matched(policies) == []
    assert vietnam.params == "country=VN"


def test_a_country_named_in_any_language_matches_the_concept(org) -> None:  # type: ignore[no-untyped-def]
    reader = factories.make_user()
    vietnam = subscribe(reader, "q=越南")  # Vietnam, in Chinese
    factories.make_entry(org, title="Coffee harvest", country="VN")
    assert matched(vietnam) == ["Coffee harvest"]


def test_other_processes_catch_up_on_changes(org) -> None:  # type: ignore[no-untyped-def]
    reader = factories.make_user()
    rice = subscribe(reader, "q=rice")
    other = outbox.ProcessIndex()  # another process's index, built now
    assert other.current().get(rice.pk) is not None
    origin = audit.Origin(user=reader)
    subscription_services.update_subscription(
        user=reader,
        origin=origin,
        subscription=rice,
        data=subscription_services.SubscriptionData(name="Maize", params="q=maize"),
    )
    maize = subscribe(reader, "q=maize+prices")
    subscription_services.delete_subscription(user=reader, origin=origin, subscription=maize)
    index = other.current()
    assert index.get(maize.pk) is None
    compiled = index.get(rice.pk)
    assert compiled is not None
    assert len(index) == 1
    assert ("t", "maize") in (compiled.anchor or ())


def test_services_validate_and_audit() -> None:
    reader = factories.make_user()
    origin = audit.Origin(user=reader)
    data = subscription_services.SubscriptionData
    with pytest.raises(ValidationError) as error:
        subscription_services.create_subscription(
            user=reader, origin=origin, data=data(name=" ", params="", frequency="hourly")
        )
    assert set(error.value.message_dict) == {"name", "frequency", "params"}
    with pytest.raises(ValidationError) as error:
        subscription_services.create_subscription(
            user=reader,
            origin=origin,
            data=data(name="x", kind="follow", target_type="organization", target="nobody"),
        )
    assert "target" in error.value.message_dict
    with pytest.raises(ValidationError):
        subscription_services.create_subscription(
            user=reader, origin=origin, data=data(name="x", params="q=a&published_from=soon")
        )
    made = subscribe(reader, "q=rice&page=3&sort=date&country=", frequency="weekly")
    assert made.params == "q=rice"  # what the page lists, not how it pages or sorts
    other = factories.make_user()
    with pytest.raises(PermissionDenied):
        subscription_services.delete_subscription(
            user=other, origin=audit.Origin(user=other), subscription=made
        )
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert "subscription.create" in actions


def test_language_and_time_zone_come_from_the_account() -> None:
    reader = factories.make_user(preferred_language="th", time_zone="Asia/Bangkok")
    made = subscribe(reader, "q=rice")
    assert (made.language, made.time_zone) == ("th", "Asia/Bangkok")
    mine = subscribe(reader, "q=maize", language="vi", time_zone="Asia/Ho_Chi_Minh")
    assert (mine.language, mine.time_zone) == ("vi", "Asia/Ho_Chi_Minh")
