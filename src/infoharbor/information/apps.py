from django.apps import AppConfig


class InformationConfig(AppConfig):
    name = "infoharbor.information"
    label = "information"
    verbose_name = "Information sharing"

    def ready(self) -> None:
        from infoharbor.information import kinds

        kinds.register_all()
