"""Signed unsubscribe tokens: which subscriptions a link in a message stops.

A token is the subscription ids signed with the secret key (``django.core.signing``, its own
salt), so it works without signing in and cannot be forged or pointed at someone else's
subscriptions. Each subscription in a message has a link of its own; the message's
``List-Unsubscribe`` header carries one token for all the subscriptions it carries. Tokens do
not expire: a link in a year-old message must still work (RFC 8058 asks for that).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core import signing

SALT = "infoharbor.mail.unsubscribe"


class BadToken(ValueError):
    pass


def make(subscription_ids: Iterable[int]) -> str:
    ids = sorted({int(pk) for pk in subscription_ids})
    if not ids:
        raise ValueError("a token stops at least one subscription")
    return signing.Signer(salt=SALT).sign_object(ids, compress=True)


def read(token: str) -> list[int]:
    """The subscription ids of ``token``; :class:`BadToken` when it was not made here."""
    try:
        ids = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadToken(str(error)) from None
    if (
        not isinstance(ids, list)
        or not ids
        or not all(isinstance(pk, int) and not isinstance(pk, bool) for pk in ids)
    ):
        raise BadToken("not a list of subscriptions")
    return ids
