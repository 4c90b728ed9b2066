"""The interface in Simplified Chinese and in English: pages speak the language of their
address, leave nothing of the other language in their chrome, and the language switcher
leads to the same page in each of the other languages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import resolve
from django.utils import translation

from infoharbor.core.models import Entry
from tests import factories
from tests.i18n.po import catalog_path, parse
from tests.portal.conftest import Harbor, harbor, html_lang, signed_in, text

__all__ = ["harbor"]  # the portal tests' fixture, used here too

pytestmark = pytest.mark.django_db


class Page(HTMLParser):
    """What a reader sees: text nodes and labelling attributes, and the header's links."""

    LABELS = ("aria-label", "title", "placeholder", "alt")

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.main_nav: list[str] = []
        self.account_nav: list[str] = []
        self.switcher: list[dict[str, str]] = []
        self.switcher_summary = ""
        self.title = ""
        self._stack: list[str] = []  # classes of the open header regions we are inside
        self._tag = ""
        self._link: dict[str, str] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self._tag = tag
        self.texts += [values[name] for name in self.LABELS if values.get(name)]
        region = {"main-nav", "account-nav", "language-switcher"} & set(
            values.get("class", "").split()
        )
        if region:
            self._stack.append(region.pop())
        elif tag in {"nav", "div", "details"} and self._stack:
            self._stack.append("")
        if tag == "a" and self._stack and self._stack[-1] == "language-switcher":
            self._link = {"href": values.get("href", ""), "hreflang": values.get("hreflang", "")}
            if "aria-current" in values:
                self._link["current"] = "true"
            self.switcher.append(self._link)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"nav", "div", "details"} and self._stack:
            self._stack.pop()
        self._tag = ""

    def handle_data(self, data: str) -> None:
        value = " ".join(data.split())
        if not value:
            return
        if self._tag == "title":
            self.title += value
        self.texts.append(value)
        region = self._stack[-1] if self._stack else ""
        if region == "main-nav":
            self.main_nav.append(value)
        elif region == "account-nav":
            self.account_nav.append(value)
        elif region == "language-switcher" and self._tag == "summary":
            self.switcher_summary += value


@dataclass
class Language:
    prefix: str  # the address prefix, as settings.LANGUAGES spells it
    html_lang: str
    site: str  # the site's name, at the end of every <title>
    nav: list[str]  # main navigation of a signed-in member who is no moderator or operator
    signed_out: list[str]  # account navigation of a visitor
    sign_out: str
    page_text: dict[str, str] = field(default_factory=dict)  # page -> a string on it


CHINESE = Language(
    prefix="zh-hans",
    html_lang="zh-Hans",
    site="中国—东盟信息港",
    nav=["信息", "机构", "国家", "我的机构"],
    signed_out=["登录", "注册"],
    sign_out="退出登录",
    page_text={
        "home": "信息共享",
        "entries": "筛选条件",
        "entry": "信息详情",
        "organization": "最新信息",
        "country": "国际电话区号",
        "sign-in": "忘记密码？",
        "sign-up": "已有账号？立即登录",
        "dashboard": "最近修改",
        "members": "Thai Ministry of Commerce的成员",
        "entry (signed in)": "信息详情",
        "search": "日期与排序",
    },
)
ENGLISH = Language(
    prefix="en",
    html_lang="en",
    site="China–ASEAN Information Harbor",
    nav=["Entries", "Organizations", "Countries", "My organization"],
    signed_out=["Sign in", "Register"],
    sign_out="Sign out",
    page_text={
        "home": "Information sharing",
        "entries": "Filters",
        "entry": "About this entry",
        "organization": "Latest entries",
        "country": "Calling code",
        "sign-in": "Forgot your password?",
        "sign-up": "Already registered? Sign in",
        "dashboard": "Recently changed",
        "members": "Members of Thai Ministry of Commerce",
        "entry (signed in)": "About this entry",
        "search": "Dates and order",
    },
)
OTHER = {"zh-hans": ENGLISH, "en": CHINESE}


@dataclass
class Site:
    visitor: Client
    member: Client
    member_name: str
    entry: Entry
    pages: dict[str, tuple[str, bool]]  # name -> (address without the language, signed in)


@pytest.fixture
def site(harbor: Harbor) -> Site:
    entry = factories.make_entry(
        harbor.org,
        harbor.admin,
        title="Rice export notice",
        summary="Thai rice exports rose.",
        body="Exports rose by a tenth this year.",  # no word that is also an interface string
        sectors=["agriculture"],
    )
    factories.make_entry(
        harbor.org,
        harbor.admin,
        kind="information.policy",
        details={"policy_type": "law"},
        body="Rice export rules.",
    )
    return Site(
        visitor=Client(),
        member=signed_in(harbor.editor),
        member_name=harbor.editor.get_short_name(),
        entry=entry,
        pages={
            "home": ("/", False),
            "entries": ("/entries/", False),
            "entry": (f"/entries/{entry.pk}/", False),
            "organization": (f"/organizations/{harbor.org.slug}/", False),
            "country": ("/countries/th/", False),
            "sign-in": ("/accounts/login/", False),
            "sign-up": ("/accounts/signup/", False),
            "dashboard": ("/dashboard/", True),
            "members": (f"/dashboard/{harbor.org.slug}/members/", True),
            "entry (signed in)": (f"/entries/{entry.pk}/", True),
            "search": ("/search/?q=rice+export", False),
        },
    )


