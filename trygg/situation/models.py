"""The weekly lägesbild: a working copy per collaboration × ISO week (draft numbers, the meeting's
assessment, priorities, decisions) and its frozen published versions; settings per collaboration;
the statutory action plan (åtgärdsplan).

Every editable row carries a ``version`` counter: a save names the version it was based on and
fails (never overwrites) when someone else saved in between — see :mod:`.editing`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


class Variant(models.TextChoices):
    FULL = "full", _("Full version")
    PARTNER = "partner", _("Partner version")
    FEEDBACK = "feedback", _("Feedback to reporters")


class DecisionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


DEFAULT_CRITERIA = {
    Status.GREEN: _("Normal situation: no more events than usual, nothing serious."),
    Status.YELLOW: _("Elevated: more events than usual or a worrying development; watch closely."),
    Status.RED: _("Serious: violence, threats or a clear escalation; joint action needed now."),
}


class SituationSettings(models.Model):
    """Per collaboration: status criteria, the feedback suppression threshold, the draft time."""

    collaboration = models.OneToOneField("accounts.Collaboration", on_delete=models.CASCADE,
                                         related_name="situation_settings")
    criteria_green = models.TextField(_("criteria for green"), blank=True)
    criteria_yellow = models.TextField(_("criteria for yellow"), blank=True)
    criteria_red = models.TextField(_("criteria for red"), blank=True)
    feedback_threshold = models.PositiveSmallIntegerField(
        _("suppress counts below"), default=3,
        help_text=_("In the feedback version, counts below this number are shown as “<N”."))
    draft_time = models.TimeField(_("time of the Monday draft"), null=True, blank=True,
                                  help_text=_("Stockholm time. Empty: the server default (TRYGG_DRAFT_TIME)."))

    class Meta:
        verbose_name = _("lägesbild settings")
        verbose_name_plural = _("lägesbild settings")

    def criteria(self) -> dict[str, str]:
        own = {Status.GREEN: self.criteria_green, Status.YELLOW: self.criteria_yellow, Status.RED: self.criteria_red}
        return {s.value: str(own[s] or DEFAULT_CRITERIA[s]) for s in Status}

    @classmethod
    def for_collaboration(cls, collaboration) -> "SituationSettings":
        obj, _created = cls.objects.get_or_create(collaboration=collaboration)
        return obj


class WeekPicture(models.Model):
    """The working copy of one week's lägesbild."""

    collaboration = models.ForeignKey("accounts.Collaboration", on_delete=models.CASCADE,
                                      related_name="week_pictures")
    iso_week = models.IntegerField(_("ISO week"))  # yyyyww
    level = models.CharField(max_length=40, blank=True, help_text="area type code the areas are taken from")
    draft = models.JSONField(default=dict, blank=True)  # full-scope numbers, see draft.py
    drafted_at = models.DateTimeField(null=True, blank=True)
    auto_drafted = models.BooleanField(default=False)
    priorities_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("weekly lägesbild")
        verbose_name_plural = _("weekly lägesbilder")
        ordering = ["-iso_week"]
        constraints = [models.UniqueConstraint(fields=["collaboration", "iso_week"], name="weekpicture_unique")]

    def __str__(self) -> str:
        return f"{self.collaboration} {self.week_label}"

    @property
    def week_label(self) -> str:
        return f"{self.iso_week // 100}-W{self.iso_week % 100:02d}"

    @property
    def week_number(self) -> int:
        return self.iso_week % 100

    @property
    def monday(self) -> dt.date:
        return dt.date.fromisocalendar(self.iso_week // 100, self.iso_week % 100, 1)

    def latest_version(self):
        return self.versions.order_by("-number").first()


class AreaAssessment(models.Model):
    picture = models.ForeignKey(WeekPicture, on_delete=models.CASCADE, related_name="assessments")
    area = models.ForeignKey("areas.Area", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, blank=True)
    text = models.TextField(_("assessment"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["area__code", "area__name"]
        constraints = [models.UniqueConstraint(fields=["picture", "area"], name="assessment_unique_area")]


class PriorityItem(models.Model):
    """One entry of the ordered focus list for the coming week: an area, a named place or free text."""

    picture = models.ForeignKey(WeekPicture, on_delete=models.CASCADE, related_name="priorities")
    position = models.PositiveIntegerField(default=0)
    area = models.ForeignKey("areas.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    place = models.ForeignKey("areas.Place", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("focus"), max_length=200, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    @property
    def label(self) -> str:
        name = self.place.name if self.place_id else self.area.name if self.area_id else ""
        return f"{name} – {self.note}" if name and self.note else name or self.note


class Decision(models.Model):
    picture = models.ForeignKey(WeekPicture, on_delete=models.CASCADE, related_name="decisions")
    text = models.CharField(_("decision"), max_length=300)
    organisation = models.ForeignKey("accounts.Organisation", verbose_name=_("responsible organisation"),
                                     on_delete=models.PROTECT, related_name="+")
    due = models.DateField(_("due date"))
    area = models.ForeignKey("areas.Area", verbose_name=_("area"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    # Interventions do not exist yet: a plain reference to be linked when they do.
    intervention_uuid = models.UUIDField(_("intervention"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=DecisionStatus.choices,
                              default=DecisionStatus.OPEN)
    follow_up = models.CharField(_("follow-up"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due", "pk"]


class PublishedVersion(models.Model):
    """A frozen version: its numbers (JSON per variant) and its rendered documents (below)."""

    picture = models.ForeignKey(WeekPicture, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    change_note = models.TextField(_("change note"), blank=True)
    snapshots = models.JSONField(default=dict)  # variant → numbers and texts as published
    search_text = models.TextField(blank=True)  # assessments and decisions, for the history search

    class Meta:
        ordering = ["-picture__iso_week", "-number"]
        constraints = [models.UniqueConstraint(fields=["picture", "number"], name="version_unique_number")]

    def __str__(self) -> str:
        return f"{self.picture} v{self.number}"


class PublishedDocument(models.Model):
    """The bytes served for one version × variant × language: never re-rendered."""

    version = models.ForeignKey(PublishedVersion, on_delete=models.CASCADE, related_name="documents")
    variant = models.CharField(max_length=10, choices=Variant.choices)
    language = models.CharField(max_length=8)
    fragment = models.TextField()  # the document body shown inside the site's page
    html = models.TextField()  # the standalone print page
    pdf = models.BinaryField(null=True)  # rendered from ``html`` right after publication (task)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "variant", "language"], name="document_unique")]


# --- the statutory action plan (Lag 2023:196) -------------------------------------------------------
class ActionPlan(models.Model):
    collaboration = models.ForeignKey("accounts.Collaboration", on_delete=models.CASCADE, related_name="action_plans")
    title = models.CharField(_("title"), max_length=200)
    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["-period_from"]

    def __str__(self) -> str:
        return self.title


class ActionItem(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="items")
    problem = models.CharField(_("identified problem"), max_length=300)
    area = models.ForeignKey("areas.Area", verbose_name=_("area"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    category = models.ForeignKey("events.Category", verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    measures = models.TextField(_("planned measures"))
    owner = models.ForeignKey("accounts.Organisation", verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="+")
    follow_up = models.DateField(_("follow-up date"))
    status = models.CharField(_("status"), max_length=10, choices=DecisionStatus.choices,
                              default=DecisionStatus.OPEN)

    class Meta:
        ordering = ["follow_up", "pk"]
