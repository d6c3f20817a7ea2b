"""Login events into the audit log, and ``is_staff`` kept in step with admin memberships."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import audit
from .middleware import client_ip
from .models import Membership, Role, User


@receiver(user_logged_in, dispatch_uid="trygg-audit-login")
def _logged_in(sender, request, user, **kwargs):
    audit.record("login", user, actor=user, object_type="accounts.user",
                 ip=client_ip(request) if request else None)


@receiver(user_login_failed, dispatch_uid="trygg-audit-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    locked = bool(getattr(request, "axes_locked_out", False)) if request is not None else False
    audit.record("login_failed", None, actor=None, object_type="accounts.user",
                 object_id=str(credentials.get("username", ""))[:64],
                 detail={"locked_out": True} if locked else None,
                 ip=client_ip(request) if request else None)


def sync_staff(user_id: int) -> None:
    """Collaboration admins may enter the Django admin (scoped to their collaborations).

    ``is_staff`` follows the memberships: on when the user has an active admin membership,
    off when they lose the last one — except for superusers, whose flag is left alone.
    """
    is_admin = Membership.objects.filter(user_id=user_id, role=Role.ADMIN, is_active=True).exists()
    users = User.objects.filter(pk=user_id, is_superuser=False)
    users.exclude(is_staff=is_admin).update(is_staff=is_admin)


@receiver(post_save, sender=Membership, dispatch_uid="trygg-membership-staff-save")
def _membership_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        sync_staff(instance.user_id)


@receiver(post_delete, sender=Membership, dispatch_uid="trygg-membership-staff-delete")
def _membership_deleted(sender, instance, **kwargs):
    sync_staff(instance.user_id)
