"""The interface in each of its thirteen languages: pages speak the language of their address,
show no interface string of another language in their chrome, and the language switcher leads
to the same page in each of the other languages."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import resolve
from django.utils import translation
from django.utils.translation import to_locale

from infoharbor.core.models import Entry
from tests import factories
from tests.i18n.po import catalog_path, parse
from tests.portal.conftest import Harbor, harbor, html_lang, signed_in, text

__all__ = ["harbor"]  # the portal tests' fixture, used here too

pytestmark = pytest.mark.django_db


class Page(HTMLParser):
    """What a reader sees: text nodes and labelling attributes, and the header's links.

    The time zone menu is left out: its options are places of the tz database ("Nome",
    "Manila"), not interface strings, and one of them reads like the Portuguese for "Name"."""

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
        self._in_time_zones = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self._tag = tag
        if tag == "select" and values.get("name") == "time_zone":
            self._in_time_zones = True
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
        if tag == "select":
            self._in_time_zones = False
        if tag in {"nav", "div", "details"} and self._stack:
            self._stack.pop()
        self._tag = ""

    def handle_data(self, data: str) -> None:
        value = " ".join(data.split())
        if not value or self._in_time_zones:
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
    language: str  # the language switcher's label
    page_text: dict[str, str] = field(default_factory=dict)  # page -> a string on it

    @property
    def locale(self) -> str:
        return to_locale(self.prefix)


# What a reader of each language must see, written out here rather than read from the catalogs,
# so that a wrong or lost translation fails.
ENGLISH = Language(
    prefix="en",
    html_lang="en",
    site="China–ASEAN Information Harbor",
    nav=["Entries", "Organizations", "Countries", "Stories", "My organization", "My subscriptions"],
    signed_out=["Sign in", "Register"],
    sign_out="Sign out",
    language="Language",
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
CHINESE = Language(
    prefix="zh-hans",
    html_lang="zh-Hans",
    site="中国—东盟信息港",
    nav=["信息", "机构", "国家", "报道", "我的机构", "我的订阅"],
    signed_out=["登录", "注册"],
    sign_out="退出登录",
    language="语言",
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
TRADITIONAL_CHINESE = Language(
    prefix="zh-hant",
    html_lang="zh-Hant",
    site="中國—東盟信息港",
    nav=["資訊", "機構", "國家", "報導", "我的機構", "我的訂閱"],
    signed_out=["登入", "註冊"],
    sign_out="登出",
    language="語言",
    page_text={
        "home": "資訊共享",
        "entries": "篩選條件",
        "entry": "資訊詳情",
        "organization": "最新資訊",
        "country": "國碼",
        "sign-in": "忘記密碼？",
        "sign-up": "已有帳號？立即登入",
        "dashboard": "最近修改",
        "members": "Thai Ministry of Commerce的成員",
        "entry (signed in)": "資訊詳情",
        "search": "日期與排序",
    },
)
INDONESIAN = Language(
    prefix="id",
    html_lang="id",
    site="Pelabuhan Informasi Tiongkok–ASEAN",
    nav=["Entri", "Organisasi", "Negara", "Berita", "Organisasi saya", "Langganan saya"],
    signed_out=["Masuk", "Daftar"],
    sign_out="Keluar",
    language="Bahasa",
    page_text={
        "home": "Berbagi informasi",
        "entries": "Filter",
        "entry": "Tentang entri ini",
        "organization": "Entri terbaru",
        "country": "Kode telepon",
        "sign-in": "Lupa kata sandi?",
        "sign-up": "Sudah terdaftar? Masuk",
        "dashboard": "Baru diubah",
        "members": "Anggota Thai Ministry of Commerce",
        "entry (signed in)": "Tentang entri ini",
        "search": "Tanggal dan urutan",
    },
)
MALAY = Language(
    prefix="ms",
    html_lang="ms",
    site="Pelabuhan Maklumat China–ASEAN",
    nav=["Entri", "Organisasi", "Negara", "Berita", "Organisasi saya", "Langganan saya"],
    signed_out=["Log masuk", "Daftar"],
    sign_out="Log keluar",
    language="Bahasa",
    page_text={
        "home": "Perkongsian maklumat",
        "entries": "Penapis",
        "entry": "Mengenai entri ini",
        "organization": "Entri terkini",
        "country": "Kod panggilan",
        "sign-in": "Terlupa kata laluan?",
        "sign-up": "Sudah berdaftar? Log masuk",
        "dashboard": "Diubah baru-baru ini",
        "members": "Ahli Thai Ministry of Commerce",
        "entry (signed in)": "Mengenai entri ini",
        "search": "Tarikh dan susunan",
    },
)
THAI = Language(
    prefix="th",
    html_lang="th",
    site="ท่าเรือข้อมูลข่าวสารจีน–อาเซียน",
    nav=["รายการข้อมูล", "องค์กร", "ประเทศ", "ประเด็นข่าว", "องค์กรของฉัน", "การรับข่าวสารของฉัน"],
    signed_out=["เข้าสู่ระบบ", "ลงทะเบียน"],
    sign_out="ออกจากระบบ",
    language="ภาษา",
    page_text={
        "home": "การแบ่งปันข้อมูลข่าวสาร",
        "entries": "ตัวกรอง",
        "entry": "เกี่ยวกับรายการข้อมูลนี้",
        "organization": "รายการข้อมูลล่าสุด",
        "country": "รหัสโทรศัพท์ระหว่างประเทศ",
        "sign-in": "ลืมรหัสผ่าน?",
        "sign-up": "ลงทะเบียนแล้ว? เข้าสู่ระบบ",
        "dashboard": "แก้ไขล่าสุด",
        "members": "สมาชิกของThai Ministry of Commerce",
        "entry (signed in)": "เกี่ยวกับรายการข้อมูลนี้",
        "search": "วันที่และการเรียงลำดับ",
    },
)
VIETNAMESE = Language(
    prefix="vi",
    html_lang="vi",
    site="Cảng Thông tin Trung Quốc–ASEAN",
    nav=[
        "Mục thông tin",
        "Tổ chức",
        "Quốc gia",
        "Sự kiện",
        "Tổ chức của tôi",
        "Đăng ký theo dõi của tôi",
    ],
    signed_out=["Đăng nhập", "Đăng ký"],
    sign_out="Đăng xuất",
    language="Ngôn ngữ",
    page_text={
        "home": "Chia sẻ thông tin",
        "entries": "Bộ lọc",
        "entry": "Về mục thông tin này",
        "organization": "Mục thông tin mới nhất",
        "country": "Mã điện thoại quốc tế",
        "sign-in": "Quên mật khẩu?",
        "sign-up": "Đã đăng ký? Đăng nhập",
        "dashboard": "Thay đổi gần đây",
        "members": "Thành viên của Thai Ministry of Commerce",
        "entry (signed in)": "Về mục thông tin này",
        "search": "Ngày và thứ tự",
    },
)
FILIPINO = Language(
    prefix="fil",
    html_lang="fil",
    site="Daungan ng Impormasyon ng Tsina–ASEAN",
    nav=[
        "Mga entry",
        "Mga organisasyon",
        "Mga bansa",
        "Mga balita",
        "Aking organisasyon",
        "Aking mga subskripsiyon",
    ],
    signed_out=["Mag-sign in", "Magparehistro"],
    sign_out="Mag-sign out",
    language="Wika",
    page_text={
        "home": "Pagbabahagi ng impormasyon",
        "entries": "Mga filter",
        "entry": "Tungkol sa entry na ito",
        "organization": "Mga pinakabagong entry",
        "country": "Code sa pagtawag",
        "sign-in": "Nakalimutan ang password?",
        "sign-up": "Nakarehistro na? Mag-sign in",
        "dashboard": "Mga kamakailang binago",
        "members": "Mga miyembro ng Thai Ministry of Commerce",
        "entry (signed in)": "Tungkol sa entry na ito",
        "search": "Mga petsa at pagkakasunod-sunod",
    },
)
KHMER = Language(
    prefix="km",
    html_lang="km",
    site="កំពង់ផែព័ត៌មានចិន–អាស៊ាន",
    nav=["ព័ត៌មាន", "ស្ថាប័ន", "ប្រទេស", "ប្រធានបទព័ត៌មាន", "ស្ថាប័នរបស់ខ្ញុំ", "ការជាវព័ត៌មានរបស់ខ្ញុំ"],
    signed_out=["ចូលគណនី", "ចុះឈ្មោះ"],
    sign_out="ចាកចេញ",
    language="ភាសា",
    page_text={
        "home": "ការចែករំលែកព័ត៌មាន",
        "entries": "តម្រង",
        "entry": "អំពីព័ត៌មាននេះ",
        "organization": "ព័ត៌មានចុងក្រោយ",
        "country": "លេខកូដហៅទូរស័ព្ទ",
        "sign-in": "ភ្លេចពាក្យសម្ងាត់?",
        "sign-up": "បានចុះឈ្មោះរួចហើយ? ចូលគណនី",
        "dashboard": "បានកែប្រែថ្មីៗ",
        "members": "សមាជិកនៃ Thai Ministry of Commerce",
        "entry (signed in)": "អំពីព័ត៌មាននេះ",
        "search": "កាលបរិច្ឆេទ និងលំដាប់",
    },
)
LAO = Language(
    prefix="lo",
    html_lang="lo",
    site="ທ່າເຮືອຂໍ້ມູນຂ່າວສານ ຈີນ–ອາຊຽນ",
    nav=["ລາຍການຂໍ້ມູນ", "ອົງການ", "ປະເທດ", "ປະເດັນຂ່າວ", "ອົງການຂອງຂ້ອຍ", "ການຮັບຂ່າວສານຂອງຂ້ອຍ"],
    signed_out=["ເຂົ້າສູ່ລະບົບ", "ລົງທະບຽນ"],
    sign_out="ອອກຈາກລະບົບ",
    language="ພາສາ",
    page_text={
        "home": "ການແບ່ງປັນຂໍ້ມູນຂ່າວສານ",
        "entries": "ຕົວກອງ",
        "entry": "ກ່ຽວກັບລາຍການຂໍ້ມູນນີ້",
        "organization": "ລາຍການຂໍ້ມູນຫຼ້າສຸດ",
        "country": "ລະຫັດໂທລະສັບສາກົນ",
        "sign-in": "ລືມລະຫັດຜ່ານ?",
        "sign-up": "ລົງທະບຽນແລ້ວ? ເຂົ້າສູ່ລະບົບ",
        "dashboard": "ແກ້ໄຂຫຼ້າສຸດ",
        "members": "ສະມາຊິກຂອງ Thai Ministry of Commerce",
        "entry (signed in)": "ກ່ຽວກັບລາຍການຂໍ້ມູນນີ້",
        "search": "ວັນທີ ແລະ ການລຽງລຳດັບ",
    },
)
BURMESE = Language(
    prefix="my",
    html_lang="my",
    site="တရုတ်–အာဆီယံ သတင်းအချက်အလက်ဆိပ်ကမ်း",
    nav=["အချက်အလက်များ", "အဖွဲ့အစည်းများ", "နိုင်ငံများ", "သတင်းများ", "ကျွန်ုပ်၏ အဖွဲ့အစည်း", "ကျွန်ုပ်၏ စာရင်းသွင်းမှုများ"],
    signed_out=["အကောင့်ဝင်ရန်", "မှတ်ပုံတင်ရန်"],
    sign_out="အကောင့်ထွက်ရန်",
    language="ဘာသာစကား",
    page_text={
        "home": "သတင်းအချက်အလက် မျှဝေခြင်း",
        "entries": "စစ်ထုတ်မှုများ",
        "entry": "ဤအချက်အလက် အကြောင်း",
        "organization": "နောက်ဆုံး အချက်အလက်များ",
        "country": "နိုင်ငံ ဖုန်းကုဒ်",
        "sign-in": "စကားဝှက် မေ့နေပါသလား။",
        "sign-up": "မှတ်ပုံတင်ပြီးပါပြီလား။ အကောင့်ဝင်ရန်",
        "dashboard": "မကြာသေးမီက ပြောင်းလဲထားသည်",
        "members": "Thai Ministry of Commerce ၏ အဖွဲ့ဝင်များ",
        "entry (signed in)": "ဤအချက်အလက် အကြောင်း",
        "search": "ရက်စွဲနှင့် အစီအစဉ်",
    },
)
TETUM = Language(
    prefix="tet",
    html_lang="tet",
    site="Portu Informasaun Xina–ASEAN",
    nav=[
        "Entrada sira",
        "Organizasaun sira",
        "Nasaun sira",
        "Notísia sira",
        "Ha'u-nia organizasaun",
        "Ha'u-nia asinatura sira",
    ],
    signed_out=["Tama", "Rejista"],
    sign_out="Sai",
    language="Lian",
    page_text={
        "home": "Fahe informasaun",
        "entries": "Filtru sira",
        "entry": "Kona-ba entrada ne'e",
        "organization": "Entrada foun liu",
        "country": "Kódigu telefone",
        "sign-in": "Haluha liafuan-xave?",
        "sign-up": "Rejistadu ona? Tama",
        "dashboard": "Muda foin lalais",
        "members": "Membru sira Thai Ministry of Commerce nian",
        "entry (signed in)": "Kona-ba entrada ne'e",
        "search": "Data no orden",
    },
)
PORTUGUESE = Language(
    prefix="pt",
    html_lang="pt",
    site="Porto de Informação China–ASEAN",
    nav=[
        "Entradas",
        "Organizações",
        "Países",
        "Notícias",
        "A minha organização",
        "As minhas subscrições",
    ],
    signed_out=["Iniciar sessão", "Registar"],
    sign_out="Terminar sessão",
    language="Idioma",
    page_text={
        "home": "Partilha de informação",
        "entries": "Filtros",
        "entry": "Sobre esta entrada",
        "organization": "Entradas mais recentes",
        "country": "Indicativo telefónico",
        "sign-in": "Esqueceu-se da palavra-passe?",
        "sign-up": "Já está registado? Iniciar sessão",
        "dashboard": "Alteradas recentemente",
        "members": "Membros de Thai Ministry of Commerce",
        "entry (signed in)": "Sobre esta entrada",
        "search": "Datas e ordenação",
    },
)
# In the order of settings.LANGUAGES, as the language switcher lists them.
LANGUAGES = [
    ENGLISH,
    CHINESE,
    TRADITIONAL_CHINESE,
    INDONESIAN,
    MALAY,
    THAI,
    VIETNAMESE,
    FILIPINO,
    KHMER,
    LAO,
    BURMESE,
    TETUM,
    PORTUGUESE,
]
PAGES = list(ENGLISH.page_text)


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


@functools.cache
def translations(locale: str) -> dict[str, str]:
    """A catalog's interface strings that read differently from their English source:
    English source -> translation (each plural form counted on its own)."""
    found: dict[str, str] = {}
    for entry in parse(catalog_path(locale)).entries:
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        for source, form in zip(sources * len(entry.msgstr), entry.msgstr, strict=False):
            if form and form != source:
                found[source] = form
    return found


def foreign_strings(language: Language) -> set[str]:
    """Interface strings that must not be on a page in ``language``: in a translated language
    the English ones it translates; in English, every other language's translations (but
    those that are English interface strings too, like the Indonesian "Filter" for "Filters")."""
    if language is not ENGLISH:
        return {source for source in translations(language.locale) if len(source) > 2}
    english = {entry.msgid for entry in parse(catalog_path("en")).entries}
    return {
        form
        for other in LANGUAGES
        if other is not ENGLISH
        for form in translations(other.locale).values()
    } - english


def get(site: Site, page: str, language: Language) -> tuple[object, Page]:
    address, member = site.pages[page]
    client = site.member if member else site.visitor
    response = client.get(f"/{language.prefix}{address}")
    assert response.status_code == 200, (page, response.status_code)
    return response, Page(text(response))


def test_every_interface_language_is_checked() -> None:
    assert [language.prefix for language in LANGUAGES] == [code for code, _ in settings.LANGUAGES]
    assert all(list(language.page_text) == PAGES for language in LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda lang: lang.prefix)
@pytest.mark.parametrize("page", PAGES)
def test_page_speaks_the_language_of_its_address(site: Site, page: str, language: Language) -> None:
    response, seen = get(site, page, language)
    assert html_lang(response) == language.html_lang
    assert seen.title.endswith(f"· {language.site}"), seen.title
    member = site.pages[page][1]
    # A visitor sees the public links: entries, organizations, countries, stories.
    assert seen.main_nav == (language.nav if member else language.nav[:4])
    if member:
        assert seen.account_nav == [site.member_name, language.sign_out]
    else:
        assert seen.account_nav == language.signed_out
    # The switcher names the current language in that language, as its list does.
    own_name = dict(settings.LANGUAGES)[language.prefix]
    assert seen.switcher_summary == f"{language.language}: {own_name}", seen.switcher_summary
    assert language.page_text[page] in seen.texts, f"{page}: {language.page_text[page]!r} missing"

    foreign = foreign_strings(language) & set(seen.texts)
    assert not foreign, f"{page} in {language.prefix} shows {sorted(foreign)}"


@pytest.mark.parametrize("page", PAGES)
def test_english_pages_show_no_chinese(site: Site, page: str) -> None:
    _, seen = get(site, page, ENGLISH)
    # The only Chinese on an English page is the language switcher's own names.
    own_names = {name for _, name in settings.LANGUAGES}
    cjk = [t for t in seen.texts if re.search(r"[\u4e00-\u9fff]", t) and t not in own_names]
    assert not cjk, cjk


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda lang: lang.prefix)
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

    # Following the link to the next language shows the same page, in that language.
    other = LANGUAGES[(LANGUAGES.index(language) + 1) % len(LANGUAGES)]
    target = next(link["href"] for link in seen.switcher if link["hreflang"] == other.prefix)
    there = site.visitor.get(target)
    assert there.status_code == 200
    assert html_lang(there) == other.html_lang
    assert Page(text(there)).main_nav == other.nav[:4]
    with translation.override(language.prefix):
        here_view = resolve(urlsplit(f"/{language.prefix}{address}").path)
    with translation.override(other.prefix):
        there_view = resolve(urlsplit(target).path)
    assert (there_view.view_name, there_view.kwargs) == (here_view.view_name, here_view.kwargs)
    assert urlsplit(target).query == urlsplit(address).query


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_date_pickers_show_a_stored_date_in_every_language(language: str) -> None:
    # <input type="date"> shows only an ISO value: Thai would write 15/07/2025 and Chinese
    # 2025/07/15, and the editor would find the policy's date picker empty.
    from infoharbor.information.forms import PolicyDocumentForm
    from infoharbor.information.models import PolicyDocument

    with translation.override(language):
        form = PolicyDocumentForm(instance=PolicyDocument(effective_date=dt.date(2025, 7, 15)))
        bound = PolicyDocumentForm(data={"policy_type": "law", "effective_date": "2025-07-15"})
        rendered = str(form["effective_date"])

    assert 'type="date"' in rendered
    assert 'value="2025-07-15"' in rendered
    assert bound.is_valid() or "effective_date" not in bound.errors
