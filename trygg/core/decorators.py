"""Small view helpers in the healthchecks style: load an object for the user or 404."""

from __future__ import annotations

from functools import wraps

from django.http import Http404
from django.shortcuts import get_object_or_404

from trygg.accounts.models import Collaboration


def get_collaboration_for_user(user, collaboration_uuid=None) -> Collaboration:
    """The collaboration the user works in (by uuid, or their first one); 404 for outsiders."""
    if not user.is_authenticated:
        raise Http404
    collaborations = user.collaborations()
    if collaboration_uuid is None:
        if not collaborations:
            raise Http404
        return collaborations[0]
    collaboration = get_object_or_404(Collaboration, uuid=collaboration_uuid)
    if collaboration.pk not in {c.pk for c in collaborations}:
        raise Http404
    return collaboration


def with_collaboration(view):
    """Pass the user's current collaboration (``?samverkan=<uuid>`` or their first) to the view."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        chosen = request.GET.get("samverkan") or request.session.get("collaboration")
        try:
            collaboration = get_collaboration_for_user(request.user, chosen)
        except Http404:
            if not chosen:
                raise
            collaboration = get_collaboration_for_user(request.user, None)
        request.collaboration = collaboration
        return view(request, collaboration, *args, **kwargs)

    return wrapper
