import os

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def fetch_interval_minutes() -> int:
    """TRYGG_POLISEN_FETCH_MINUTES: how often the worker fetches the live police feed (0 = off)."""
    try:
        return max(0, int(os.environ.get("TRYGG_POLISEN_FETCH_MINUTES", "0") or 0))
    except ValueError:
        return 0


class ImportsConfig(AppConfig):
    name = "trygg.imports"
    label = "imports"
    verbose_name = _("Imports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        import datetime as dt

        from django.db.models.signals import post_save

        from trygg.core import schedule

        from .polisen import seed_on_category_created
        from .tasks import clean_uploads_scheduled

        post_save.connect(seed_on_category_created, sender="events.Category",
                          dispatch_uid="imports.seed_police_types")

        schedule.register(schedule.Job(
            name="imports.clean_uploads", enqueue=lambda: clean_uploads_scheduled.enqueue(),
            every=dt.timedelta(days=1),
        ))
        minutes = fetch_interval_minutes()
        if minutes:
            from .tasks import fetch_polisen_scheduled

            schedule.register(schedule.Job(
                name="imports.polisen_fetch",
                enqueue=lambda: fetch_polisen_scheduled.enqueue(),
                every=dt.timedelta(minutes=minutes),
                enabled=lambda: fetch_interval_minutes() > 0,
            ))
