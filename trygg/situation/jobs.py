"""The Monday-morning draft: a weekly job at TRYGG_DRAFT_TIME (default 06:00 Stockholm time), plus a
quarter-hourly catch-up for collaborations with their own draft time. Both enqueue the same
idempotent task, which drafts last week's picture once per collaboration."""

from __future__ import annotations

import datetime as dt

from trygg.core import schedule


def register_jobs() -> None:
    from .tasks import default_draft_time, draft_due_task

    schedule.register(schedule.Job(
        name="situation.monday_draft", enqueue=lambda: draft_due_task.enqueue(),
        weekday=0, at=default_draft_time()))
    schedule.register(schedule.Job(
        name="situation.monday_draft_catch_up", enqueue=lambda: draft_due_task.enqueue(),
        every=dt.timedelta(minutes=15), enabled=_custom_times_today))


def _custom_times_today() -> bool:
    from django.utils import timezone

    from .models import SituationSettings

    return timezone.localtime().weekday() == 0 and SituationSettings.objects.filter(draft_time__isnull=False).exists()
