"""Whose numbers: the caller's visibility in a collaboration, applied to every query."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from trygg.events.models import Visibility


@dataclass(frozen=True)
class Scope:
    """Visibility of one caller in one collaboration.

    ``see_restricted``: restricted events count (coordinators, admins, police, or every partner
    when the collaboration shares restricted events). Otherwise only events visible to all
    partners count, plus the restricted events of the caller's own organisations when the
    collaboration shares restricted events within the reporting organisation. (The counts are
    kept per organisation, not per person: a reporter's own restricted events, which the event
    list shows them, are not in their numbers unless that setting is on.)
    """

    collaboration_id: int
    see_restricted: bool
    own_organisations: tuple[int, ...] = ()

    @property
    def key(self) -> str:
        if self.see_restricted:
            return "all"
        return "own:" + ",".join(str(o) for o in sorted(self.own_organisations))

    def event_q(self, prefix: str = "") -> Q:
        """Condition on Event (or a model with ``visibility``/``organisation`` via ``prefix``)."""
        q = Q(**{f"{prefix}collaboration_id": self.collaboration_id})
        if not self.see_restricted:
            q &= Q(**{f"{prefix}visibility": Visibility.PARTNERS}) | Q(
                **{f"{prefix}organisation_id__in": list(self.own_organisations)})
        return q


def scope_for(user, collaboration) -> Scope:
    """The caller's scope; Http404 for anyone who is not a member (outsiders get nothing)."""
    memberships = user.memberships_in(collaboration) if getattr(user, "is_authenticated", False) else []
    if not memberships:
        raise Http404
    return Scope(
        collaboration_id=collaboration.pk,
        see_restricted=bool(user.can_see_restricted(collaboration)),
        own_organisations=tuple(sorted({m.organisation_id for m in memberships}))
        if collaboration.restricted_shared_with_organisation else (),
    )


def full_scope(collaboration) -> Scope:
    """Everything (command line, run by an operator with access to the database)."""
    return Scope(collaboration_id=collaboration.pk, see_restricted=True)
