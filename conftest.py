"""Shared test fixtures: a small collaboration with areas, and fixed personas.

Personas (all in collaboration A "Testby" unless said):
- ``reporter_a``     reporter in organisation A (the municipality)
- ``coordinator_a``  coordinator in organisation A (two-factor verified in ``coordinator_client``)
- ``admin_a``        admin in organisation A
- ``police_a``       reporter in the police organisation of A
- ``partner_a``      reporter in a housing company in A (a partner, not police, not coordinator)
- ``outsider_b``     coordinator in organisation B of another collaboration: must see nothing of A

Geometry of A (WGS84): the municipality is the box lon 17.80–18.00, lat 59.45–59.60. District
"Väster" is lon 17.80–17.90, "Öster" lon 17.90–18.00 (they share the line lon = 17.90); Öster has
a hole (lon 17.95–17.97, lat 59.52–59.54), e.g. a lake that belongs to no district.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

SHARED = Path(os.environ.get("TRYGG_SHARED_DIR", Path(__file__).resolve().parent.parent / "shared"))


def box(x0, y0, x1, y1, holes=()):
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring, *holes]}


def hole(x0, y0, x1, y1):
    return [[x0, y0], [x0, y1], [x1, y1], [x1, y0], [x0, y0]]


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AXES_ENABLED = True
    settings.SECURE_COOKIES = False
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    # Each test starts in the default language: a request with an English cookie or header
    # leaves English active in the thread (LocaleMiddleware activates, nothing deactivates),
    # which would otherwise leak into whatever test runs next in that worker.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def make_collaboration(db):
    from trygg.accounts.models import Collaboration, Organisation
    from trygg.areas.models import Area, AreaType
    from trygg.events.taxonomy import seed_categories

    def make(slug="testby", name="Testby", offset=0.0):
        collab = Collaboration.objects.create(name=name, slug=slug, municipality_code="9999")
        kommun_t = AreaType.objects.create(collaboration=collab, code="kommun", name="Kommun",
                                           level=AreaType.Level.MUNICIPALITY)
        district_t = AreaType.objects.create(collaboration=collab, code="stadsdel", name="Stadsdel",
                                             level=AreaType.Level.DISTRICT)
        o = offset
        kommun = Area(collaboration=collab, type=kommun_t, name=name, code="9999")
        kommun.set_geometry(box(17.80 + o, 59.45, 18.00 + o, 59.60))
        kommun.save()
        west = Area(collaboration=collab, type=district_t, name="Väster", code="D1", parent=kommun)
        west.set_geometry(box(17.80 + o, 59.45, 17.90 + o, 59.60))
        west.save()
        east = Area(collaboration=collab, type=district_t, name="Öster", code="D2", parent=kommun)
        east.set_geometry(box(17.90 + o, 59.45, 18.00 + o, 59.60, holes=[hole(17.95 + o, 59.52, 17.97 + o, 59.54)]))
        east.save()
        collab.boundary = kommun
        collab.save()
        seed_categories(collab)
        Organisation.objects.create(collaboration=collab, name=f"{name} kommun", kind="kommun")
        return collab

    return make


@pytest.fixture
def collab_a(make_collaboration):
    return make_collaboration()


@pytest.fixture
def collab_b(make_collaboration):
    return make_collaboration(slug="annanstad", name="Annanstad", offset=1.0)


@pytest.fixture
def org_a(collab_a):
    return collab_a.organisations.get(kind="kommun")


@pytest.fixture
def police_org_a(collab_a):
    from trygg.accounts.models import Organisation

    return Organisation.objects.create(collaboration=collab_a, name="Polisen Testby", kind="polis")


@pytest.fixture
def partner_org_a(collab_a):
    from trygg.accounts.models import Organisation

    return Organisation.objects.create(collaboration=collab_a, name="Testbyhem", kind="bostadsbolag")


@pytest.fixture
def org_b(collab_b):
    return collab_b.organisations.get(kind="kommun")


def _user(username, org, role):
    from trygg.accounts.models import Membership, User

    user = User.objects.create_user(username=username, password="correct horse battery", email=f"{username}@example.org")
    Membership.objects.create(user=user, organisation=org, role=role)
    return user


@pytest.fixture
def reporter_a(org_a):
    return _user("reporter_a", org_a, "reporter")


@pytest.fixture
def coordinator_a(org_a):
    return _user("coordinator_a", org_a, "coordinator")


@pytest.fixture
def admin_a(org_a):
    return _user("admin_a", org_a, "admin")


@pytest.fixture
def police_a(police_org_a):
    return _user("police_a", police_org_a, "reporter")


@pytest.fixture
def partner_a(partner_org_a):
    return _user("partner_a", partner_org_a, "reporter")


@pytest.fixture
def outsider_b(org_b):
    return _user("outsider_b", org_b, "coordinator")


def verified_client(user):
    """A test client logged in as ``user`` and two-factor verified (as after a TOTP code)."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_for():
    """``client_for(user)``: a logged-in, two-factor verified client for any persona."""
    return verified_client


@pytest.fixture
def now():
    from django.utils import timezone

    return timezone.now()


@pytest.fixture
def make_event(db):
    """Write one event through the service layer (defaults: Väster, an hour ago, vandalism)."""
    from django.utils import timezone

    from trygg.events.services import EventWriter

    def make(collaboration, organisation, *, user=None, **data):
        writer = EventWriter(collaboration)
        payload = {"category": "klotter", "occurred_from": timezone.now() - dt.timedelta(hours=1),
                   "lat": 59.50, "lon": 17.85} | data
        item = writer.validate(payload)
        return writer.write([item], organisation=organisation, user=user).events[0]

    return make


@pytest.fixture
def shared_dir():
    if not SHARED.exists():
        pytest.skip(f"shared data not found at {SHARED}; set TRYGG_SHARED_DIR to run this test")
    return SHARED
