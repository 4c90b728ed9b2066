from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "infoharbor.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from infoharbor.subscriptions import deliveries, outbox
        from infoharbor.webhooks import fanout, queries

        outbox.on_matched(fanout.on_matched)
        deliveries.register(queries.subscription_deliveries)
