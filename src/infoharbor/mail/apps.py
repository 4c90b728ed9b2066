from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "infoharbor.mail"
    label = "mail"
    verbose_name = _("Mail")

    def ready(self) -> None:
        from infoharbor.mail import queries, tasks
        from infoharbor.subscriptions import deliveries

        tasks.connect()
        deliveries.register(queries.deliveries)
