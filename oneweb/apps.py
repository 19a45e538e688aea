"""App config for the project package (it owns API tokens and the serve/embedded-services commands)."""

from django.apps import AppConfig


class OnewebConfig(AppConfig):
    name = "oneweb"
    default_auto_field = "django.db.models.BigAutoField"
