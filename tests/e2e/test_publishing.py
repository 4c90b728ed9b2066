"""An editor publishes a news item in a real browser, and readers see it on the home page.

Runs against a live server in headless Chromium, with JavaScript as the browser has it; the
pages under test work the same without it (they are plain forms and links).
"""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from infoharbor.accounts.choices import Role
from infoharbor.core.choices import EntryStatus
from infoharbor.core.models import Entry
from tests import factories
from tests.e2e.pages import wait_for_new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "ตลาดข้าวเปิดใหม่ที่นครพนม"  # Thai: a new rice market opens in Nakhon Phanom


def _fill(browser: Any, name: str, value: str) -> None:
    field = browser.find_element(By.NAME, name)
    field.clear()
    field.send_keys(value)


def _follow(browser: Any, element: Any) -> None:
    wait_for_new_page(browser, element.click)


def _click(browser: Any, text: str) -> None:
    """Press a button and wait for the page it leads to (a click does not wait by itself)."""
    buttons = browser.find_elements(By.XPATH, f"//button[normalize-space()='{text}']")
    assert buttons, f"no button {text!r} on {browser.current_url}"
    _follow(browser, buttons[0])


def test_editor_creates_submits_and_publishes_an_entry(browser: Any, live_server: Any) -> None:
    org = factories.make_org(
        "nakhon-phanom-commerce",
        country="TH",
        name="Nakhon Phanom Commerce Office",
        editors_can_publish=True,
    )
    editor = factories.make_user("editor@commerce.example", display_name="Somchai")
    factories.add_member(editor, org, Role.EDITOR)

    browser.get(f"{live_server.url}/en/accounts/login/")
    _fill(browser, "email", editor.email)
    _fill(browser, "password", factories.PASSWORD)
    _click(browser, "Sign in")
    assert "/en/dashboard/" in browser.current_url

    browser.get(f"{live_server.url}/en/dashboard/{org.slug}/")
    _follow(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "New: News"))
    _fill(browser, "title", TITLE)
    _fill(browser, "summary", "The provincial market opens on Monday with 40 stalls.")
    _fill(browser, "body", "Traders from **Laos** and Vietnam are welcome.")
    Select(browser.find_element(By.NAME, "language")).select_by_value("th")
    _click(browser, "Save draft")

    entry = Entry.objects.get(title=TITLE)
    assert entry.status == EntryStatus.DRAFT
    assert f"/en/entries/{entry.pk}/" in browser.current_url
    _click(browser, "Submit for review")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.IN_REVIEW
    _click(browser, "Publish")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PUBLISHED

    # A reader who is not signed in finds it on the home page and opens it.
    browser.delete_all_cookies()
    browser.get(f"{live_server.url}/en/")
    _follow(browser, browser.find_element(By.LINK_TEXT, TITLE))
    assert browser.find_element(By.TAG_NAME, "h1").text == TITLE
    assert "Laos" in browser.find_element(By.TAG_NAME, "main").text
