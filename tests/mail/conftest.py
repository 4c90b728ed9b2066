from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from infoharbor.subscriptions import outbox
from tests.mail.smtp import Mailbox, SMTPServer


@pytest.fixture
def smtp(settings: Any) -> Iterator[SMTPServer]:
    """A real SMTP server on loopback, and the harbor sending to it over SMTP."""
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 1
        yield server


@pytest.fixture
def mailbox(smtp: SMTPServer) -> Mailbox:
    return smtp.mailbox


@pytest.fixture(autouse=True)
def _mail_settings(settings: Any) -> None:
    settings.SITE_URL = "https://harbor.example.org"
    settings.DEFAULT_FROM_EMAIL = "Information Harbor <harbor@harbor.example.org>"
    settings.MAIL_DIGEST_HOUR = 7
    settings.MAIL_BOUNCE_LIMIT = 3
    settings.MAIL_MAX_ATTEMPTS = 4
    settings.MAIL_RETRY_SECONDS = 60
    settings.TIME_ZONE = "UTC"


@pytest.fixture(autouse=True)
def _fresh_index() -> None:
    # Each test has its own database: the process's match index must be built again.
    outbox.process_index.reset()
