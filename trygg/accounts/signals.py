"""Login events into the audit log."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from . import audit


@receiver(user_logged_in, dispatch_uid="trygg-audit-login")
def _logged_in(sender, request, user, **kwargs):
    audit.record("login", user, actor=user, object_type="accounts.user",
                 ip=request.META.get("REMOTE_ADDR") if request else None)


@receiver(user_login_failed, dispatch_uid="trygg-audit-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    audit.record("login_failed", None, actor=None, object_type="accounts.user",
                 object_id=str(credentials.get("username", ""))[:64],
                 ip=request.META.get("REMOTE_ADDR") if request else None)
