from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "infoharbor.portal"
    label = "portal"
    verbose_name = "Portal"
