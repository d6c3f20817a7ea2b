"""Receivers that keep weekly counts and the data version in step with every event change."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from trygg.events.models import Event

from .counts import mark_changed

try:  # the write path's batch signal (bulk inserts and area backfills send no model signals)
    from trygg.events.services import events_changed
except ImportError:  # pragma: no cover - older core without the hook
    events_changed = None


if events_changed is not None:
    @receiver(events_changed, dispatch_uid="analysis_db.events_changed")
    def _on_batch(sender, collaboration_id, weeks, **kwargs):
        mark_changed(collaboration_id, weeks)


@receiver(pre_save, sender=Event, dispatch_uid="analysis_db.event_pre_save")
def _remember_old_week(sender, instance: Event, raw=False, **kwargs):
    if instance.pk and not raw:
        instance._analysis_old_week = (
            Event.objects.filter(pk=instance.pk).values_list("iso_week", flat=True).first()
        )


@receiver(post_save, sender=Event, dispatch_uid="analysis_db.event_post_save")
def _on_save(sender, instance: Event, created, raw=False, **kwargs):
    mark_changed(instance.collaboration_id, {instance.iso_week, getattr(instance, "_analysis_old_week", None)})


@receiver(post_delete, sender=Event, dispatch_uid="analysis_db.event_post_delete")
def _on_delete(sender, instance: Event, **kwargs):
    mark_changed(instance.collaboration_id, {instance.iso_week}, create=False)
