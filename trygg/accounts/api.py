"""API: who am I — the user, their memberships and their best role per collaboration."""

from __future__ import annotations

from uuid import UUID

from ninja import Router, Schema

PREFIX = "/me"
router = Router(tags=["accounts"])


class CollaborationOut(Schema):
    uuid: UUID
    name: str
    slug: str


class OrganisationOut(Schema):
    uuid: UUID
    name: str
    kind: str


class MembershipOut(Schema):
    collaboration: CollaborationOut
    organisation: OrganisationOut
    role: str


class RoleOut(Schema):
    collaboration: UUID
    role: str
    can_see_restricted: bool


class UserOut(Schema):
    uuid: UUID
    username: str
    first_name: str
    last_name: str
    email: str


class MeOut(Schema):
    user: UserOut
    memberships: list[MembershipOut]
    roles: list[RoleOut]
    auth: str


@router.get("", response=MeOut, summary="The signed-in user, memberships and roles")
def me(request):
    user = request.user
    memberships = [
        {
            "collaboration": m.organisation.collaboration,
            "organisation": m.organisation,
            "role": m.role,
        }
        for m in user.active_memberships
    ]
    roles = [
        {"collaboration": c.uuid, "role": user.best_role_in(c), "can_see_restricted": user.can_see_restricted(c)}
        for c in user.collaborations()
    ]
    return {
        "user": user,
        "memberships": memberships,
        "roles": roles,
        "auth": "token" if getattr(request, "api_token", None) is not None else "session",
    }
