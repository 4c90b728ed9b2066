"""The keys that make two items the same item."""

from __future__ import annotations

import pytest

from infoharbor.ingest import identity


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://Example.ORG/news/1?utm_source=rss&utm_medium=feed", "https://example.org/news/1"),
        ("https://example.org/news/1#comments", "https://example.org/news/1"),
        ("HTTPS://example.org:443/a?id=7&fbclid=x", "https://example.org/a?id=7"),
        ("http://example.org:80", "http://example.org/"),
        ("http://example.org:8080/a", "http://example.org:8080/a"),
        ("https://example.org/a?b=2&a=1", "https://example.org/a?b=2&a=1"),
        ("https://example.org/a?gclid=1&mc_cid=2&ref=home", "https://example.org/a?ref=home"),
        ("https://example.org./path", "https://example.org/path"),
        ("http://[2001:db8::1]:8080/x", "http://[2001:db8::1]:8080/x"),
        ("ftp://example.org/file", ""),
        ("javascript:alert(1)", ""),
        ("not a url", ""),
        ("http://example.org:99999/", ""),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert identity.canonical_url(url) == canonical


def test_the_same_page_has_the_same_key_however_it_is_linked() -> None:
    assert identity.url_key("https://EXAMPLE.org/a?utm_campaign=x#top") == identity.url_key(
        "https://example.org/a"
    )
    assert identity.url_key("https://example.org/a") != identity.url_key("https://example.org/b")
    assert identity.url_key("") == ""


def test_guid_keys_fit_an_index_whatever_the_length() -> None:
    assert len(identity.guid_key("x" * 5000)) == 64
    assert identity.guid_key("  ") == ""
    assert identity.guid_key("tag:a,2025:1") != identity.guid_key("tag:a,2025:2")


def test_the_content_hash_ignores_spacing_but_not_words() -> None:
    base = identity.content_hash("Border market opens", "The ministry  opened\na market.")
    assert base == identity.content_hash(" Border market opens ", "The ministry opened a market.")
    assert base != identity.content_hash("Border market opens", "The ministry closed a market.")
    # Composed and decomposed Vietnamese are the same text.
    assert identity.content_hash("Việt", "") == identity.content_hash("Vie\u0323\u0302t", "")
