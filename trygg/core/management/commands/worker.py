"""``trygg worker``: runs background tasks from the database queue, and the periodic jobs."""

from __future__ import annotations

import os
import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from trygg.core import schedule


class Command(BaseCommand):
    help = "Run the background worker (imports, mail, scheduled drafts) with its scheduler."

    def add_arguments(self, parser):
        parser.add_argument("--no-scheduler", action="store_true", help="only run queued tasks")
        parser.add_argument("--once", action="store_true", help="run due jobs and queued tasks, then exit")

    def handle(self, *args, no_scheduler=False, once=False, **options):
        tick = int(os.environ.get("TRYGG_SCHEDULER_TICK", "60"))
        if once:
            names = schedule.run_due()
            self.stdout.write(f"enqueued: {', '.join(names) or 'nothing'}")
            call_command("db_worker", "--batch", "--no-startup-delay", verbosity=options.get("verbosity", 1))
            return
        if not no_scheduler:
            def loop():
                while True:
                    try:
                        schedule.run_due()
                    except Exception as exc:  # keep the scheduler alive through DB hiccups
                        self.stderr.write(f"scheduler: {exc}")
                    time.sleep(tick)

            threading.Thread(target=loop, name="trygg-scheduler", daemon=True).start()
            self.stdout.write(f"scheduler: {len(schedule.JOBS)} periodic job(s), checked every {tick}s")
        call_command("db_worker", "--no-startup-delay", verbosity=options.get("verbosity", 1))
