"""Date, time and number formats for the interface languages Django has none for.

``settings.FORMAT_MODULE_PATH`` points here. Django looks for ``<locale>/formats.py`` in this
package first and falls back to its own ``django.conf.locale.<locale>.formats``, then to the
settings' defaults (English), which is what Filipino, Lao, Burmese and Tetum pages showed
before. The patterns follow CLDR (the long date, the short date with a four-digit year, the
24-hour or 12-hour clock of each country, the first day of the week, the number symbols).
Syntax: https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#date
"""
