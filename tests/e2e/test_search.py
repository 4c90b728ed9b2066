"""A reader searches the demo harbor in a real browser, in each language of the region:
the header box, highlighted results, and facets that narrow them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from infoharbor.search import indexer
from tests.e2e.pages import wait_for_new_page
from tests.search.test_demo_search import CASES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _search(browser: Any, box_id: str, query: str) -> list[str]:
    box = browser.find_element(By.ID, box_id)
    box.clear()
    box.send_keys(query)
    wait_for_new_page(browser, lambda: box.send_keys(Keys.ENTER))
    return [r.text for r in browser.find_elements(By.CSS_SELECTOR, ".search-result h3")]


def test_reader_searches_the_demo_in_every_script(browser: Any, live_server: Any) -> None:
    call_command("loaddemo", verbosity=0)
    indexer.reindex()

    browser.get(f"{live_server.url}/en/")
    titles = _search(browser, "site-search-q", CASES[0][0])
    assert "/en/search/" in browser.current_url
    assert any(CASES[0][1] in title for title in titles)
    assert browser.find_elements(By.CSS_SELECTOR, ".search-result mark")

    for query, expected, why in CASES[1:]:
        titles = _search(browser, "id_q", query)
        assert any(expected in title for title in titles), (why, titles)

    # An empty search lists everything; the Laos facet narrows it to entries from Laos
    _search(browser, "id_q", "")
    laos = browser.find_element(
        By.XPATH, "//aside[contains(@class,'facets')]//a[contains(., 'Laos')]"
    )
    wait_for_new_page(browser, laos.click)
    cards = browser.find_elements(By.CSS_SELECTOR, ".search-result .meta")
    assert cards
    assert all("Laos" in card.text for card in cards)
