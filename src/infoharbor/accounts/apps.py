from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "infoharbor.accounts"
    label = "accounts"
    verbose_name = "People and organizations"
