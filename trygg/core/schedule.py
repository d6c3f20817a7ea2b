"""Periodic jobs for the worker: "every N seconds" or "weekly on a weekday at a local time".

Apps register jobs in their AppConfig.ready(); ``trygg worker`` checks them every
``TRYGG_SCHEDULER_TICK`` seconds and enqueues the due ones on the DB-backed task queue. The last
run is claimed with a conditional UPDATE, so two workers never both enqueue the same run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

log = logging.getLogger("trygg.schedule")
STOCKHOLM = ZoneInfo("Europe/Stockholm")


@dataclass
class Job:
    name: str
    enqueue: Callable[[], object]  # e.g. lambda: some_task.enqueue()
    every: dt.timedelta | None = None
    weekday: int | None = None  # 0 = Monday
    at: dt.time | None = None  # local Stockholm time
    enabled: Callable[[], bool] = lambda: True

    def due(self, now: dt.datetime, last: dt.datetime | None) -> bool:
        if not self.enabled():
            return False
        if self.every is not None:
            return last is None or now - last >= self.every
        local = now.astimezone(STOCKHOLM)
        if local.weekday() != self.weekday or local.time() < self.at:
            return False
        slot = dt.datetime.combine(local.date(), self.at, STOCKHOLM)
        return last is None or last < slot


JOBS: dict[str, Job] = {}


def register(job: Job) -> Job:
    JOBS[job.name] = job
    return job


def run_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every due job once; return the names enqueued."""
    from .models import ScheduledRun

    now = now or timezone.now()
    ran = []
    for job in list(JOBS.values()):
        with transaction.atomic():
            state, _created = ScheduledRun.objects.get_or_create(name=job.name)
            if not job.due(now, state.last_run_at):
                continue
            claimed = ScheduledRun.objects.filter(pk=state.pk, last_run_at=state.last_run_at).update(last_run_at=now)
            if state.last_run_at is None:
                claimed = ScheduledRun.objects.filter(pk=state.pk).update(last_run_at=now)
            if not claimed:
                continue
        try:
            job.enqueue()
            ran.append(job.name)
        except Exception:  # a broken job must not stop the others
            log.exception("scheduled job %s failed to enqueue", job.name)
    return ran
