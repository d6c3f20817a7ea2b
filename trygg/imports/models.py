"""Import runs (who, when, what, counts, progress), their rejected rows, and the police type mapping.

Every import — police feed, spreadsheet, boundary file — is one :class:`ImportRun`; the plain
functions in :mod:`trygg.imports.runs` create and finish them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportRun(models.Model):
    class Kind(models.TextChoices):
        POLISEN = "polisen", _("Police events feed")
        TABLE = "table", _("Spreadsheet")
        BOUNDARY = "boundary", _("Boundary file")
        PLACES = "places", _("Named places")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        INTERRUPTED = "interrupted", _("Interrupted")

    FINISHED = (Status.DONE, Status.FAILED, Status.INTERRUPTED)
    COUNTS = ("read", "created", "updated", "unchanged", "rejected", "skipped")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaboration = models.ForeignKey(
        "accounts.Collaboration", verbose_name=_("collaboration"), on_delete=models.CASCADE,
        related_name="import_runs",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="import_runs",
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="import_runs",
    )
    # Who started it when no Trygg user did (the command line, the worker): the operating-system user.
    started_by_name = models.CharField(_("started by (name)"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=300, blank=True)
    filename = models.CharField(_("file name"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)

    read = models.PositiveIntegerField(_("read"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    skipped = models.PositiveIntegerField(
        _("skipped"), default=0, help_text=_("Rows left out on purpose (summaries, other municipalities).")
    )

    progress_done = models.PositiveIntegerField(_("rows done"), default=0)
    progress_total = models.PositiveIntegerField(_("rows in total"), null=True, blank=True)

    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration = models.DurationField(_("duration"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The process running it: a run of a process gone from this host is interrupted at once.
    pid = models.PositiveIntegerField(null=True, blank=True)
    hostname = models.CharField(max_length=255, blank=True)

    error = models.TextField(_("error"), blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    # Resume point: rows (or records) of the source already committed, e.g. {"offset": 4000}.
    checkpoint = models.JSONField(_("checkpoint"), default=dict, blank=True)
    # What to show after the run, e.g. {"unmapped_types": {"Sjölagen": 10}}.
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["collaboration", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def who(self) -> str:
        """The Trygg user who started the run, or the operating-system user (command line, worker)."""
        from django.utils.translation import gettext

        if self.started_by_id:
            return str(self.started_by)
        if self.started_by_name:
            return gettext("%(name)s (operating-system user)") % {"name": self.started_by_name}
        return gettext("the system")

    @property
    def can_resume(self) -> bool:
        """Interrupted or failed, and its source file is still there."""
        import os

        path = (self.options or {}).get("path")
        return self.status in (self.Status.INTERRUPTED, self.Status.FAILED) and bool(path) and os.path.exists(path)

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, int(100 * self.progress_done / self.progress_total))

    @property
    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.COUNTS}


class RejectedRow(models.Model):
    """One row (or notice, or feature) an import could not take, with the reason."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rejected_rows")
    row = models.PositiveIntegerField(_("row"), help_text=_("Row, notice or feature number in the source (from 1)."))
    field = models.CharField(_("field"), max_length=100, blank=True)
    reason = models.TextField(_("reason"))
    raw = models.TextField(_("raw content"), blank=True)

    class Meta:
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        ordering = ["run", "row", "pk"]
        indexes = [models.Index(fields=["run", "row"])]

    def __str__(self) -> str:
        return f"{self.row}: {self.reason}"


class PoliceTypeMapping(models.Model):
    """Which category a police notice type (e.g. "Skadegörelse") lands in, per collaboration."""

    collaboration = models.ForeignKey(
        "accounts.Collaboration", verbose_name=_("collaboration"), on_delete=models.CASCADE,
        related_name="police_type_mappings",
    )
    police_type = models.CharField(_("police notice type"), max_length=100)
    category = models.ForeignKey(
        "events.Category", verbose_name=_("category"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("police type mapping")
        verbose_name_plural = _("police type mappings")
        ordering = ["collaboration", "police_type"]
        constraints = [
            models.UniqueConstraint(fields=["collaboration", "police_type"], name="policetype_unique_per_collab")
        ]

    def __str__(self) -> str:
        return f"{self.police_type} → {self.category}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.category_id and self.collaboration_id and self.category.collaboration_id != self.collaboration_id:
            raise ValidationError({"category": _("Category: choose a category of this collaboration.")})



class HeldIndex(models.Model):
    """An index or foreign key of the events tables set aside while a large import loads.

    Written in the same transaction that drops it, so a killed import leaves a record from which
    :func:`trygg.imports.bulk_load.release` puts it back (see docs/imports.md, "Large files").
    """

    class Kind(models.TextChoices):
        INDEX = "index", _("Index")
        FOREIGN_KEY = "fk", _("Foreign key")

    run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    table = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    definition = models.TextField()
    held_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("index set aside during an import")
        verbose_name_plural = _("indexes set aside during imports")
        constraints = [models.UniqueConstraint(fields=["table", "name"], name="heldindex_unique_name")]

    def __str__(self) -> str:
        return f"{self.table}.{self.name}"

from .mapping import ImportMapping  # noqa: E402,F401  (spreadsheet column mappings live in mapping.py)
