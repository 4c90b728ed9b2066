"""Entry services: validation, workflow, audit trail and after-commit hooks."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from infoharbor.accounts.choices import Role
from infoharbor.core import audit, services
from infoharbor.core.choices import EntryStatus
from infoharbor.core.models import AuditEvent, Entry, EntryTranslation, Language
from infoharbor.core.permissions import Actor
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():  # type: ignore[no-untyped-def]
    return factories.make_org("ministry", country="VN")


@pytest.fixture
def editor(org):  # type: ignore[no-untyped-def]
    user = factories.make_user("editor@example.org")
    factories.add_member(user, org, Role.EDITOR)
    return user


@pytest.fixture
def admin(org):  # type: ignore[no-untyped-def]
    user = factories.make_user("admin@example.org")
    factories.add_member(user, org, Role.ADMIN)
    return user


def origin(user) -> audit.Origin:  # type: ignore[no-untyped-def]
    return audit.Origin(user=user, ip_address="192.0.2.7", user_agent="pytest", via="test")


def create(org, user, **data):  # type: ignore[no-untyped-def]
    details = data.pop("details", {"notice_type": "notice"})
    kind = data.pop("kind", "information.news")
    return services.create_entry(
        actor=Actor.for_user(user),
        origin=origin(user),
        organization=org,
        kind=kind,
        data=factories.entry_data(**data),
        details=details,
    )


def test_editor_creates_a_draft_with_sanitized_body_and_details(org, editor) -> None:  # type: ignore[no-untyped-def]
    entry = create(
        org,
        editor,
        title="  Thông báo  ",
        language="vi",
        country="VN",
        body="**Quan trọng** <script>x</script>",
        tags=["Trade", "trade", " RCEP "],
        sectors=["trade-ecommerce"],
    )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DRAFT
    assert entry.title == "Thông báo"
    assert entry.author == editor
    assert "<strong>Quan trọng</strong>" in entry.body_html
    assert "<script" not in entry.body_html
    assert sorted(entry.tags.values_list("slug", flat=True)) == ["rcep", "trade"]
    assert list(entry.sectors.values_list("slug", flat=True)) == ["trade-ecommerce"]
    assert entry.news.notice_type == "notice"  # type: ignore[attr-defined]
    event = AuditEvent.objects.get(action="entry.create")
    assert event.actor == editor
    assert event.ip_address == "192.0.2.7"
    assert event.changes["title"] == [None, "Thông báo"]


def test_member_cannot_create(org) -> None:  # type: ignore[no-untyped-def]
    member = factories.make_user()
    factories.add_member(member, org, Role.MEMBER)
    with pytest.raises(PermissionDenied):
        create(org, member)
    assert not Entry.objects.exists()


def test_invalid_input_reports_every_field_and_stores_nothing(org, editor) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as raised:
        create(
            org,
            editor,
            kind="information.policy",
            title=" ",
            lat=123.0,
            lng=10.0,
            source_url="not a url",
            details={"policy_type": "poem"},
        )
    errors = raised.value.message_dict
    assert {"title", "lat", "details.policy_type"} <= set(errors)
    assert not Entry.objects.exists()


def test_unknown_kind_is_a_field_error(org, editor) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as raised:
        create(org, editor, kind="trade.nonsense")
    assert "kind" in raised.value.message_dict


def test_expiry_must_be_in_the_future(org, editor) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as raised:
        create(org, editor, expires_at=timezone.now() - dt.timedelta(hours=1))
    assert "expires_at" in raised.value.message_dict


def test_workflow_submit_publish_withdraw(org, editor, admin) -> None:  # type: ignore[no-untyped-def]
    entry = create(org, editor)
    entry = services.submit_entry(actor=Actor.for_user(editor), origin=origin(editor), entry=entry)
    assert entry.status == EntryStatus.IN_REVIEW
    with pytest.raises(PermissionDenied):
        services.publish_entry(actor=Actor.for_user(editor), origin=origin(editor), entry=entry)
    entry = services.publish_entry(actor=Actor.for_user(admin), origin=origin(admin), entry=entry)
    assert entry.status == EntryStatus.PUBLISHED
    assert entry.published_at is not None
    with pytest.raises(ValidationError):
        services.withdraw_entry(
            actor=Actor.for_user(admin), origin=origin(admin), entry=entry, reason="  "
        )
    entry = services.withdraw_entry(
        actor=Actor.for_user(admin),
        origin=origin(admin),
        entry=entry,
        reason="Superseded by a newer notice.",
    )
    assert entry.status == EntryStatus.WITHDRAWN
    assert entry.withdrawn_reason == "Superseded by a newer notice."
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["entry.create", "entry.submit", "entry.publish", "entry.withdraw"]


def test_country_moderator_withdraws_and_reviews(org, admin) -> None:  # type: ignore[no-untyped-def]
    entry = factories.make_entry(org, admin, country="VN")
    moderator = factories.make_user()
    factories.make_moderator(moderator, "VN")
    outsider = factories.make_user()
    factories.make_moderator(outsider, "TH")
    with pytest.raises(PermissionDenied):
        services.mark_reviewed(actor=Actor.for_user(outsider), origin=origin(outsider), entry=entry)
    services.mark_reviewed(actor=Actor.for_user(moderator), origin=origin(moderator), entry=entry)
    entry = services.withdraw_entry(
        actor=Actor.for_user(moderator),
        origin=origin(moderator),
        entry=entry,
        reason="Misleading headline.",
    )
    assert entry.withdrawn_by == moderator


def test_update_records_what_changed(org, editor) -> None:  # type: ignore[no-untyped-def]
    entry = create(org, editor, title="Old", sectors=["health"])
    services.update_entry(
        actor=Actor.for_user(editor),
        origin=origin(editor),
        entry=entry,
        data=factories.entry_data(
            title="New", language="vi", country="VN", sectors=["health", "tourism"]
        ),
        details={"notice_type": "announcement"},
    )
    entry.refresh_from_db()
    assert entry.title == "New"
    assert entry.news.notice_type == "announcement"  # type: ignore[attr-defined]
    event = AuditEvent.objects.get(action="entry.update")
    assert event.changes["title"] == ["Old", "New"]
    assert event.changes["sectors"] == [["health"], ["health", "tourism"]]


def test_editor_cannot_change_published_text_without_publish_rights(org, editor, admin) -> None:  # type: ignore[no-untyped-def]
    entry = factories.make_entry(org, admin)
    with pytest.raises(PermissionDenied):
        services.update_entry(
            actor=Actor.for_user(editor),
            origin=origin(editor),
            entry=entry,
            data=factories.entry_data(),
            details={"notice_type": "news"},
        )


def test_translation_and_fallback(org, admin) -> None:  # type: ignore[no-untyped-def]
    entry = factories.make_entry(org, admin, language="vi", country="VN")
    with pytest.raises(ValidationError):
        services.save_translation(
            actor=Actor.for_user(admin),
            origin=origin(admin),
            entry=entry,
            language=Language.objects.get(code="vi"),
            title="Same language",
        )
    services.save_translation(
        actor=Actor.for_user(admin),
        origin=origin(admin),
        entry=entry,
        language=Language.objects.get(code="en"),
        title="Notice",
        body="<b>hi</b><script>x</script>",
        body_format="html",
        is_machine=True,
    )
    translation = EntryTranslation.objects.get(entry=entry)
    assert translation.is_machine
    assert translation.body_html == "<b>hi</b>"


def test_side_effects_run_only_after_commit(
    org, editor, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    seen: list[tuple[str, int]] = []
    hook = services.on_entry_change(lambda event, entry_id: seen.append((event, entry_id)))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            entry = create(org, editor)
            assert seen == []
        assert seen == [("created", entry.pk)]
    finally:
        services._after_commit_hooks.remove(hook)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("การค้า", "การค้า"),  # Thai vowel and tone marks stay
        ("မြန်မာ", "မြန်မာ"),
        ("ភាសាខ្មែរ", "ភាសាខ្មែរ"),
        ("Xuất khẩu  gạo", "xuất-khẩu-gạo"),
        (unicodedata.normalize("NFD", "Xuất khẩu gạo"), "xuất-khẩu-gạo"),  # decomposed too
        ("  Rice, Trade!  ", "rice-trade"),
        ("人工智能", "人工智能"),
    ],
)
def test_tags_keep_every_letter_and_mark(typed: str, stored: str) -> None:
    assert services.tag_slug(typed) == stored


def test_changing_a_reviewed_entry_sends_it_back_to_the_moderators(org, admin) -> None:  # type: ignore[no-untyped-def]
    entry = factories.make_entry(org, admin)
    moderator = factories.make_user()
    factories.make_moderator(moderator, "TH")
    entry = services.mark_reviewed(
        actor=Actor.for_user(moderator), origin=origin(moderator), entry=entry
    )
    assert entry.reviewed_at is not None
    entry = services.update_entry(
        actor=Actor.for_user(admin),
        origin=origin(admin),
        entry=entry,
        data=factories.entry_data(title="Changed after review"),
        details={},
    )
    assert entry.reviewed_at is None
    assert entry.reviewed_by is None


def test_partial_details_keep_stored_values_and_defaults(org, admin) -> None:  # type: ignore[no-untyped-def]
    entry = create(
        org,
        admin,
        kind="information.policy",
        details={"policy_type": "law", "document_number": "No. 7/2026"},
    )
    assert entry.policy.in_force == "in_force"  # the model's default
    services.update_entry(
        actor=Actor.for_user(admin),
        origin=origin(admin),
        entry=entry,
        data=factories.entry_data(title=entry.title),
        details={"in_force": "repealed"},
    )
    entry.policy.refresh_from_db()
    assert entry.policy.document_number == "No. 7/2026"
    assert entry.policy.in_force == "repealed"


def test_every_error_is_reported_at_once(org, editor) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        create(org, editor, title="", lat=95.0, lng=10.0, source_url="not a url")
    assert {"title", "lat", "source_url"} <= set(caught.value.message_dict)


def test_an_expired_entry_can_still_be_corrected(org, admin) -> None:  # type: ignore[no-untyped-def]
    entry = factories.make_entry(org, admin)
    past = timezone.now() - dt.timedelta(days=2)
    Entry.objects.filter(pk=entry.pk).update(expires_at=past)
    entry.refresh_from_db()
    corrected = services.update_entry(
        actor=Actor.for_user(admin),
        origin=origin(admin),
        entry=entry,
        data=factories.entry_data(title="Typo fixed", expires_at=entry.expires_at),
        details={},
    )
    assert corrected.title == "Typo fixed"
    with pytest.raises(ValidationError):  # but a new expiry must still lie ahead
        services.update_entry(
            actor=Actor.for_user(admin),
            origin=origin(admin),
            entry=corrected,
            data=factories.entry_data(title="x", expires_at=past - dt.timedelta(days=1)),
            details={},
        )


def test_what_was_published_elsewhere_keeps_its_date_but_never_a_future_one(org, admin) -> None:  # type: ignore[no-untyped-def]
    earlier = dt.datetime(2025, 11, 1, 2, 30, tzinfo=dt.UTC)
    actor = Actor.for_user(admin)
    old = services.publish_entry(
        actor=actor, origin=origin(admin), entry=create(org, admin), published_at=earlier
    )
    future = services.publish_entry(
        actor=actor,
        origin=origin(admin),
        entry=create(org, admin),
        published_at=timezone.now() + dt.timedelta(days=3),
    )

    assert old.published_at == earlier
    assert future.published_at is not None
    assert future.published_at <= timezone.now()
