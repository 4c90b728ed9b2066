from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "infoharbor.api"
    label = "harbor_api"
    verbose_name = "API"
