"""Waiting for the next page in a real browser, without touching the old page's nodes.

Selenium's ``staleness_of`` asks the old ``<html>`` element whether it is still there;
Chromium sometimes answers "Node with given id does not belong to the document" (a plain
WebDriverException, not a stale-element one) and the test fails at random. Here each poll
looks the root element up afresh and compares its id with the old one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def wait_for_new_page(browser: Any, act: Callable[[], object], timeout: float = 20) -> None:
    old_id = browser.find_element(By.TAG_NAME, "html").id
    act()

    def arrived(driver: Any) -> bool:
        try:
            root = driver.find_element(By.TAG_NAME, "html")
            ready = driver.execute_script("return document.readyState") == "complete"
        except WebDriverException:
            return False  # between pages
        return bool(root.id != old_id and ready)

    WebDriverWait(browser, timeout).until(arrived)
