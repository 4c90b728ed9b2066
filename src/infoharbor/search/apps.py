from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "infoharbor.search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from infoharbor.search import indexer

        indexer.connect()
        # Each app says what of its entries is searchable in its own search.py.
        autodiscover_modules("search")