def english_messages() -> set[str]:
    """The English interface strings that read differently in Chinese."""
    return {
        entry.msgid
        for entry in parse(catalog_path("zh_Hans")).entries
        for msgid, translation in [(entry.msgid, entry.msgstr[0])]
        if msgid != translation and len(msgid) > 2
    }


def chinese_messages() -> set[str]:
    return {
        form
        for entry in parse(catalog_path("zh_Hans")).entries
        for form in entry.msgstr
        if form != entry.msgid
    }


def get(site: Site, page: str, language: Language) -> tuple[object, Page]:
    address, member = site.pages[page]
    client = site.member if member else site.visitor
    response = client.get(f"/{language.prefix}{address}")
    assert response.status_code == 200, (page, response.status_code)
    return response, Page(text(response))


@pytest.mark.parametrize("language", [CHINESE, ENGLISH], ids=lambda lang: lang.prefix)
@pytest.mark.parametrize("page", list(CHINESE.page_text))
def test_page_speaks_the_language_of_its_address(site: Site, page: str, language: Language) -> None:
    response, seen = get(site, page, language)
    assert html_lang(response) == language.html_lang
    assert seen.title.endswith(f"· {language.site}"), seen.title
    member = site.pages[page][1]
    assert seen.main_nav == (language.nav if member else language.nav[:3])
    if member:
        assert seen.account_nav == [site.member_name, language.sign_out]
    else:
        assert seen.account_nav == language.signed_out
    assert language.page_text[page] in seen.texts, f"{page}: {language.page_text[page]!r} missing"

    other = OTHER[language.prefix]
    leftovers = set(other.nav + other.signed_out + [other.sign_out]) & set(seen.texts)
    assert not leftovers, f"{page} in {language.prefix} shows {sorted(leftovers)}"


@pytest.mark.parametrize("page", list(CHINESE.page_text))
def test_chinese_pages_show_no_english_interface_string(site: Site, page: str) -> None:
    _, seen = get(site, page, CHINESE)
    english = english_messages() & set(seen.texts)
    assert not english, f"{page}: untranslated in zh-hans: {sorted(english)}"
    assert seen.switcher_summary.startswith("语言"), seen.switcher_summary


@pytest.mark.parametrize("page", list(CHINESE.page_text))
def test_english_pages_show_no_chinese_interface_string(site: Site, page: str) -> None:
    _, seen = get(site, page, ENGLISH)
    chinese = chinese_messages() & set(seen.texts)
    assert not chinese, f"{page}: Chinese in the English interface: {sorted(chinese)}"
    # The only Chinese on an English page is the language switcher's own names.
    own_names = {name for _, name in settings.LANGUAGES}
    cjk = [t for t in seen.texts if re.search(r"[\u4e00-\u9fff]", t) and t not in own_names]
    assert not cjk, cjk


@pytest.mark.parametrize("language", [CHINESE, ENGLISH], ids=lambda lang: lang.prefix)
@pytest.mark.parametrize(
    "address", ["/", "/entries/?country=TH&sector=agriculture", "entry", "/countries/th/"]
)
def test_language_switcher_leads_to_the_same_page(
    site: Site, language: Language, address: str
) -> None:
    if address == "entry":
        address = f"/entries/{site.entry.pk}/"
    response = site.visitor.get(f"/{language.prefix}{address}")
    assert response.status_code == 200
    seen = Page(text(response))

    codes = [code for code, _ in settings.LANGUAGES]
    assert [link["hreflang"] for link in seen.switcher] == codes
    for link in seen.switcher:
        assert link["href"] == f"/{link['hreflang']}{address}", link
        assert ("current" in link) == (link["hreflang"] == language.prefix), link

    # Following the link to the other language shows the same page, in that language.
    other = OTHER[language.prefix]
    target = next(link["href"] for link in seen.switcher if link["hreflang"] == other.prefix)
    there = site.visitor.get(target)
    assert there.status_code == 200
    assert html_lang(there) == other.html_lang
    with translation.override(language.prefix):
        here_view = resolve(urlsplit(f"/{language.prefix}{address}").path)
    with translation.override(other.prefix):
        there_view = resolve(urlsplit(target).path)
    assert (there_view.view_name, there_view.kwargs) == (here_view.view_name, here_view.kwargs)
    assert urlsplit(target).query == urlsplit(address).query


def test_traditional_chinese_interface(site: Site) -> None:
    response = site.visitor.get("/zh-hant/entries/")
    assert response.status_code == 200
    assert html_lang(response) == "zh-Hant"
    seen = Page(text(response))
    assert seen.main_nav == ["資訊", "機構", "國家"]
    assert seen.account_nav == ["登入", "註冊"]
    assert seen.title.endswith("· 中國—東盟信息港"), seen.title
