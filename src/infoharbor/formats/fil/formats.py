"""Filipino (the Philippines), after CLDR ``fil``: "Disyembre 3, 2026, 3:04 PM"."""

DATE_FORMAT = "F j, Y"
TIME_FORMAT = "g:i A"
DATETIME_FORMAT = "F j, Y, g:i A"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "F j"
SHORT_DATE_FORMAT = "n/j/Y"
SHORT_DATETIME_FORMAT = "n/j/Y, g:i A"
FIRST_DAY_OF_WEEK = 0  # Sunday
# ISO 8601 first: Django writes a form's initial date in the first input format, and the
# portal's date fields are <input type="date">, which takes only ISO 8601. Typed dates are
# read month first, as the short date is written.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
