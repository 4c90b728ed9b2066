"""Tetum (Timor-Leste): "3 Dezembru 2026, 15:04".

CLDR has only a seed locale for Tetum, without date patterns; these follow the usage of
Timor-Leste, which writes dates and numbers the Portuguese way (CLDR ``pt_TL``): day first,
the 24-hour clock, weeks from Monday, a decimal comma.
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
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
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
