#!/usr/bin/env python3
"""Build the shipped reference data of Information Harbor.

Reads two public-domain (ODC-PDDL 1.0) code lists kept in the shared data folder

* ``ref-country-codes/country-codes.csv`` (datasets/country-codes): ISO 3166-1 codes,
  UN names in English and Chinese, capitals, dialling codes, ISO 4217 currency, languages;
* ``ref-currency-codes/codes-all.csv`` (datasets/currency-codes): ISO 4217 current and
  historic currency codes;

merges in the translations written by the project for the twelve countries of the region,
the thirteen interface languages, the region's currencies and the sectors (the dict literals
below), and writes ``countries.json``, ``languages.json``, ``currencies.json`` and
``sectors.json``.

Usage (from the repository root)::

    python scripts/build_refdata.py --shared ../shared/data

Standard library only, so it runs without the project's environment.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import unicodedata
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "data"
DEFAULT_OUT = REPO_ROOT / "src" / "infoharbor" / "core" / "data"

COUNTRY_CSV = Path("ref-country-codes") / "country-codes.csv"
CURRENCY_CSV = Path("ref-currency-codes") / "codes-all.csv"

# The interface languages, in the order the platform lists them.
LANGS: tuple[str, ...] = (
    "zh-Hans", "zh-Hant", "en", "id", "ms", "th", "vi", "fil", "km", "lo", "my", "tet", "pt",
)  # fmt: skip

Names = dict[str, str]
Record = dict[str, Any]

# ---------------------------------------------------------------------------------------------
# Hand-written data (by the project; same license as the project).
# Chinese (Traditional) follows Hong Kong usage (老撾, 汶萊); Portuguese follows the
# European / Timorese norm (Vietname, Banguecoque); Tetum follows the INL orthography.
# ---------------------------------------------------------------------------------------------

LANGUAGES: list[Record] = [
    {
        "code": "zh-Hans", "iso639_1": "zh", "iso639_3": "zho", "script": "Hans",
        "native_name": "简体中文", "direction": "ltr", "spaced": False,
    },
    {
        "code": "zh-Hant", "iso639_1": "zh", "iso639_3": "zho", "script": "Hant",
        "native_name": "繁體中文", "direction": "ltr", "spaced": False,
    },
    {
        "code": "en", "iso639_1": "en", "iso639_3": "eng", "script": "Latn",
        "native_name": "English", "direction": "ltr", "spaced": True,
    },
    {
        "code": "id", "iso639_1": "id", "iso639_3": "ind", "script": "Latn",
        "native_name": "Bahasa Indonesia", "direction": "ltr", "spaced": True,
    },
    {
        "code": "ms", "iso639_1": "ms", "iso639_3": "msa", "script": "Latn",
        "native_name": "Bahasa Melayu", "direction": "ltr", "spaced": True,
    },
    {
        "code": "th", "iso639_1": "th", "iso639_3": "tha", "script": "Thai",
        "native_name": "ไทย", "direction": "ltr", "spaced": False,
    },
    {
        "code": "vi", "iso639_1": "vi", "iso639_3": "vie", "script": "Latn",
        "native_name": "Tiếng Việt", "direction": "ltr", "spaced": True,
    },
    {
        # Filipino has no ISO 639-1 code ("tl" is Tagalog).
        "code": "fil", "iso639_1": None, "iso639_3": "fil", "script": "Latn",
        "native_name": "Filipino", "direction": "ltr", "spaced": True,
    },
    {
        "code": "km", "iso639_1": "km", "iso639_3": "khm", "script": "Khmr",
        "native_name": "ខ្មែរ", "direction": "ltr", "spaced": False,
    },
    {
        "code": "lo", "iso639_1": "lo", "iso639_3": "lao", "script": "Laoo",
        "native_name": "ລາວ", "direction": "ltr", "spaced": False,
    },
    {
        "code": "my", "iso639_1": "my", "iso639_3": "mya", "script": "Mymr",
        "native_name": "မြန်မာ", "direction": "ltr", "spaced": False,
    },
    {
        # Tetum has no ISO 639-1 code.
        "code": "tet", "iso639_1": None, "iso639_3": "tet", "script": "Latn",
        "native_name": "Tetun", "direction": "ltr", "spaced": True,
    },
    {
        "code": "pt", "iso639_1": "pt", "iso639_3": "por", "script": "Latn",
        "native_name": "Português", "direction": "ltr", "spaced": True,
    },
]  # fmt: skip

# LANGUAGE_NAMES[display language][named language]: the name of each interface language
# as written in each interface language.
LANGUAGE_NAMES: dict[str, Names] = {
    "zh-Hans": {
        "zh-Hans": "简体中文", "zh-Hant": "繁体中文", "en": "英语", "id": "印度尼西亚语",
        "ms": "马来语", "th": "泰语", "vi": "越南语", "fil": "菲律宾语", "km": "高棉语",
        "lo": "老挝语", "my": "缅甸语", "tet": "德顿语", "pt": "葡萄牙语",
    },
    "zh-Hant": {
        "zh-Hans": "簡體中文", "zh-Hant": "繁體中文", "en": "英語", "id": "印尼語",
        "ms": "馬來語", "th": "泰語", "vi": "越南語", "fil": "菲律賓語", "km": "高棉語",
        "lo": "老撾語", "my": "緬甸語", "tet": "德頓語", "pt": "葡萄牙語",
    },
    "en": {
        "zh-Hans": "Simplified Chinese", "zh-Hant": "Traditional Chinese", "en": "English",
        "id": "Indonesian", "ms": "Malay", "th": "Thai", "vi": "Vietnamese",
        "fil": "Filipino", "km": "Khmer", "lo": "Lao", "my": "Burmese", "tet": "Tetum",
        "pt": "Portuguese",
    },
    "id": {
        "zh-Hans": "Tionghoa (Sederhana)", "zh-Hant": "Tionghoa (Tradisional)",
        "en": "Inggris", "id": "Indonesia", "ms": "Melayu", "th": "Thai", "vi": "Vietnam",
        "fil": "Filipino", "km": "Khmer", "lo": "Laos", "my": "Burma", "tet": "Tetum",
        "pt": "Portugis",
    },
    "ms": {
        "zh-Hans": "Cina Ringkas", "zh-Hant": "Cina Tradisional", "en": "Inggeris",
        "id": "Indonesia", "ms": "Melayu", "th": "Thai", "vi": "Vietnam", "fil": "Filipino",
        "km": "Khmer", "lo": "Laos", "my": "Burma", "tet": "Tetum", "pt": "Portugis",
    },
    "th": {
        "zh-Hans": "จีนตัวย่อ", "zh-Hant": "จีนตัวเต็ม", "en": "อังกฤษ", "id": "อินโดนีเซีย",
        "ms": "มาเลย์", "th": "ไทย", "vi": "เวียดนาม", "fil": "ฟิลิปปินส์", "km": "เขมร",
        "lo": "ลาว", "my": "พม่า", "tet": "เตตุม", "pt": "โปรตุเกส",
    },
    "vi": {
        "zh-Hans": "Tiếng Trung (Giản thể)", "zh-Hant": "Tiếng Trung (Phồn thể)",
        "en": "Tiếng Anh", "id": "Tiếng Indonesia", "ms": "Tiếng Mã Lai", "th": "Tiếng Thái",
        "vi": "Tiếng Việt", "fil": "Tiếng Philippines", "km": "Tiếng Khmer", "lo": "Tiếng Lào",
        "my": "Tiếng Miến Điện", "tet": "Tiếng Tetum", "pt": "Tiếng Bồ Đào Nha",
    },
    "fil": {
        "zh-Hans": "Tsino (Pinasimple)", "zh-Hant": "Tsino (Tradisyonal)", "en": "Ingles",
        "id": "Indones", "ms": "Malay", "th": "Thai", "vi": "Biyetnames", "fil": "Filipino",
        "km": "Khmer", "lo": "Lao", "my": "Birmano", "tet": "Tetum", "pt": "Portuges",
    },
    "km": {
        "zh-Hans": "ចិន (អក្សរកាត់)", "zh-Hant": "ចិន (អក្សរពេញ)", "en": "អង់គ្លេស",
        "id": "ឥណ្ឌូណេស៊ី", "ms": "ម៉ាឡេ", "th": "ថៃ", "vi": "វៀតណាម", "fil": "ហ្វីលីពីន",
        "km": "ខ្មែរ", "lo": "ឡាវ", "my": "ភូមា", "tet": "តេទុំ", "pt": "ព័រទុយហ្កាល់",
    },
    "lo": {
        "zh-Hans": "ຈີນ (ຕົວຫຍໍ້)", "zh-Hant": "ຈີນ (ຕົວເຕັມ)", "en": "ອັງກິດ",
        "id": "ອິນໂດເນເຊຍ", "ms": "ມາເລ", "th": "ໄທ", "vi": "ຫວຽດນາມ", "fil": "ຟິລິບປິນ",
        "km": "ຂະແມ", "lo": "ລາວ", "my": "ມຽນມາ", "tet": "ເຕຕຸມ", "pt": "ປອກຕຸຍການ",
    },
    "my": {
        "zh-Hans": "တရုတ် (ရိုးရှင်း)", "zh-Hant": "တရုတ် (ရိုးရာ)", "en": "အင်္ဂလိပ်",
        "id": "အင်ဒိုနီးရှား", "ms": "မလေး", "th": "ထိုင်း", "vi": "ဗီယက်နမ်",
        "fil": "ဖိလစ်ပိုင်", "km": "ခမာ", "lo": "လာအို", "my": "မြန်မာ", "tet": "တီတွမ်",
        "pt": "ပေါ်တူဂီ",
    },
    "tet": {
        "zh-Hans": "Xinés simplifikadu", "zh-Hant": "Xinés tradisionál", "en": "Inglés",
        "id": "Indonézia", "ms": "Malaiu", "th": "Tailandés", "vi": "Vietnamita",
        "fil": "Filipinu", "km": "Khmer", "lo": "Lao", "my": "Birmanés", "tet": "Tetun",
        "pt": "Portugés",
    },
    "pt": {
        "zh-Hans": "Chinês simplificado", "zh-Hant": "Chinês tradicional", "en": "Inglês",
        "id": "Indonésio", "ms": "Malaio", "th": "Tailandês", "vi": "Vietnamita",
        "fil": "Filipino", "km": "Khmer", "lo": "Laosiano", "my": "Birmanês", "tet": "Tétum",
        "pt": "Português",
    },
}  # fmt: skip

# The twelve countries of the region: names and capitals in all interface languages, the
# interface languages spoken there (official ones first) and an approximate centre.
REGION_COUNTRIES: dict[str, Record] = {
    "CN": {
        "languages": ["zh-Hans"], "lat": 35.86, "lng": 104.2,
        "names": {
            "zh-Hans": "中国", "zh-Hant": "中國", "en": "China", "id": "Tiongkok",
            "ms": "China", "th": "จีน", "vi": "Trung Quốc", "fil": "Tsina", "km": "ចិន",
            "lo": "ຈີນ", "my": "တရုတ်", "tet": "Xina", "pt": "China",
        },
        "capital": {
            "zh-Hans": "北京", "zh-Hant": "北京", "en": "Beijing", "id": "Beijing",
            "ms": "Beijing", "th": "ปักกิ่ง", "vi": "Bắc Kinh", "fil": "Beijing",
            "km": "ប៉េកាំង", "lo": "ປັກກິ່ງ", "my": "ပေကျင်း", "tet": "Beijing",
            "pt": "Pequim",
        },
    },
    "BN": {
        "languages": ["ms", "en"], "lat": 4.54, "lng": 114.73,
        "names": {
            "zh-Hans": "文莱", "zh-Hant": "汶萊", "en": "Brunei", "id": "Brunei Darussalam",
            "ms": "Brunei", "th": "บรูไน", "vi": "Brunei", "fil": "Brunei", "km": "ព្រុយណេ",
            "lo": "ບຣູໄນ", "my": "ဘရူနိုင်း", "tet": "Brunei", "pt": "Brunei",
        },
        "capital": {
            "zh-Hans": "斯里巴加湾市", "zh-Hant": "斯里巴加灣市", "en": "Bandar Seri Begawan",
            "id": "Bandar Seri Begawan", "ms": "Bandar Seri Begawan",
            "th": "บันดาร์เสรีเบกาวัน", "vi": "Bandar Seri Begawan",
            "fil": "Bandar Seri Begawan", "km": "បណ្ដាសេរីបេហ្គាវ៉ាន់",
            "lo": "ບັນດາເສຣີເບກາວັນ", "my": "ဘန်ဒါဆရီဘဂါဝမ်", "tet": "Bandar Seri Begawan",
            "pt": "Bandar Seri Begawan",
        },
    },
    "KH": {
        "languages": ["km"], "lat": 12.57, "lng": 104.99,
        "names": {
            "zh-Hans": "柬埔寨", "zh-Hant": "柬埔寨", "en": "Cambodia", "id": "Kamboja",
            "ms": "Kemboja", "th": "กัมพูชา", "vi": "Campuchia", "fil": "Cambodia",
            "km": "កម្ពុជា", "lo": "ກຳປູເຈຍ", "my": "ကမ္ဘောဒီးယား", "tet": "Kambodja",
            "pt": "Camboja",
        },
        "capital": {
            "zh-Hans": "金边", "zh-Hant": "金邊", "en": "Phnom Penh", "id": "Phnom Penh",
            "ms": "Phnom Penh", "th": "พนมเปญ", "vi": "Phnôm Pênh", "fil": "Phnom Penh",
            "km": "ភ្នំពេញ", "lo": "ພະນົມເປັນ", "my": "ဖနွမ်းပင်", "tet": "Phnom Penh",
            "pt": "Phnom Penh",
        },
    },
    "ID": {
        "languages": ["id"], "lat": -0.79, "lng": 113.92,
        "names": {
            "zh-Hans": "印度尼西亚", "zh-Hant": "印度尼西亞", "en": "Indonesia",
            "id": "Indonesia", "ms": "Indonesia", "th": "อินโดนีเซีย", "vi": "Indonesia",
            "fil": "Indonesia", "km": "ឥណ្ឌូណេស៊ី", "lo": "ອິນໂດເນເຊຍ", "my": "အင်ဒိုနီးရှား",
            "tet": "Indonézia", "pt": "Indonésia",
        },
        "capital": {
            "zh-Hans": "雅加达", "zh-Hant": "雅加達", "en": "Jakarta", "id": "Jakarta",
            "ms": "Jakarta", "th": "จาการ์ตา", "vi": "Jakarta", "fil": "Jakarta",
            "km": "ហ្សាការតា", "lo": "ຈາກາຕາ", "my": "ဂျကာတာ", "tet": "Jakarta",
            "pt": "Jacarta",
        },
    },
    "LA": {
        "languages": ["lo"], "lat": 19.86, "lng": 102.5,
        "names": {
            "zh-Hans": "老挝", "zh-Hant": "老撾", "en": "Laos", "id": "Laos", "ms": "Laos",
            "th": "ลาว", "vi": "Lào", "fil": "Laos", "km": "ឡាវ", "lo": "ລາວ", "my": "လာအို",
            "tet": "Laos", "pt": "Laos",
        },
        "capital": {
            "zh-Hans": "万象", "zh-Hant": "萬象", "en": "Vientiane", "id": "Vientiane",
            "ms": "Vientiane", "th": "เวียงจันทน์", "vi": "Viêng Chăn", "fil": "Vientiane",
            "km": "វៀងចន្ទន៍", "lo": "ວຽງຈັນ", "my": "ဗီယင်ကျန်း", "tet": "Vientiane",
            "pt": "Vientiane",
        },
    },
    "MY": {
        "languages": ["ms"], "lat": 4.21, "lng": 101.98,
        "names": {
            "zh-Hans": "马来西亚", "zh-Hant": "馬來西亞", "en": "Malaysia", "id": "Malaysia",
            "ms": "Malaysia", "th": "มาเลเซีย", "vi": "Malaysia", "fil": "Malaysia",
            "km": "ម៉ាឡេស៊ី", "lo": "ມາເລເຊຍ", "my": "မလေးရှား", "tet": "Malázia",
            "pt": "Malásia",
        },
        "capital": {
            "zh-Hans": "吉隆坡", "zh-Hant": "吉隆坡", "en": "Kuala Lumpur", "id": "Kuala Lumpur",
            "ms": "Kuala Lumpur", "th": "กัวลาลัมเปอร์", "vi": "Kuala Lumpur",
            "fil": "Kuala Lumpur", "km": "គូឡាឡាំពួ", "lo": "ກົວລາລຳເປີ", "my": "ကွာလာလမ်ပူ",
            "tet": "Kuala Lumpur", "pt": "Kuala Lumpur",
        },
    },
    "MM": {
        "languages": ["my"], "lat": 21.91, "lng": 95.96,
        "names": {
            "zh-Hans": "缅甸", "zh-Hant": "緬甸", "en": "Myanmar", "id": "Myanmar",
            "ms": "Myanmar", "th": "เมียนมา", "vi": "Myanmar", "fil": "Myanmar",
            "km": "មីយ៉ាន់ម៉ា", "lo": "ມຽນມາ", "my": "မြန်မာ", "tet": "Mianmar",
            "pt": "Myanmar",
        },
        "capital": {
            "zh-Hans": "内比都", "zh-Hant": "內比都", "en": "Naypyidaw", "id": "Naypyidaw",
            "ms": "Naypyidaw", "th": "เนปยีดอ", "vi": "Naypyidaw", "fil": "Naypyidaw",
            "km": "ណៃពិដោ", "lo": "ເນປີດໍ", "my": "နေပြည်တော်", "tet": "Naypyidaw",
            "pt": "Naypyidaw",
        },
    },
    "PH": {
        "languages": ["fil", "en"], "lat": 12.88, "lng": 121.77,
        "names": {
            "zh-Hans": "菲律宾", "zh-Hant": "菲律賓", "en": "Philippines", "id": "Filipina",
            "ms": "Filipina", "th": "ฟิลิปปินส์", "vi": "Philippines", "fil": "Pilipinas",
            "km": "ហ្វីលីពីន", "lo": "ຟິລິບປິນ", "my": "ဖိလစ်ပိုင်", "tet": "Filipinas",
            "pt": "Filipinas",
        },
        "capital": {
            "zh-Hans": "马尼拉", "zh-Hant": "馬尼拉", "en": "Manila", "id": "Manila",
            "ms": "Manila", "th": "มะนิลา", "vi": "Manila", "fil": "Maynila", "km": "ម៉ានីល",
            "lo": "ມະນີລາ", "my": "မနီလာ", "tet": "Manila", "pt": "Manila",
        },
    },
    "SG": {
        "languages": ["en", "zh-Hans", "ms"], "lat": 1.35, "lng": 103.82,
        "names": {
            "zh-Hans": "新加坡", "zh-Hant": "新加坡", "en": "Singapore", "id": "Singapura",
            "ms": "Singapura", "th": "สิงคโปร์", "vi": "Singapore", "fil": "Singapore",
            "km": "សិង្ហបុរី", "lo": "ສິງກະໂປ", "my": "စင်္ကာပူ", "tet": "Singapura",
            "pt": "Singapura",
        },
        "capital": {
            "zh-Hans": "新加坡", "zh-Hant": "新加坡", "en": "Singapore", "id": "Singapura",
            "ms": "Singapura", "th": "สิงคโปร์", "vi": "Singapore", "fil": "Singapore",
            "km": "សិង្ហបុរី", "lo": "ສິງກະໂປ", "my": "စင်္ကာပူ", "tet": "Singapura",
            "pt": "Singapura",
        },
    },
    "TH": {
        "languages": ["th"], "lat": 15.87, "lng": 100.99,
        "names": {
            "zh-Hans": "泰国", "zh-Hant": "泰國", "en": "Thailand", "id": "Thailand",
            "ms": "Thailand", "th": "ไทย", "vi": "Thái Lan", "fil": "Thailand", "km": "ថៃ",
            "lo": "ໄທ", "my": "ထိုင်း", "tet": "Tailándia", "pt": "Tailândia",
        },
        "capital": {
            "zh-Hans": "曼谷", "zh-Hant": "曼谷", "en": "Bangkok", "id": "Bangkok",
            "ms": "Bangkok", "th": "กรุงเทพมหานคร", "vi": "Băng Cốc", "fil": "Bangkok",
            "km": "បាងកក", "lo": "ບາງກອກ", "my": "ဘန်ကောက်", "tet": "Bangkok",
            "pt": "Banguecoque",
        },
    },
    "TL": {
        "languages": ["tet", "pt"], "lat": -8.87, "lng": 125.73,
        "names": {
            "zh-Hans": "东帝汶", "zh-Hant": "東帝汶", "en": "Timor-Leste", "id": "Timor Leste",
            "ms": "Timor-Leste", "th": "ติมอร์-เลสเต", "vi": "Timor-Leste",
            "fil": "Timor-Leste", "km": "ទីម័រលេស្តេ", "lo": "ທິມໍ-ເລສເຕ", "my": "အရှေ့တီမော",
            "tet": "Timór-Leste", "pt": "Timor-Leste",
        },
        "capital": {
            "zh-Hans": "帝力", "zh-Hant": "帝力", "en": "Dili", "id": "Dili", "ms": "Dili",
            "th": "ดิลี", "vi": "Dili", "fil": "Dili", "km": "ឌីលី", "lo": "ດີລີ",
            "my": "ဒီလီ", "tet": "Díli", "pt": "Díli",
        },
    },
    "VN": {
        "languages": ["vi"], "lat": 14.06, "lng": 108.28,
        "names": {
            "zh-Hans": "越南", "zh-Hant": "越南", "en": "Vietnam", "id": "Vietnam",
            "ms": "Vietnam", "th": "เวียดนาม", "vi": "Việt Nam", "fil": "Vietnam",
            "km": "វៀតណាម", "lo": "ຫວຽດນາມ", "my": "ဗီယက်နမ်", "tet": "Vietname",
            "pt": "Vietname",
        },
        "capital": {
            "zh-Hans": "河内", "zh-Hant": "河內", "en": "Hanoi", "id": "Hanoi", "ms": "Hanoi",
            "th": "ฮานอย", "vi": "Hà Nội", "fil": "Hanoi", "km": "ហាណូយ", "lo": "ຮ່າໂນ້ຍ",
            "my": "ဟနွိုင်း", "tet": "Hanoi", "pt": "Hanói",
        },
    },
}  # fmt: skip

# Customary short names where the source's CLDR "alt-short" English name is too terse.
EN_NAME_OVERRIDES: Names = {
    "BA": "Bosnia & Herzegovina",
    "GB": "United Kingdom",
    "US": "United States",
}

# Customary short Chinese names where the source's UN name is the long formal one.
ZH_HANS_NAME_OVERRIDES: Names = {
    "BO": "玻利维亚",
    "FM": "密克罗尼西亚",
    "GB": "英国",
    "HK": "中国香港",
    "IR": "伊朗",
    "KP": "朝鲜",
    "KR": "韩国",
    "MD": "摩尔多瓦",
    "MO": "中国澳门",
    "NL": "荷兰",
    "RU": "俄罗斯",
    "SY": "叙利亚",
    "TZ": "坦桑尼亚",
    "US": "美国",
    "VA": "梵蒂冈",
    "VE": "委内瑞拉",
}

# The region's currencies in every interface language except English (English is the
# ISO 4217 name from the source).
REGION_CURRENCIES: dict[str, Names] = {
    "CNY": {
        "zh-Hans": "人民币", "zh-Hant": "人民幣", "id": "Yuan Tiongkok", "ms": "Yuan China",
        "th": "หยวนจีน", "vi": "Nhân dân tệ", "fil": "Yuan ng Tsina", "km": "យន់ចិន",
        "lo": "ຢວນຈີນ", "my": "တရုတ်ယွမ်", "tet": "Yuan Xina", "pt": "Yuan chinês",
    },
    "BND": {
        "zh-Hans": "文莱元", "zh-Hant": "汶萊元", "id": "Dolar Brunei", "ms": "Dolar Brunei",
        "th": "ดอลลาร์บรูไน", "vi": "Đô la Brunei", "fil": "Dolyar ng Brunei",
        "km": "ដុល្លារព្រុយណេ", "lo": "ໂດລາບຣູໄນ", "my": "ဘရူနိုင်းဒေါ်လာ",
        "tet": "Dólar Brunei", "pt": "Dólar do Brunei",
    },
    "KHR": {
        "zh-Hans": "柬埔寨瑞尔", "zh-Hant": "柬埔寨瑞爾", "id": "Riel Kamboja",
        "ms": "Riel Kemboja", "th": "เรียลกัมพูชา", "vi": "Riel Campuchia",
        "fil": "Riel ng Cambodia", "km": "រៀលកម្ពុជា", "lo": "ຣຽລກຳປູເຈຍ",
        "my": "ကမ္ဘောဒီးယားရီးယဲ", "tet": "Riel Kambodja", "pt": "Riel cambojano",
    },
    "IDR": {
        "zh-Hans": "印尼盾", "zh-Hant": "印尼盾", "id": "Rupiah", "ms": "Rupiah Indonesia",
        "th": "รูเปียห์อินโดนีเซีย", "vi": "Rupiah Indonesia", "fil": "Rupiah ng Indonesia",
        "km": "រូពីឥណ្ឌូណេស៊ី", "lo": "ຣູເປຍອິນໂດເນເຊຍ", "my": "အင်ဒိုနီးရှားရူပီးယား",
        "tet": "Rupia Indonézia", "pt": "Rupia indonésia",
    },
    "LAK": {
        "zh-Hans": "老挝基普", "zh-Hant": "老撾基普", "id": "Kip Laos", "ms": "Kip Laos",
        "th": "กีบลาว", "vi": "Kíp Lào", "fil": "Kip ng Laos", "km": "គីបឡាវ",
        "lo": "ກີບລາວ", "my": "လာအိုကစ်", "tet": "Kip Laos", "pt": "Kip laosiano",
    },
    "MYR": {
        "zh-Hans": "马来西亚林吉特", "zh-Hant": "馬來西亞令吉", "id": "Ringgit Malaysia",
        "ms": "Ringgit Malaysia", "th": "ริงกิตมาเลเซีย", "vi": "Ringgit Malaysia",
        "fil": "Ringgit ng Malaysia", "km": "រីងហ្គីតម៉ាឡេស៊ី", "lo": "ຣິງກິດມາເລເຊຍ",
        "my": "မလေးရှားရင်းဂစ်", "tet": "Ringgit Malázia", "pt": "Ringgit malaio",
    },
    "MMK": {
        "zh-Hans": "缅元", "zh-Hant": "緬元", "id": "Kyat Myanmar", "ms": "Kyat Myanmar",
        "th": "จ๊าดเมียนมา", "vi": "Kyat Myanmar", "fil": "Kyat ng Myanmar",
        "km": "ចាតមីយ៉ាន់ម៉ា", "lo": "ຈັດມຽນມາ", "my": "မြန်မာကျပ်", "tet": "Kyat Mianmar",
        "pt": "Kyat de Myanmar",
    },
    "PHP": {
        "zh-Hans": "菲律宾比索", "zh-Hant": "菲律賓披索", "id": "Peso Filipina",
        "ms": "Peso Filipina", "th": "เปโซฟิลิปปินส์", "vi": "Peso Philippines",
        "fil": "Piso ng Pilipinas", "km": "ប៉េសូហ្វីលីពីន", "lo": "ເປໂຊຟິລິບປິນ",
        "my": "ဖိလစ်ပိုင်ပီဆို", "tet": "Pezu Filipinas", "pt": "Peso filipino",
    },
    "SGD": {
        "zh-Hans": "新加坡元", "zh-Hant": "新加坡元", "id": "Dolar Singapura",
        "ms": "Dolar Singapura", "th": "ดอลลาร์สิงคโปร์", "vi": "Đô la Singapore",
        "fil": "Dolyar ng Singapore", "km": "ដុល្លារសិង្ហបុរី", "lo": "ໂດລາສິງກະໂປ",
        "my": "စင်္ကာပူဒေါ်လာ", "tet": "Dólar Singapura", "pt": "Dólar de Singapura",
    },
    "THB": {
        "zh-Hans": "泰铢", "zh-Hant": "泰銖", "id": "Baht Thailand", "ms": "Baht Thailand",
        "th": "บาท", "vi": "Baht Thái Lan", "fil": "Baht ng Thailand", "km": "បាតថៃ",
        "lo": "ບາດໄທ", "my": "ထိုင်းဘတ်", "tet": "Baht Tailándia", "pt": "Baht tailandês",
    },
    "USD": {
        "zh-Hans": "美元", "zh-Hant": "美元", "id": "Dolar Amerika Serikat",
        "ms": "Dolar Amerika Syarikat", "th": "ดอลลาร์สหรัฐ", "vi": "Đô la Mỹ",
        "fil": "Dolyar ng Estados Unidos", "km": "ដុល្លារអាមេរិក", "lo": "ໂດລາສະຫະລັດ",
        "my": "အမေရိကန်ဒေါ်လာ", "tet": "Dólar Amerikanu", "pt": "Dólar dos Estados Unidos",
    },
    "VND": {
        "zh-Hans": "越南盾", "zh-Hant": "越南盾", "id": "Dong Vietnam", "ms": "Dong Vietnam",
        "th": "ดองเวียดนาม", "vi": "Đồng Việt Nam", "fil": "Dong ng Vietnam",
        "km": "ដុងវៀតណាម", "lo": "ດົ່ງຫວຽດນາມ", "my": "ဗီယက်နမ်ဒေါင်", "tet": "Dong Vietname",
        "pt": "Dong vietnamita",
    },
}  # fmt: skip

# Sectors: (slug, parent slug or None, order among siblings, names). Parents come first.
SECTORS: list[tuple[str, str | None, int, Names]] = [
    ("economy-finance", None, 10, {
        "zh-Hans": "经济与金融", "zh-Hant": "經濟與金融", "en": "Economy & finance",
        "id": "Ekonomi & keuangan", "ms": "Ekonomi & kewangan", "th": "เศรษฐกิจและการเงิน",
        "vi": "Kinh tế & tài chính", "fil": "Ekonomiya at pananalapi",
        "km": "សេដ្ឋកិច្ច និងហិរញ្ញវត្ថុ", "lo": "ເສດຖະກິດ ແລະ ການເງິນ",
        "my": "စီးပွားရေးနှင့် ဘဏ္ဍာရေး", "tet": "Ekonomia no finansas",
        "pt": "Economia e finanças",
    }),
    ("trade-ecommerce", None, 20, {
        "zh-Hans": "贸易与电子商务", "zh-Hant": "貿易與電子商務", "en": "Trade & e-commerce",
        "id": "Perdagangan & e-commerce", "ms": "Perdagangan & e-dagang",
        "th": "การค้าและพาณิชย์อิเล็กทรอนิกส์", "vi": "Thương mại & thương mại điện tử",
        "fil": "Kalakalan at e-commerce", "km": "ពាណិជ្ជកម្ម និងពាណិជ្ជកម្មអេឡិចត្រូនិក",
        "lo": "ການຄ້າ ແລະ ການຄ້າເອເລັກໂຕຣນິກ",
        "my": "ကုန်သွယ်ရေးနှင့် အီလက်ထရောနစ် ကူးသန်းရောင်းဝယ်ရေး",
        "tet": "Komérsiu no komérsiu eletróniku", "pt": "Comércio e comércio eletrónico",
    }),
    ("education-research", None, 30, {
        "zh-Hans": "教育与科研", "zh-Hant": "教育與科研", "en": "Education & research",
        "id": "Pendidikan & penelitian", "ms": "Pendidikan & penyelidikan",
        "th": "การศึกษาและการวิจัย", "vi": "Giáo dục & nghiên cứu",
        "fil": "Edukasyon at pananaliksik", "km": "ការអប់រំ និងការស្រាវជ្រាវ",
        "lo": "ການສຶກສາ ແລະ ການຄົ້ນຄວ້າ", "my": "ပညာရေးနှင့် သုတေသန",
        "tet": "Edukasaun no peskiza", "pt": "Educação e investigação",
    }),
    ("health", None, 40, {
        "zh-Hans": "医疗卫生", "zh-Hant": "醫療衛生", "en": "Health", "id": "Kesehatan",
        "ms": "Kesihatan", "th": "สุขภาพ", "vi": "Y tế", "fil": "Kalusugan",
        "km": "សុខាភិបាល", "lo": "ສາທາລະນະສຸກ", "my": "ကျန်းမာရေး", "tet": "Saúde",
        "pt": "Saúde",
    }),
    ("disaster-emergency", None, 50, {
        "zh-Hans": "灾害与应急", "zh-Hant": "災害與應急", "en": "Disaster & emergency",
        "id": "Bencana & kedaruratan", "ms": "Bencana & kecemasan",
        "th": "ภัยพิบัติและเหตุฉุกเฉิน", "vi": "Thiên tai & khẩn cấp",
        "fil": "Sakuna at emerhensiya", "km": "គ្រោះមហន្តរាយ និងភាពអាសន្ន",
        "lo": "ໄພພິບັດ ແລະ ເຫດສຸກເສີນ", "my": "ဘေးအန္တရာယ်နှင့် အရေးပေါ်အခြေအနေ",
        "tet": "Dezastre no emerjénsia", "pt": "Desastres e emergências",
    }),
    ("science-technology", None, 60, {
        "zh-Hans": "科学技术", "zh-Hant": "科學技術", "en": "Science & technology",
        "id": "Sains & teknologi", "ms": "Sains & teknologi",
        "th": "วิทยาศาสตร์และเทคโนโลยี", "vi": "Khoa học & công nghệ",
        "fil": "Agham at teknolohiya", "km": "វិទ្យាសាស្ត្រ និងបច្ចេកវិទ្យា",
        "lo": "ວິທະຍາສາດ ແລະ ເຕັກໂນໂລຊີ", "my": "သိပ္ပံနှင့် နည်းပညာ",
        "tet": "Siénsia no teknolojia", "pt": "Ciência e tecnologia",
    }),
    ("culture-media", None, 70, {
        "zh-Hans": "文化与传媒", "zh-Hant": "文化與傳媒", "en": "Culture & media",
        "id": "Budaya & media", "ms": "Kebudayaan & media", "th": "วัฒนธรรมและสื่อ",
        "vi": "Văn hóa & truyền thông", "fil": "Kultura at midya",
        "km": "វប្បធម៌ និងប្រព័ន្ធផ្សព្វផ្សាយ", "lo": "ວັດທະນະທຳ ແລະ ສື່ມວນຊົນ",
        "my": "ယဉ်ကျေးမှုနှင့် မီဒီယာ", "tet": "Kultura no média", "pt": "Cultura e média",
    }),
    ("infrastructure-connectivity", None, 80, {
        "zh-Hans": "基础设施与互联互通", "zh-Hant": "基礎設施與互聯互通",
        "en": "Infrastructure & connectivity", "id": "Infrastruktur & konektivitas",
        "ms": "Infrastruktur & kesalinghubungan",
        "th": "โครงสร้างพื้นฐานและความเชื่อมโยง", "vi": "Cơ sở hạ tầng & kết nối",
        "fil": "Imprastruktura at konektibidad", "km": "ហេដ្ឋារចនាសម្ព័ន្ធ និងការតភ្ជាប់",
        "lo": "ພື້ນຖານໂຄງລ່າງ ແລະ ການເຊື່ອມຕໍ່",
        "my": "အခြေခံအဆောက်အအုံနှင့် ချိတ်ဆက်မှု", "tet": "Infraestrutura no konetividade",
        "pt": "Infraestruturas e conectividade",
    }),
    ("agriculture", None, 90, {
        "zh-Hans": "农业", "zh-Hant": "農業", "en": "Agriculture", "id": "Pertanian",
        "ms": "Pertanian", "th": "การเกษตร", "vi": "Nông nghiệp", "fil": "Agrikultura",
        "km": "កសិកម្ម", "lo": "ກະສິກຳ", "my": "စိုက်ပျိုးရေး", "tet": "Agrikultura",
        "pt": "Agricultura",
    }),
    ("tourism", None, 100, {
        "zh-Hans": "旅游", "zh-Hant": "旅遊", "en": "Tourism", "id": "Pariwisata",
        "ms": "Pelancongan", "th": "การท่องเที่ยว", "vi": "Du lịch", "fil": "Turismo",
        "km": "ទេសចរណ៍", "lo": "ການທ່ອງທ່ຽວ", "my": "ခရီးသွားလုပ်ငန်း", "tet": "Turizmu",
        "pt": "Turismo",
    }),
    ("governance-policy", None, 110, {
        "zh-Hans": "治理与政策", "zh-Hant": "治理與政策", "en": "Governance & policy",
        "id": "Tata kelola & kebijakan", "ms": "Tadbir urus & dasar",
        "th": "การบริหารปกครองและนโยบาย", "vi": "Quản trị & chính sách",
        "fil": "Pamamahala at patakaran", "km": "អភិបាលកិច្ច និងគោលនយោបាយ",
        "lo": "ການປົກຄອງ ແລະ ນະໂຍບາຍ", "my": "အုပ်ချုပ်ရေးနှင့် မူဝါဒ",
        "tet": "Governasaun no polítika", "pt": "Governação e políticas públicas",
    }),
    ("ai", "science-technology", 10, {
        "zh-Hans": "人工智能", "zh-Hant": "人工智能", "en": "Artificial intelligence",
        "id": "Kecerdasan buatan", "ms": "Kecerdasan buatan", "th": "ปัญญาประดิษฐ์",
        "vi": "Trí tuệ nhân tạo", "fil": "Artipisyal na intelihensiya",
        "km": "បញ្ញាសិប្បនិម្មិត", "lo": "ປັນຍາປະດິດ", "my": "ဉာဏ်ရည်တု",
        "tet": "Intelijénsia artifisiál", "pt": "Inteligência artificial",
    }),
    ("5g", "science-technology", 20, dict.fromkeys(LANGS, "5G")),
    ("big-data", "science-technology", 30, {
        "zh-Hans": "大数据", "zh-Hant": "大數據", "en": "Big data", "id": "Big data",
        "ms": "Data raya", "th": "ข้อมูลขนาดใหญ่", "vi": "Dữ liệu lớn", "fil": "Big data",
        "km": "ទិន្នន័យធំ", "lo": "ຂໍ້ມູນຂະໜາດໃຫຍ່", "my": "ဒေတာကြီး", "tet": "Big data",
        "pt": "Megadados",
    }),
    ("blockchain", "science-technology", 40, {
        "zh-Hans": "区块链", "zh-Hant": "區塊鏈", "en": "Blockchain", "id": "Blockchain",
        "ms": "Rantaian blok", "th": "บล็อกเชน", "vi": "Chuỗi khối", "fil": "Blockchain",
        "km": "ប្លុកឆេន", "lo": "ບລັອກເຊນ", "my": "ဘလော့ခ်ချိန်း", "tet": "Blockchain",
        "pt": "Blockchain",
    }),
    ("cloud", "science-technology", 50, {
        "zh-Hans": "云计算", "zh-Hant": "雲計算", "en": "Cloud computing",
        "id": "Komputasi awan", "ms": "Pengkomputeran awan", "th": "คลาวด์คอมพิวติ้ง",
        "vi": "Điện toán đám mây", "fil": "Cloud computing", "km": "កុំព្យូទ័រពពក",
        "lo": "ຄລາວຄອມພິວຕິ້ງ", "my": "ကလောက်ကွန်ပျူတင်း", "tet": "Komputasaun kloud",
        "pt": "Computação em nuvem",
    }),
    ("iot", "science-technology", 60, {
        "zh-Hans": "物联网", "zh-Hant": "物聯網", "en": "Internet of Things",
        "id": "Internet of Things", "ms": "Internet Benda",
        "th": "อินเทอร์เน็ตของสรรพสิ่ง", "vi": "Internet vạn vật",
        "fil": "Internet of Things", "km": "អ៊ីនធឺណិតនៃវត្ថុ",
        "lo": "ອິນເຕີເນັດຂອງສັບພະສິ່ງ", "my": "အရာခပ်သိမ်း အင်တာနက်",
        "tet": "Internet ba Sasán", "pt": "Internet das coisas",
    }),
    ("smart-city", "science-technology", 70, {
        "zh-Hans": "智慧城市", "zh-Hant": "智慧城市", "en": "Smart city", "id": "Kota cerdas",
        "ms": "Bandar pintar", "th": "เมืองอัจฉริยะ", "vi": "Thành phố thông minh",
        "fil": "Matalinong lungsod", "km": "ទីក្រុងឆ្លាតវៃ", "lo": "ເມືອງອັດສະລິຍະ",
        "my": "စမတ်မြို့", "tet": "Sidade intelijente", "pt": "Cidade inteligente",
    }),
    ("telemedicine", "science-technology", 80, {
        "zh-Hans": "远程医疗", "zh-Hant": "遙距醫療", "en": "Telemedicine",
        "id": "Telemedisin", "ms": "Teleperubatan", "th": "การแพทย์ทางไกล",
        "vi": "Y tế từ xa", "fil": "Telemedisina", "km": "វេជ្ជសាស្ត្រពីចម្ងាយ",
        "lo": "ການແພດທາງໄກ", "my": "အဝေးမှ ဆေးကုသမှု", "tet": "Telemedisina",
        "pt": "Telemedicina",
    }),
]  # fmt: skip

# Source language tags (BCP 47 primary subtags) that map onto interface languages.
_TAG_TO_LANG: Names = {
    "en": "en", "id": "id", "ms": "ms", "th": "th", "vi": "vi", "fil": "fil", "tl": "fil",
    "km": "km", "lo": "lo", "my": "my", "tet": "tet", "pt": "pt",
}  # fmt: skip
_TRADITIONAL_CHINESE_AREAS = frozenset({"TW", "HK", "MO"})


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def clean(value: str | None) -> str:
    """Strip whitespace, including the no-break spaces the source uses for "empty"."""
    return (value or "").strip()


def fold(text: str) -> str:
    """Comparison key for names: no accents, case-folded ("TÜRKİYE" == "Türkiye")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


