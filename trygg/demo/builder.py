"""Builds the demo collaboration "Upplands Väsby (demo)" in the database.

Areas (county, municipality, twelve synthetic districts), a gazetteer, six partners, one demo
user per role plus a police user, the EST categories, and the synthetic events of
:mod:`trygg.demo.generator` written through the service layer's batch path
(``EventWriter.validate`` + ``EventWriter.write``).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models, transaction

from trygg.accounts.models import AuditLog, Collaboration, Membership, Organisation, Role, User
from trygg.areas.models import Area, AreaType, Place
from trygg.events.models import Category, Event, Report
from trygg.events.services import EventWriter
from trygg.events.taxonomy import seed_categories

from . import generator, geometry

DEMO_SLUG = "upplands-vasby-demo"
DEMO_NAME = "Upplands Väsby (demo)"
DEMO_EMAIL_DOMAIN = "demo.invalid"
CHUNK = 2000

# key, name, kind
ORGANISATIONS = [
    ("kommun", "Upplands Väsby kommun", Organisation.Kind.KOMMUN),
    ("polis", "Polisen lokalpolisområde Upplands Väsby", Organisation.Kind.POLIS),
    ("raddning", "Räddningstjänsten Attunda", Organisation.Kind.RADDNINGSTJANST),
    ("vasbyhem", "Väsbyhem", Organisation.Kind.BOSTADSBOLAG),
    ("bid", "Tryggare Väsby BID", Organisation.Kind.BID),
    ("bevakning", "Väsby Bevakning AB (demo)", Organisation.Kind.BEVAKNINGSFORETAG),
]

# Demo accounts. The passwords are public (printed and in docs/demo.md): demo only.
# username, password, organisation key, role, first name, last name
USERS = [
    ("demo-reporter", "vasby-demo-reporter", "vasbyhem", Role.REPORTER, "Rita", "Rapportör"),
    ("demo-analyst", "vasby-demo-analyst", "kommun", Role.ANALYST, "Anders", "Analytiker"),
    ("demo-coordinator", "vasby-demo-coordinator", "kommun", Role.COORDINATOR, "Karin", "Samordnare"),
    ("demo-admin", "vasby-demo-admin", "kommun", Role.ADMIN, "Adam", "Administratör"),
    ("demo-police", "vasby-demo-police", "polis", Role.REPORTER, "Petra", "Polis"),
]
# Which demo user is recorded as the author of an organisation's events (None: nobody).
AUTHORS = {"kommun": "demo-coordinator", "polis": "demo-police", "vasbyhem": "demo-reporter"}


class DemoError(Exception):
    pass


@dataclass
class DemoResult:
    collaboration: Collaboration
    created: bool
    events: int = 0
    seconds: float = 0.0
    intervention_date: dt.date | None = None
    period: tuple[dt.date, dt.date] | None = None
    users: list[tuple[str, str, str, str]] = field(default_factory=list)


def existing_demo() -> Collaboration | None:
    return Collaboration.objects.filter(slug=DEMO_SLUG).first()


def built_until(collab: Collaboration) -> dt.date | None:
    """The last day (Stockholm) of the demo's events as recorded when it was built; None if unknown."""
    end = (collab.settings or {}).get("demo", {}).get("end")
    if not end:
        return None
    return dt.datetime.fromisoformat(end).astimezone(generator.STOCKHOLM).date()


def delete_demo() -> bool:
    """Remove the demo collaboration, everything in it and the demo users. False if none."""
    collab = existing_demo()
    with transaction.atomic():
        if collab is not None:
            # Children before parents: events and areas hold protected references to categories
            # and area types. The bulk of the rows go with plain DELETEs (no per-row signals).
            events = Event.objects.filter(collaboration=collab)
            _clear_references(Event, events)
            events._raw_delete(events.db)  # no per-event delete signals for tens of thousands of rows
            Report.objects.filter(collaboration=collab).delete()
            Collaboration.objects.filter(pk=collab.pk).update(boundary=None)
            areas = Area.objects.filter(collaboration=collab)
            areas.update(parent=None)
            areas.delete()
            AreaType.objects.filter(collaboration=collab).delete()
            Category.objects.filter(collaboration=collab, parent__isnull=False).delete()
            Category.objects.filter(collaboration=collab).delete()
            pk = collab.pk
            Collaboration.objects.get(pk=pk).delete()
            # The audit log records the deletions of tracked objects after Django has already
            # cleared the log's references to the collaboration: clear those too, or the commit
            # fails on the (deferred) foreign key.
            AuditLog.objects.filter(collaboration_id=pk).update(collaboration=None)
        _demo_users().delete()
    return collab is not None


def _clear_references(model, qs) -> None:
    """Delete (CASCADE) or unlink (SET_NULL) the rows of other tables that point at ``qs``."""
    for rel in model._meta.related_objects:
        if rel.many_to_many or not getattr(rel.field, "concrete", False):
            continue
        related = rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": qs.values("pk")})
        if rel.on_delete is models.CASCADE:
            related.delete()
        elif rel.on_delete is models.SET_NULL:
            related.update(**{rel.field.name: None})


def _demo_users():
    return User.objects.filter(username__in=[u[0] for u in USERS], email__endswith=f"@{DEMO_EMAIL_DOMAIN}")


