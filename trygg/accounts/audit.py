"""The audit log: who created, changed, deleted, exported — and who read restricted material.

Views and services call :func:`record`. Models registered with :func:`track` are logged on
save and delete wherever the change comes from (admin, shell, API), with the acting user taken
from the request context set by :class:`trygg.accounts.middleware.AuditContextMiddleware`.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable

from django.db.models.signals import post_delete, post_save

current_actor: contextvars.ContextVar = contextvars.ContextVar("trygg_actor", default=None)
current_ip: contextvars.ContextVar = contextvars.ContextVar("trygg_ip", default=None)
# The request being served: its ``user`` is read when an entry is written, so that a user set
# later in the request (an API token sets ``request.user`` inside the view) is still the actor.
current_request: contextvars.ContextVar = contextvars.ContextVar("trygg_request", default=None)


def context_actor():
    request = current_request.get()
    if request is not None:
        return getattr(request, "user", None)
    return current_actor.get()


def _collaboration_id(obj) -> int | None:
    from .models import Collaboration

    if isinstance(obj, Collaboration):
        return obj.pk
    if hasattr(obj, "collaboration_id"):
        return obj.collaboration_id
    org = getattr(obj, "organisation", None)
    return getattr(org, "collaboration_id", None) if org is not None else None


def record(action: str, obj=None, *, actor=None, collaboration=None, detail: dict | None = None,
           object_type: str | None = None, object_id: str | None = None, ip: str | None = None):
    from .models import AuditLog

    actor = actor if actor is not None else context_actor()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if collaboration is None and obj is not None:
        collaboration_id = _collaboration_id(obj)
    else:
        collaboration_id = getattr(collaboration, "pk", collaboration)
    entry = AuditLog(
        actor=actor,
        actor_label=(actor.get_username() if actor is not None else "system")[:150],
        collaboration_id=collaboration_id,
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(object_id if object_id is not None else getattr(obj, "uuid", getattr(obj, "pk", "")) or ""),
        object_label=str(obj)[:200] if obj is not None else "",
        detail=detail or {},
        ip=ip or current_ip.get(),
    )
    # One plain INSERT where the backend returns the new id (AuditLog has no save receivers).
    from django.db import connection

    from . import fastsql

    if fastsql.can_insert(connection):
        fastsql.insert([entry], connection)
    else:
        entry.save(force_insert=True)
    return entry


def record_reads(actor, objects: Iterable, *, collaboration, reason: str = "view") -> int:
    """Log one READ entry per restricted object a user of another organisation saw."""
    from .models import AuditLog

    entries = []
    label = actor.get_username()[:150] if actor is not None else "system"
    own_orgs = {m.organisation_id for m in actor.active_memberships} if actor is not None else set()
    for obj in objects:
        if getattr(obj, "organisation_id", None) in own_orgs:
            continue
        entries.append(
            AuditLog(
                actor=actor, actor_label=label, collaboration_id=getattr(collaboration, "pk", collaboration),
                action=AuditLog.Action.READ, object_type=obj._meta.label_lower,
                object_id=str(getattr(obj, "uuid", obj.pk)), object_label=str(obj)[:200],
                detail={"reason": reason}, ip=current_ip.get(),
            )
        )
    if entries:
        AuditLog.objects.bulk_create(entries, batch_size=500)
    return len(entries)


def _on_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    record("create" if created else "update", instance)


def _on_delete(sender, instance, **kwargs):
    record("delete", instance)


def track(*models) -> None:
    for model in models:
        post_save.connect(_on_save, sender=model, dispatch_uid=f"audit-save-{model._meta.label}")
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"audit-delete-{model._meta.label}")
