"""Burmese (Myanmar), after CLDR ``my``: year first, "2026 ဒီဇင်ဘာ 3 15:04".

CLDR writes Burmese numbers in Myanmar digits; Django's date and number filters write Latin
digits, which Burmese pages read without trouble (and which search and copy-paste keep).
"""

DATE_FORMAT = "Y F j"
TIME_FORMAT = "G:i"
DATETIME_FORMAT = "Y F j G:i"
YEAR_MONTH_FORMAT = "Y F"
MONTH_DAY_FORMAT = "F j"
SHORT_DATE_FORMAT = "j/n/Y"
SHORT_DATETIME_FORMAT = "j/n/Y G:i"
FIRST_DAY_OF_WEEK = 0  # Sunday
# ISO 8601 first: Django writes a form's initial date in the first input format, and the
# portal's date fields are <input type="date">, which takes only ISO 8601. Typed dates are
# read day first, as the short date is written.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
