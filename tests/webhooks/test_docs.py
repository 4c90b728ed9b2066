"""The verification example of docs/user/webhooks.md, run as written against a real
delivery: it accepts what the harbor sent, and refuses it changed, re-signed with another
secret, or replayed later."""

from __future__ import annotations

import json

import pytest

from infoharbor.webhooks import sending
from tests.webhooks.conftest import Hooked
from tests.webhooks.receiver import documented_verify

pytestmark = pytest.mark.django_db


def test_the_documented_check_accepts_a_real_delivery_and_refuses_forgeries(
    hooked: Hooked,
) -> None:
    verify = documented_verify()
    hooked.publish()
    sending.send_due()
    (seen,) = hooked.receiver.received
    header, body, secret = seen.headers["x-harbor-signature"], seen.body, hooked.endpoint.secret
    assert verify(secret, header, body)
    timestamp = int(header.split(",")[0].removeprefix("t="))

    event = json.loads(body)
    event["entry"]["title"] = "Something else"
    assert not verify(secret, header, json.dumps(event).encode())  # a changed body
    assert not verify("whsec_guess", header, body)  # another secret
    assert not verify(secret, header, body, now=timestamp + 301)  # replayed 5 minutes later
    assert verify(secret, header, body, now=timestamp + 299)
    assert not verify(secret, "", body)
    assert not verify(secret, header.replace(f"t={timestamp}", f"t={timestamp + 60}"), body)
