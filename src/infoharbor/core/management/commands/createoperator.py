"""``infoharbor createoperator``: create or promote a platform operator (staff superuser).

The password comes from standard input (``--password-stdin``, so it never appears in the
process list or shell history) or is generated and printed exactly once. Nothing secret is
printed otherwise. An existing account keeps its password unless ``--reset-password`` asks
for a new one.
"""

from __future__ import annotations

import secrets
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from infoharbor.accounts.models import User
from infoharbor.core import audit


def generate_password() -> str:
    """A strong password (24 URL-safe characters, about 144 bits)."""
    return secrets.token_urlsafe(18)


class Command(BaseCommand):
    help = "Create a platform operator account, or make an existing account one."
    stealth_options = ("stdin",)  # call_command(..., stdin=StringIO(...)) in tests

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="The operator's email address.")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input.",
        )
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help="Give an existing account a new password (generated unless --password-stdin).",
        )
        parser.add_argument("--name", default="", help="Display name (default: none).")

    def handle(self, *args: Any, **options: Any) -> None:
        email = str(options["email"]).strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not a valid email address.") from None

        password: str | None = None
        if options["password_stdin"]:
            stdin = options.get("stdin") or sys.stdin
            password = stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("--password-stdin was given but standard input was empty.")

        existing = User.objects.filter(email=email).first()
        generated = False
        if password is None and (
            existing is None or options["reset_password"] or not existing.has_usable_password()
        ):
            password = generate_password()
            generated = True
        if password is not None:
            try:
                validate_password(password, user=existing or User(email=email))
            except ValidationError as error:
                raise CommandError(
                    "The password was refused: " + " ".join(error.messages)
                ) from None

        with transaction.atomic():
            if existing is None:
                user = User.objects.create_superuser(email, password, display_name=options["name"])
                changes: dict[str, Any] = {"is_staff": [None, True], "is_superuser": [None, True]}
                action = "user.create_operator"
            else:
                user = existing
                changes = {
                    name: [getattr(user, name), True]
                    for name in ("is_staff", "is_superuser", "is_active", "email_verified")
                    if not getattr(user, name)
                }
                for name in changes:
                    setattr(user, name, True)
                if password is not None:
                    user.set_password(password)
                    changes["password"] = ["(set)", "(changed)"]
                if options["name"] and user.display_name != options["name"]:
                    changes["display_name"] = [user.display_name, options["name"]]
                    user.display_name = options["name"]
                user.save()
                action = "user.promote_operator"
            if changes:
                audit.record(
                    audit.Origin(via="cli"),
                    action,
                    user,
                    changes=changes,
                    note="infoharbor createoperator",
                )

        if existing is None:
            self.stdout.write(f"Created operator {email}.")
        elif changes:
            self.stdout.write(f"Updated {email}: " + ", ".join(sorted(changes)) + ".")
        else:
            self.stdout.write(f"{email} is already an operator; nothing changed.")
        if existing is not None and password is None:
            self.stdout.write("The password was left as it was (--reset-password sets a new one).")
        if generated:
            self.stdout.write(
                f"Password for {email} (shown only this once, keep it safe): {password}"
            )
