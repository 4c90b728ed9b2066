"""The harbor's own management commands, run in process."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from infoharbor import config
from infoharbor.accounts.models import User
from infoharbor.core.models import AuditEvent, Country, Language

REPO = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: str | None = None) -> str:
    out = StringIO()
    options = {"stdin": StringIO(stdin)} if stdin is not None else {}
    call_command(*args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


class TestSettingsDoc:
    def test_writes_the_reference_and_then_finds_it_up_to_date(self, tmp_path: Path) -> None:
        target = tmp_path / "settings.md"

        run("settings-doc", "--output", str(target))

        assert target.read_text(encoding="utf-8") == config.markdown_reference()
        assert "up to date" in run("settings-doc", "--check", "--output", str(target))

    def test_check_detects_drift(self, tmp_path: Path) -> None:
        target = tmp_path / "settings.md"
        target.write_text(config.markdown_reference().replace("SMTP", "SNMP"), encoding="utf-8")

        with pytest.raises(CommandError, match="out of date"):
            run("settings-doc", "--check", "--output", str(target))
        assert "SNMP" in target.read_text(encoding="utf-8")  # --check writes nothing

    def test_check_detects_a_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(CommandError, match="missing"):
            run("settings-doc", "--check", "--output", str(tmp_path / "nope.md"))

    def test_the_committed_reference_is_current(self) -> None:
        committed = REPO / "docs" / "operator" / "settings.md"
        assert committed.read_text(encoding="utf-8") == config.markdown_reference(), (
            "Run `infoharbor settings-doc` and commit docs/operator/settings.md."
        )


@pytest.mark.django_db
class TestCreateOperator:
    def test_generates_a_password_prints_it_once_and_it_works(self) -> None:
        output = run("createoperator", "--email", "Root@Example.org")

        password = output.rsplit(": ", 1)[1].strip()
        assert len(password) >= 20
        assert output.count(password) == 1
        user = authenticate(username="root@example.org", password=password)
        assert user is not None
        assert user.is_staff
        assert user.is_superuser
        assert AuditEvent.objects.filter(
            action="user.create_operator", target_id=str(user.pk), via="cli"
        ).exists()

    def test_password_from_stdin_is_never_printed(self) -> None:
        secret = "a long and unusual passphrase 7"

        output = run(
            "createoperator", "--email", "ops@example.org", "--password-stdin", stdin=secret + "\n"
        )

        assert secret not in output
        assert "shown only this once" not in output
        assert authenticate(username="ops@example.org", password=secret) is not None

    def test_weak_password_is_refused_with_the_reasons(self) -> None:
        with pytest.raises(CommandError, match="too short"):
            run("createoperator", "--email", "ops@example.org", "--password-stdin", stdin="abc\n")
        assert not User.objects.filter(email="ops@example.org").exists()

    def test_promotes_an_existing_account_and_keeps_its_password(self) -> None:
        User.objects.create_user("person@example.org", "their own password 9")

        output = run("createoperator", "--email", "person@example.org")

        assert "left as it was" in output
        assert "shown only this once" not in output
        user = User.objects.get(email="person@example.org")
        assert user.is_staff
        assert user.is_superuser
        assert user.check_password("their own password 9")

    def test_reset_password_gives_a_new_one(self) -> None:
        User.objects.create_superuser("ops@example.org", "old password that works 1")

        output = run("createoperator", "--email", "ops@example.org", "--reset-password")

        password = output.rsplit(": ", 1)[1].strip()
        assert authenticate(username="ops@example.org", password=password) is not None
        assert (
            authenticate(username="ops@example.org", password="old password that works 1") is None
        )

    def test_second_run_changes_nothing(self) -> None:
        run("createoperator", "--email", "ops@example.org")
        events = AuditEvent.objects.count()

        output = run("createoperator", "--email", "ops@example.org")

        assert "nothing changed" in output
        assert AuditEvent.objects.count() == events

    def test_bad_email_is_refused(self) -> None:
        with pytest.raises(CommandError, match="not a valid email address"):
            run("createoperator", "--email", "not an address")


@pytest.mark.django_db
class TestLoadRefData:
    def test_is_idempotent(self) -> None:
        # The test database was migrated, and migrate already loads the reference data.
        output = run("loadrefdata")

        assert "0 created, 0 updated" in output
        assert "13 languages" in output
        assert Language.objects.count() == 13
        assert Country.objects.filter(region_member=True).count() == 12

    def test_restores_a_changed_row(self) -> None:
        Country.objects.filter(iso2="TH").update(flag="?")

        output = run("loadrefdata")

        assert "0 created, 1 updated" in output
        assert Country.objects.get(iso2="TH").flag != "?"
        assert "0 created, 0 updated" in run("loadrefdata")