def flag_emoji(iso2: str) -> str:
    """The flag emoji: the two regional indicator symbols of the alpha-2 code."""
    return "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in iso2.upper())


def calling_code(raw: str) -> str | None:
    """Normalise the source's dialling code to digits only.

    The source writes NANP areas as "1-684", several codes as "1-809,1-829,1-849", the
    Vatican as "39-06" and adds footnote letters ("290 n", "381 p"). NANP areas keep their
    area code ("1684"); elsewhere the part after the hyphen is a trunk/area code, dropped.
    """
    first = clean(raw).split(",")[0].strip().split(" ")[0]
    if not first:
        return None
    country, _, area = first.partition("-")
    code = country + area if country == "1" else country
    return code if code.isdigit() else None


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def interface_languages(tags: str, iso2: str) -> list[str]:
    """Interface languages among the source's comma-separated language tags, in order."""
    found: list[str] = []
    for tag in clean(tags).split(","):
        parts = clean(tag).split("-")
        primary = parts[0].lower()
        if primary in {"zh", "cmn"}:
            traditional = iso2 in _TRADITIONAL_CHINESE_AREAS or (
                len(parts) > 1 and parts[1].upper() in {"TW", "HK", "MO", "HANT"}
            )
            code = "zh-Hant" if traditional else "zh-Hans"
        else:
            code = _TAG_TO_LANG.get(primary, "")
        if code and code not in found:
            found.append(code)
    return found


