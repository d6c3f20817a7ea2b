"""Helpers for the accounts tests: real TOTP codes, and an admin persona of collaboration B."""

from __future__ import annotations

import pytest


def totp_code(device, offset_steps: int = 0) -> str:
    """The code an authenticator app shows now for ``device`` (computed from its secret)."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def admin_b(org_b):
    from trygg.accounts.models import Membership, User

    user = User.objects.create_user(username="admin_b", password="correct horse battery", email="admin_b@example.org")
    Membership.objects.create(user=user, organisation=org_b, role="admin")
    return user


@pytest.fixture
def superuser(db):
    from trygg.accounts.models import User

    return User.objects.create_superuser(username="root", password="correct horse battery", email="root@example.org")
