"""Fetching the live police events feed politely: a User-Agent naming Trygg, at least 10 s between
calls across every process (the last call time lives in the database), backoff on 429/403, and a
clear message when the network cannot be reached.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import time
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trygg.core.models import ScheduledRun

from . import runs
from .models import ImportRun

FEED_URL = "https://polisen.se/api/events"
MIN_INTERVAL = dt.timedelta(seconds=10)
THROTTLE_KEY = "throttle:polisen.se/api/events"
RETRIES = 3
BACKOFF_SECONDS = 30.0
TIMEOUT = 30
log = logging.getLogger("trygg.imports")

sleep = time.sleep  # tests replace these two with a fake clock
now = timezone.now


class FetchError(Exception):
    pass


def wait_for_slot() -> None:
    """Block until at least MIN_INTERVAL has passed since the last call by any process, then claim it."""
    while True:
        with transaction.atomic():
            state, _created = ScheduledRun.objects.select_for_update().get_or_create(name=THROTTLE_KEY)
            current = now()
            if state.last_run_at is None or current - state.last_run_at >= MIN_INTERVAL:
                state.last_run_at = current
                state.save(update_fields=["last_run_at"])
                return
            wait = (MIN_INTERVAL - (current - state.last_run_at)).total_seconds()
        sleep(max(0.05, wait))


def fetch_feed(location: str | None = None) -> bytes:
    """One call to the live feed (the latest 500 notices, or those of one location)."""
    url = FEED_URL + (f"?{urlencode({'locationname': location})}" if location else "")
    delay = BACKOFF_SECONDS
    for attempt in range(RETRIES + 1):
        wait_for_slot()
        request = Request(url, headers={"User-Agent": _user_agent(), "Accept": "application/json"})
        try:
            with urlopen(request, timeout=TIMEOUT) as response:
                return response.read()
        except HTTPError as exc:
            if exc.code in (429, 403) and attempt < RETRIES:
                retry_after = exc.headers.get("Retry-After") if exc.headers else None
                pause = float(retry_after) if retry_after and str(retry_after).isdigit() else delay
                log.warning("police feed answered %s; waiting %.0f s", exc.code, pause)
                sleep(pause)
                delay *= 2
                continue
            raise FetchError(_("The police events feed answered %(code)d (%(reason)s). Try again later.")
                             % {"code": exc.code, "reason": exc.reason}) from exc
        except (URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise FetchError(_("The police events feed could not be reached (%(reason)s). Check the network "
                               "connection; nothing was imported.") % {"reason": reason}) from exc
    raise FetchError(_("The police events feed kept refusing; nothing was imported."))


def _user_agent() -> str:
    return f"Trygg/0.1 (open-source local crime prevention; +{settings.BASE_URL})"


def default_locations(collaboration) -> list[str]:
    if collaboration.boundary_id:
        return [collaboration.boundary.name]
    return [collaboration.name]


def import_bytes(collaboration, data: bytes, *, source: str, include_summaries=False, all_municipalities=False,
                 user=None):
    from .polisen import import_polisen

    run = runs.start_run(collaboration, ImportRun.Kind.POLISEN, source=source, user=user,
                         options={"fetch": True, "include_summaries": include_summaries,
                                  "all_municipalities": all_municipalities})
    out = import_polisen(run, io.BytesIO(data), size=len(data), include_summaries=include_summaries,
                         all_municipalities=all_municipalities)
    return run, out


def fetch_and_import(collaboration, *, locations: list[str] | None = None, include_summaries=False,
                     all_municipalities=False, user=None):
    """Fetch the feed (per location; the whole feed with ``all_municipalities``) and import it."""
    if locations is None:
        locations = [None] if all_municipalities else default_locations(collaboration)
    results = []
    for location in locations:
        data = fetch_feed(location)
        source = FEED_URL + (f"?locationname={location}" if location else "")
        results.append(import_bytes(collaboration, data, source=source, include_summaries=include_summaries,
                                    all_municipalities=all_municipalities or bool(location), user=user))
    return results


def scheduled_fetch() -> dict:
    """The worker's periodic job: one call for the whole feed, imported into every collaboration
    that has not switched it off (``settings["polisen_fetch"] = false``); each takes its own
    municipality's notices, or all of them with ``settings["polisen_all"]``."""
    from trygg.accounts.models import Collaboration

    collaborations = [c for c in Collaboration.objects.all() if (c.settings or {}).get("polisen_fetch", True)]
    if not collaborations:
        return {}
    try:
        data = fetch_feed(None)
    except FetchError as exc:
        log.warning("scheduled police fetch: %s", exc)
        # Each collaboration's coordinators see the failure in their list of imports.
        for collab in collaborations:
            run = runs.start_run(collab, ImportRun.Kind.POLISEN, source=FEED_URL,
                                 options={"fetch": True, "scheduled": True})
            runs.finish_run(run, status=ImportRun.Status.FAILED, error=str(exc))
        return {"error": str(exc)}
    result = {}
    for collab in collaborations:
        try:
            run, _out = import_bytes(collab, data, source=FEED_URL,
                                     all_municipalities=bool((collab.settings or {}).get("polisen_all")))
            run.refresh_from_db()
            result[collab.slug] = run.counts
        except Exception as exc:  # one collaboration's trouble must not stop the others
            log.exception("scheduled police import for %s failed", collab.slug)
            result[collab.slug] = {"error": str(exc)}
    return result
