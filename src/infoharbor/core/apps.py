from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "infoharbor.core"
    label = "core"
    verbose_name = "Harbor core"

    def ready(self) -> None:
        from infoharbor.core import refdata

        # Reference data follows the schema: every migrate (including the test database's)
        # leaves the countries, languages, currencies and sectors in place. The load is an
        # idempotent upsert, so running it again changes nothing.
        post_migrate.connect(refdata.load_after_migrate, sender=self)
