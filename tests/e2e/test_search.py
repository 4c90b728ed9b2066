"""A reader searches the harbor in a real browser: the header box, results, facets."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submit(browser: Any, field: Any) -> None:
    old_page = browser.find_element(By.TAG_NAME, "html")
    field.send_keys(Keys.ENTER)
    WebDriverWait(browser, 20).until(expected_conditions.staleness_of(old_page))


def _follow(browser: Any, element: Any) -> None:
    old_page = browser.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(browser, 20).until(expected_conditions.staleness_of(old_page))


def test_reader_searches_in_thai_chinese_lao_and_burmese(browser: Any, live_server: Any) -> None:
    th = factories.make_org("th-commerce", country="TH", name="Thai Commerce Office")
    cn = factories.make_org("nanning-trade", country="CN", name="Nanning Trade Bureau")
    factories.make_entry(th, title="ทุเรียนไทยส่งออกไปจีนเพิ่มขึ้น", language="th")
    factories.make_entry(cn, title="臺灣與東盟的貿易往來", language="zh-Hant", country="CN")
    factories.make_entry(th, title="ງານວາງສະແດງສິນຄ້າທີ່ນະຄອນຫຼວງວຽງຈັນ", language="lo", country="LA")
    factories.make_entry(th, title="ရန်ကုန်မြို့တွင် ကုန်စည်ပြပွဲ", language="my", country="MM")

    browser.get(f"{live_server.url}/en/")
    box = browser.find_element(By.ID, "site-search-q")
    box.send_keys("ทุเรียน")
    _submit(browser, box)
    assert "/en/search/" in browser.current_url
    results = browser.find_elements(By.CSS_SELECTOR, ".search-result h3")
    assert [r.text for r in results] == ["ทุเรียนไทยส่งออกไปจีนเพิ่มขึ้น"]
    assert browser.find_element(By.CSS_SELECTOR, ".search-result h3 mark").text == "ทุเรียน"

    for query, expected in [
        ("台湾", "臺灣與東盟的貿易往來"),  # Simplified finds Traditional, shown as written
        ("ວຽງຈັນ", "ງານວາງສະແດງສິນຄ້າທີ່ນະຄອນຫຼວງວຽງຈັນ"),
        ("ရန္ကုန္", "ရန်ကုန်မြို့တွင် ကုန်စည်ပြပွဲ"),  # typed in Zawgyi
    ]:
        box = browser.find_element(By.ID, "id_q")
        box.clear()
        box.send_keys(query)
        _submit(browser, box)
        titles = [r.text for r in browser.find_elements(By.CSS_SELECTOR, ".search-result h3")]
        assert titles == [expected], query

    # Facets narrow the results: everything from Laos
    box = browser.find_element(By.ID, "id_q")
    box.clear()
    _submit(browser, box)
    laos = browser.find_element(
        By.XPATH, "//aside[contains(@class,'facets')]//a[contains(., 'Laos')]"
    )
    _follow(browser, laos)
    titles = [r.text for r in browser.find_elements(By.CSS_SELECTOR, ".search-result h3")]
    assert titles == ["ງານວາງສະແດງສິນຄ້າທີ່ນະຄອນຫຼວງວຽງຈັນ"]