def build_demo(*, seed: int = generator.DEFAULT_SEED, years: float = generator.DEFAULT_YEARS,
               scale: float = 1.0, end: dt.datetime | None = None, reset: bool = False,
               progress: Callable[[str, int, int], None] | None = None) -> DemoResult:
    """Create the demo collaboration. Without ``reset`` an existing demo is left as it is."""
    started = time.monotonic()
    if reset:
        delete_demo()
    elif (collab := existing_demo()) is not None:
        return DemoResult(collaboration=collab, created=False, events=collab.events.count())
    clashes = User.objects.filter(username__in=[u[0] for u in USERS]).exclude(
        email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
    if clashes.exists():
        raise DemoError(f"Users that are not demo users already have these names: "
                        f"{', '.join(clashes.values_list('username', flat=True))}")
    _demo_users().delete()  # left over from a demo whose collaboration was deleted by hand
    end = generator.default_end() if end is None else end
    first, last = generator.period(end, years)
    with transaction.atomic():
        collab, districts = _create_structure(seed=seed, years=years, scale=scale, end=end)
        orgs = {key: Organisation.objects.create(collaboration=collab, name=name, kind=kind)
                for key, name, kind in ORGANISATIONS}
        users = _create_users(orgs)
    events = generator.generate(seed=seed, years=years, scale=scale, end=end,
                                boundary=geometry.boundary_shape(), districts=districts)
    written = write_events(collab, events, orgs, users, now=end, progress=progress)
    return DemoResult(
        collaboration=collab, created=True, events=written, seconds=time.monotonic() - started,
        intervention_date=generator.intervention_date(first, last), period=(first, last),
        users=[(u[0], u[1], dict((k, n) for k, n, _ in ORGANISATIONS)[u[2]], str(u[3].value)) for u in USERS],
    )


def _create_structure(*, seed, years, scale, end):
    kommun_feature = geometry.municipality_feature()
    boundary = geometry.boundary_shape()
    collab = Collaboration.objects.create(
        name=DEMO_NAME, slug=DEMO_SLUG, municipality_code=geometry.MUNICIPALITY_CODE,
        settings={"demo": {"seed": seed, "years": years, "scale": scale, "end": end.isoformat()}},
    )
    lan_t = AreaType.objects.create(collaboration=collab, code="lan", name="Län", level=AreaType.Level.COUNTY)
    kommun_t = AreaType.objects.create(collaboration=collab, code="kommun", name="Kommun",
                                       level=AreaType.Level.MUNICIPALITY)
    district_t = AreaType.objects.create(collaboration=collab, code="stadsdel", name="Stadsdel (demo)",
                                         level=AreaType.Level.DISTRICT)
    county = Area(collaboration=collab, type=lan_t, name=geometry.COUNTY_NAME, code=geometry.COUNTY_CODE,
                  external_codes={"lan": geometry.COUNTY_CODE})
    county.set_geometry(geometry.county_feature()["geometry"])
    county.save()
    kommun = Area(collaboration=collab, type=kommun_t, name=geometry.MUNICIPALITY_NAME,
                  code=geometry.MUNICIPALITY_CODE, parent=county,
                  external_codes={"kommun": geometry.MUNICIPALITY_CODE,
                                  "lan": kommun_feature["properties"].get("lan_code", "01")})
    kommun.set_geometry(kommun_feature["geometry"])
    kommun.save()
    collab.boundary = kommun
    collab.save(update_fields=["boundary"])
    districts = geometry.district_shapes(boundary)
    for code, name, geom, _weight in districts:
        area = Area(
            collaboration=collab, type=district_t, name=geometry.district_label(name), code=code, parent=kommun,
            description="Demoområde: en påhittad indelning (Voronoiceller) för demonstration, "
                        "inte en verklig stadsdelsgräns.",
        )
        area.set_geometry(geometry.as_geojson(geom))
        area.save()
    for place in geometry.PLACES:
        Place.objects.create(collaboration=collab, name=place.name, aliases=list(place.aliases),
                             lat=place.lat, lon=place.lon)
    seed_categories(collab)
    return collab, districts


def _create_users(orgs: dict) -> dict:
    users = {}
    for username, password, org_key, role, first, last in USERS:
        user = User.objects.create_user(username=username, password=password, first_name=first, last_name=last,
                                        email=f"{username}@{DEMO_EMAIL_DOMAIN}")
        Membership.objects.create(user=user, organisation=orgs[org_key], role=role)
        users[username] = user
    return users


def write_events(collab, events: list, orgs: dict, users: dict, *, now=None,
                 progress: Callable[[str, int, int], None] | None = None) -> int:
    """Validate and write the events in chunks, one batch per reporting organisation."""
    writer = EventWriter(collab, now=now)
    total = len(events)
    done = 0
    for start in range(0, total, CHUNK):
        by_org = defaultdict(list)
        for event in events[start:start + CHUNK]:
            by_org[event.org].append(writer.validate(event.data))
        for org_key, inputs in by_org.items():
            author = users.get(AUTHORS.get(org_key, ""))
            writer.write(inputs, organisation=orgs[org_key], user=author, keep_events=False)
            done += len(inputs)
        if progress:
            progress("events", done, total)
    return done
