"""Background work (django-tasks): the Monday drafts and the e-mails sent on publication."""

from __future__ import annotations

import datetime as dt
import logging
import os

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

log = logging.getLogger("trygg.situation")


def default_draft_time() -> dt.time:
    raw = os.environ.get("TRYGG_DRAFT_TIME", "06:00")
    try:
        return dt.time.fromisoformat(raw)
    except ValueError:
        log.warning("TRYGG_DRAFT_TIME=%r is not HH:MM; using 06:00", raw)
        return dt.time(6, 0)


def draft_due(now: dt.datetime | None = None) -> list[str]:
    """Draft last week's picture for every collaboration whose Monday draft time has passed this
    week and whose last week has not been drafted automatically yet. Idempotent."""
    from trygg.accounts.models import Collaboration

    from .draft import current_week_key, previous_week
    from .models import SituationSettings, WeekPicture
    from .service import draft

    now = now or timezone.now()
    local = timezone.localtime(now)
    monday = local.date() - dt.timedelta(days=local.weekday())
    last_week = previous_week(current_week_key(now))
    done = []
    own_times = dict(SituationSettings.objects.filter(draft_time__isnull=False)
                     .values_list("collaboration_id", "draft_time"))
    for collab in Collaboration.objects.order_by("pk"):
        at = own_times.get(collab.pk) or default_draft_time()
        due_at = dt.datetime.combine(monday, at, local.tzinfo)
        if local < due_at:
            continue
        if WeekPicture.objects.filter(collaboration=collab, iso_week=last_week, auto_drafted=True).exists():
            continue
        try:
            draft(collab, last_week, auto=True)
            done.append(collab.slug)
        except Exception:  # one collaboration's failure must not stop the others
            log.exception("Monday draft failed for %s", collab.slug)
    return done


@task()
def draft_due_task() -> list[str]:
    return draft_due()


def recipients(version) -> list[tuple[str, str, str]]:
    """(e-mail, variant, url path) for the partner contacts and the week's reporters."""
    from trygg.accounts.models import User
    from trygg.events.models import Event, Report

    from .models import Variant

    picture = version.picture
    collab = picture.collaboration
    args = [picture.week_label, version.number]
    partner_path = reverse("situation:version", args=args)
    feedback_path = reverse("situation:version_variant", args=[*args, Variant.FEEDBACK])
    out: dict[str, tuple[str, str, str]] = {}
    for email in collab.organisations.exclude(contact_email="").order_by("name").values_list("contact_email", flat=True):
        out.setdefault(email.lower(), (email, Variant.PARTNER, partner_path))
    monday = picture.monday
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(monday, dt.time(), tz)
    end = start + dt.timedelta(days=7)
    by_event = Event.objects.filter(collaboration=collab, iso_week=picture.iso_week, report__isnull=False) \
        .values("report__created_by")
    by_report = Report.objects.filter(collaboration=collab, created_at__gte=start, created_at__lt=end) \
        .values("created_by")
    users = User.objects.filter(is_active=True).filter(pk__in=by_event) | \
        User.objects.filter(is_active=True).filter(pk__in=by_report)
    for user in users.distinct().order_by("pk"):
        if user.email and user.memberships_in(collab):
            out.setdefault(user.email.lower(), (user.email, Variant.FEEDBACK, feedback_path))
    return list(out.values())


def send_version_mail(version) -> int:
    picture = version.picture
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Lägesbild week %(week)s published – %(name)s") % {
            "week": picture.week_number, "name": picture.collaboration.name}
        if version.number > 1:
            subject += " " + _("(version %(n)s)") % {"n": version.number}
        for email, variant, path in recipients(version):
            url = settings.BASE_URL + path
            if variant == "feedback":
                body = _("Thank you for your reports. Here is what came out of them: the feedback version of the "
                         "lägesbild for week %(week)s.\n\n%(url)s\n\nLog in to read it.") % {
                    "week": picture.week_number, "url": url}
            else:
                body = _("The lägesbild for week %(week)s is published.\n\n%(url)s\n\nLog in to read it; you see "
                         "the version your organisation may see.") % {"week": picture.week_number, "url": url}
            if version.change_note:
                body += "\n\n" + _("Change note: %(note)s") % {"note": version.change_note}
            EmailMessage(subject, body, to=[email]).send()
            sent += 1
    return sent


@task()
def send_publication(version_id: int) -> int:
    from .models import PublishedVersion

    version = PublishedVersion.objects.select_related("picture__collaboration").get(pk=version_id)
    return send_version_mail(version)


@task()
def finish_publication(version_id: int, send: bool = True) -> int:
    """After publication: render the stored HTML to PDF (once), then e-mail the recipients."""
    from .models import PublishedVersion
    from .publish import render_pdfs

    version = PublishedVersion.objects.select_related("picture__collaboration").get(pk=version_id)
    render_pdfs(version)
    return send_version_mail(version) if send else 0
