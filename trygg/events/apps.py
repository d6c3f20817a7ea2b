from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "trygg.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self):
        from trygg.accounts import audit

        from . import signals  # noqa: F401  (seeds the categories of every new collaboration)
        from .models import Category

        audit.track(Category)
