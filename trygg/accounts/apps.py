from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "trygg.accounts"
    label = "accounts"
    verbose_name = _("Organisations and people")

    def ready(self):
        from . import audit, signals  # noqa: F401
        from .models import Collaboration, Membership, Organisation

        audit.track(Collaboration, Organisation, Membership)