# ---------------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------------


def current_currency_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Current ISO 4217 entries (no withdrawal date) that carry a code."""
    return [r for r in rows if not clean(r["WithdrawalDate"]) and clean(r["AlphabeticCode"])]


def pick_currency(row: dict[str, str], numeric: str, by_entity: dict[str, str]) -> str | None:
    """The country's currency code.

    Where the source lists several ("INR,BTN", "SVC,USD") the national one, whose ISO 4217
    numeric code equals the country's ISO 3166 numeric code, is preferred, else the first.
    Where the source has none (it misses Türkiye after the renaming) the ISO 4217 list is
    looked up by the country's name.
    """
    codes = [clean(c) for c in row["ISO4217-currency_alphabetic_code"].split(",") if clean(c)]
    numbers = [clean(n) for n in row["ISO4217-currency_numeric_code"].split(",")]
    for code, number in zip(codes, numbers, strict=False):
        if number.zfill(3) == numeric:
            return code
    if codes:
        return codes[0]
    for column in ("ISO4217-currency_country_name", "official_name_en", "CLDR display name"):
        name = clean(row[column])
        if name and fold(name) in by_entity:
            return by_entity[fold(name)]
    return None


def build_countries(
    rows: list[dict[str, str]], currency_rows: list[dict[str, str]]
) -> list[Record]:
    by_entity = {fold(clean(r["Entity"])): clean(r["AlphabeticCode"]) for r in currency_rows}
    countries: list[Record] = []
    for row in rows:
        iso2 = clean(row["ISO3166-1-Alpha-2"]).upper()
        numeric = clean(row["ISO3166-1-numeric"]).zfill(3)
        region = REGION_COUNTRIES.get(iso2)
        if region is not None:
            names = {lang: region["names"][lang] for lang in LANGS}
            capital = {lang: region["capital"][lang] for lang in LANGS}
            languages = list(region["languages"])
            lat, lng = region["lat"], region["lng"]
        else:
            en = EN_NAME_OVERRIDES.get(iso2) or clean(row["CLDR display name"])
            zh = ZH_HANS_NAME_OVERRIDES.get(iso2) or clean(row["official_name_cn"])
            names = {"zh-Hans": zh, "en": en or clean(row["official_name_en"])}
            names = {lang: name for lang, name in names.items() if name}
            capital_en = clean(row["Capital"])
            capital = {"en": capital_en} if capital_en else {}
            languages = interface_languages(row["Languages"], iso2)
            lat = lng = None
        countries.append(
            {
                "iso2": iso2,
                "iso3": clean(row["ISO3166-1-Alpha-3"]).upper(),
                "numeric": numeric,
                "names": names,
                "capital": capital,
                "currency": pick_currency(row, numeric, by_entity),
                "languages": languages,
                "flag": flag_emoji(iso2),
                "calling_code": calling_code(row["Dial"]),
                "region_member": region is not None,
                "lat": lat,
                "lng": lng,
            }
        )
    countries.sort(key=lambda c: c["iso2"])
    return countries


def minor_units(raw: str) -> int | None:
    value = clean(raw)
    return int(value) if value.isdigit() else None  # "N.A." / "-" in the source


def build_currencies(currency_rows: list[dict[str, str]]) -> list[Record]:
    """One entry per current code; the "ZZnn_" pseudo-entities (precious metals, bond market
    units, the testing code XTS and "no currency" XXX) are left out."""
    currencies: dict[str, Record] = {}
    for row in currency_rows:
        code = clean(row["AlphabeticCode"])
        if clean(row["Entity"]).startswith("ZZ") or code in currencies:
            continue
        names: Names = {"en": clean(row["Currency"])}
        names.update(REGION_CURRENCIES.get(code, {}))
        currencies[code] = {
            "code": code,
            "numeric": clean(row["NumericCode"]).zfill(3),
            "minor_units": minor_units(row["MinorUnit"]),
            "names": {lang: names[lang] for lang in LANGS if lang in names},
        }
    return [currencies[code] for code in sorted(currencies)]


def build_languages() -> list[Record]:
    languages: list[Record] = []
    for spec in LANGUAGES:
        code = spec["code"]
        record = {key: spec[key] for key in ("code", "iso639_1", "iso639_3", "script")}
        record["native_name"] = spec["native_name"]
        record["names"] = {display: LANGUAGE_NAMES[display][code] for display in LANGS}
        record["direction"] = spec["direction"]
        record["spaced"] = spec["spaced"]
        languages.append(record)
    return languages


def build_sectors() -> list[Record]:
    return [
        {
            "slug": slug,
            "parent": parent,
            "order": order,
            "names": {lang: names[lang] for lang in LANGS},
        }
        for slug, parent, order, names in SECTORS
    ]


# ---------------------------------------------------------------------------------------------
# Checks and output
# ---------------------------------------------------------------------------------------------


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def check(data: dict[str, list[Record]]) -> list[str]:
    """Consistency checks; returns a list of problems (empty when all is well)."""
    problems: list[str] = []
    for name, records in data.items():
        for text in _strings(records):
            if not text or text != text.strip():
                problems.append(f"{name}: empty or padded string {text!r}")

    countries = data["countries"]
    iso2s = [c["iso2"] for c in countries]
    if len(set(iso2s)) != len(iso2s) or len(iso2s) < 245:
        problems.append(f"countries: {len(iso2s)} entries or duplicate codes")
    members = sorted(c["iso2"] for c in countries if c["region_member"])
    if members != sorted(REGION_COUNTRIES):
        problems.append(f"countries: region members are {members}")
    currency_codes = {c["code"] for c in data["currencies"]}
    for country in countries:
        wanted = LANGS if country["region_member"] else ("zh-Hans", "en")
        for field in ("names", "capital") if country["region_member"] else ("names",):
            missing = [lang for lang in wanted if lang not in country[field]]
            if missing:
                problems.append(f"countries: {country['iso2']} {field} lacks {missing}")
        if country["currency"] and country["currency"] not in currency_codes:
            problems.append(f"countries: {country['iso2']} currency {country['currency']}?")
        unknown = [lang for lang in country["languages"] if lang not in LANGS]
        if unknown:
            problems.append(f"countries: {country['iso2']} languages {unknown}?")

    languages = data["languages"]
    if [lang["code"] for lang in languages] != list(LANGS):
        problems.append("languages: not the thirteen interface languages in order")
    for language in languages:
        if list(language["names"]) != list(LANGS):
            problems.append(f"languages: {language['code']} names incomplete")

    for currency in data["currencies"]:
        if currency["code"] in REGION_CURRENCIES and list(currency["names"]) != list(LANGS):
            problems.append(f"currencies: {currency['code']} names incomplete")
    if not set(REGION_CURRENCIES) <= currency_codes:
        problems.append("currencies: a region currency is missing")

    slugs: set[str] = set()
    for sector in data["sectors"]:
        if sector["parent"] is not None and sector["parent"] not in slugs:
            problems.append(f"sectors: {sector['slug']} comes before its parent")
        if list(sector["names"]) != list(LANGS):
            problems.append(f"sectors: {sector['slug']} names incomplete")
        slugs.add(sector["slug"])
    if len(data["sectors"]) != 19 or len(slugs) != 19:
        problems.append(f"sectors: {len(data['sectors'])} entries, expected 19 distinct")
    return problems


def write_json(path: Path, records: list[Record]) -> None:
    text = json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--shared", type=Path, default=DEFAULT_SHARED,
        help="shared data folder holding ref-country-codes/ and ref-currency-codes/",
    )  # fmt: skip
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="folder the JSON files are written to"
    )
    args = parser.parse_args(argv)

    country_rows = read_csv(args.shared / COUNTRY_CSV)
    currency_rows = current_currency_rows(read_csv(args.shared / CURRENCY_CSV))
    data = {
        "countries": build_countries(country_rows, currency_rows),
        "languages": build_languages(),
        "currencies": build_currencies(currency_rows),
        "sectors": build_sectors(),
    }
    problems = check(data)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    for name, records in data.items():
        write_json(args.out / f"{name}.json", records)
        print(f"{name}.json: {len(records)} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
