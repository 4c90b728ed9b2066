"""Lao (Laos), after CLDR ``lo``: "3 ທັນວາ 2026, 15:04"."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "G:i"
DATETIME_FORMAT = "j F Y, G:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j/n/Y"
SHORT_DATETIME_FORMAT = "j/n/Y, G:i"
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
# CLDR lo: 1.234.567,89.
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
