"""A small harbor for the portal's tests: one Thai ministry with an administrator and an
editor, and helpers to read pages."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.test import Client

from infoharbor.accounts.choices import Role
from infoharbor.accounts.models import User
from infoharbor.core.models import Organization
from tests import factories


@dataclass
class Harbor:
    org: Organization
    admin: User
    editor: User


@pytest.fixture
def harbor(db: None) -> Harbor:
    org = factories.make_org("thai-ministry", country="TH", name="Thai Ministry of Commerce")
    admin = factories.make_user("admin@ministry.example")
    editor = factories.make_user("editor@ministry.example")
    factories.add_member(admin, org, Role.ADMIN)
    factories.add_member(editor, org, Role.EDITOR)
    return Harbor(org=org, admin=admin, editor=editor)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: object) -> str:
    content: bytes = response.content  # type: ignore[attr-defined]
    return content.decode()


def html_lang(response: object) -> str:
    match = re.search(r'<html lang="([^"]+)"', text(response))
    assert match, "the page has no <html lang>"
    return match.group(1)
