"""The demo loader: everything through the services, marked as demo, idempotent."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from infoharbor.accounts.models import CountryModerator, Membership, User
from infoharbor.core.choices import EntryStatus
from infoharbor.core.models import AuditEvent, Entry, EntryTranslation, Organization
from infoharbor.portal.demo import loader

FIXTURE = Path(__file__).with_name("fixture.json")

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        "organizations": Organization.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "moderators": CountryModerator.objects.count(),
        "entries": Entry.objects.count(),
        "translations": EntryTranslation.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


class TestFixtureFile:
    def test_loads_everything_through_the_services(self) -> None:
        report = loader.load(FIXTURE)

        assert report.organizations_created == 2
        assert report.users_created == 3
        assert report.entries_created == 4
        assert report.translations_created == 2
        assert report.password  # generated, to be printed once
        assert set(Organization.objects.values_list("is_demo", flat=True)) == {True}
        assert set(Entry.objects.values_list("is_demo", flat=True)) == {True}
        for entry in Entry.objects.all():
            events = AuditEvent.objects.filter(
                target_type="core.entry", target_id=str(entry.pk), action="entry.create"
            )
            assert events.get().via == "cli"

    def test_statuses_and_fields_follow_the_file(self) -> None:
        loader.load(FIXTURE)

        notice = Entry.objects.get(title="ประกาศเฝ้าระวังไข้เลือดออก")
        assert notice.status == EntryStatus.PUBLISHED
        assert notice.news.notice_type == "notice"  # type: ignore[attr-defined]
        assert (notice.lat, notice.lng) == (13.75, 100.5)
        assert "<script>" not in notice.body_html
        assert sorted(notice.tags.values_list("slug", flat=True)) == ["dengue", "season"]
        translations = {t.language_id: t for t in notice.translations.all()}
        assert set(translations) == {"en", "zh-Hans"}
        assert translations["zh-Hans"].is_machine
        assert not translations["en"].is_machine
        policy = Entry.objects.get(title="Quy chế hợp tác nghiên cứu")
        assert policy.status == EntryStatus.IN_REVIEW
        assert policy.policy.document_number == "12/QĐ"  # type: ignore[attr-defined]
        assert Entry.objects.get(title="Bản nháp").status == EntryStatus.DRAFT

    def test_an_editor_without_publishing_rights_is_published_by_an_admin(self) -> None:
        loader.load(FIXTURE)

        notice = Entry.objects.get(title="ประกาศเฝ้าระวังไข้เลือดออก")
        publish = AuditEvent.objects.get(target_id=str(notice.pk), action="entry.publish")
        submit = AuditEvent.objects.get(target_id=str(notice.pk), action="entry.submit")
        assert submit.actor_label == "editor.th@example.org"
        assert publish.actor_label == "admin.th@example.org"
        direct = Entry.objects.get(title="Editors publish here directly")
        publish = AuditEvent.objects.get(target_id=str(direct.pk), action="entry.publish")
        assert publish.actor_label == "editor.vn@example.org"

    def test_published_entries_are_spread_over_the_past(self) -> None:
        before = timezone.now()
        loader.load(FIXTURE)

        notice = Entry.objects.get(title="ประกาศเฝ้าระวังไข้เลือดออก")
        assert notice.published_at is not None
        age = before - notice.published_at
        assert dt.timedelta(days=2, hours=23) < age < dt.timedelta(days=3, hours=1)

    def test_people_roles_and_moderators(self) -> None:
        report = loader.load(FIXTURE)

        admin = User.objects.get(email="admin.th@example.org")  # stored in lower case
        assert admin.check_password(report.password)
        assert admin.email_verified
        assert admin.preferred_language == "th"
        assert User.objects.get(email="editor.th@example.org").preferred_language == "zh-hans"
        assert CountryModerator.objects.filter(
            user__email="editor.vn@example.org", country_id="VN"
        ).exists()

    def test_second_run_changes_nothing(self) -> None:
        loader.load(FIXTURE)
        first = _counts()

        report = loader.load(FIXTURE)

        assert not report.changed
        assert report.password is None
        assert report.entries_existing == 4
        assert _counts() == first

    def test_explicit_password_is_shared_by_all(self) -> None:
        loader.load(FIXTURE, password="demo-password-for-tests")

        assert all(user.check_password("demo-password-for-tests") for user in User.objects.all())

    def test_a_bad_file_reports_every_problem_and_writes_nothing(self, tmp_path: Path) -> None:
        data = json.loads(FIXTURE.read_text(encoding="utf-8"))
        data["organizations"][0]["country"] = "XX"
        data["entries"][0]["sectors"] = ["no-such-sector"]
        data["entries"][1]["organization"] = "nowhere"
        data["entries"][2]["language"] = "klingon"

        with pytest.raises(loader.DemoError) as caught:
            loader.load(_write(tmp_path, data))

        message = str(caught.value)
        for expected in ("'XX'", "'no-such-sector'", "'nowhere'", "'klingon'"):
            assert expected in message
        assert Organization.objects.count() == 0
        assert User.objects.count() == 0

    def test_invalid_details_name_the_entry(self, tmp_path: Path) -> None:
        data = json.loads(FIXTURE.read_text(encoding="utf-8"))
        data["entries"][1]["details"]["policy_type"] = "not-a-type"

        with pytest.raises(loader.DemoError, match="Quy chế hợp tác nghiên cứu"):
            loader.load(_write(tmp_path, data))
        assert Entry.objects.count() == 0

    def test_command_prints_the_password_once(self) -> None:
        out = StringIO()
        call_command("loaddemo", str(FIXTURE), stdout=out)
        first = out.getvalue()
        password = first.rsplit(": ", 1)[1].strip()
        assert User.objects.get(email="editor.th@example.org").check_password(password)
        assert first.count(password) == 1

        out = StringIO()
        call_command("loaddemo", str(FIXTURE), stdout=out)
        assert "nothing changed" in out.getvalue()
        assert password not in out.getvalue()

    def test_command_reports_a_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(CommandError, match="no such file"):
            call_command("loaddemo", str(tmp_path / "missing.json"))


class TestShippedDemo:
    """The real demo set shipped with the package."""

    def test_loads_completely(self) -> None:
        data = loader.read(loader.default_path())

        report = loader.load()

        assert report.organizations_created == len(data["organizations"])
        assert report.users_created == len(data["users"])
        assert report.entries_created == len(data["entries"]) == Entry.objects.count()
        assert report.translations_created == sum(
            len(entry.get("translations", [])) for entry in data["entries"]
        )
        for row in data["entries"]:
            entry = Entry.objects.get(organization__slug=row["organization"], title=row["title"])
            assert entry.status == row.get("status", "published")

    def test_at_least_five_languages_including_thai_chinese_and_vietnamese(self) -> None:
        loader.load()

        languages = set(Entry.objects.values_list("language_id", flat=True))
        assert {"th", "zh-Hans", "vi"} <= languages
        assert len(languages) >= 5
        countries = set(Organization.objects.values_list("country_id", flat=True))
        assert len(countries) >= 3

    def test_every_entry_was_made_through_the_services_and_is_marked_demo(self) -> None:
        loader.load()

        assert not Entry.objects.filter(is_demo=False).exists()
        assert not Organization.objects.filter(is_demo=False).exists()
        created = set(
            AuditEvent.objects.filter(action="entry.create", via="cli").values_list(
                "target_id", flat=True
            )
        )
        assert created == {str(pk) for pk in Entry.objects.values_list("pk", flat=True)}
        for entry in Entry.objects.filter(status=EntryStatus.PUBLISHED):
            assert AuditEvent.objects.filter(
                action="entry.publish", target_id=str(entry.pk)
            ).exists()
            assert entry.published_at is not None

    def test_second_run_changes_nothing(self) -> None:
        loader.load()
        first = _counts()

        report = loader.load()

        assert not report.changed
        assert _counts() == first
