from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisDbConfig(AppConfig):
    name = "trygg.analysis_db"
    label = "analysis_db"
    verbose_name = _("Analysis")

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)
