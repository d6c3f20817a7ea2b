from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "trygg.areas"
    label = "areas"
    verbose_name = _("Areas")

    def ready(self):
        from trygg.accounts import audit

        from .models import Area, AreaType, Place

        audit.track(AreaType, Area, Place)
