"""Importing the police events feed into events, through the service layer's batch path.

- Police types map onto categories through :class:`PoliceTypeMapping` (seeded per collaboration
  for every type in the national data; editable in the admin). Unmapped types land in
  "Övrigt (polis)" and are listed in the run's summary.
- The feed's position is the centre of a municipality or a county, so the event gets precision
  "kommun" or "län" and is assigned by *name* to that municipality or that county only — never to
  a district its centroid happens to fall in.
- Upsert on (source, external id): re-importing creates nothing; changed text updates the event
  and its history records the change.
- A collaboration takes the notices for its own municipality; ``all_municipalities`` takes all
  (a national collaboration).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from trygg.accounts.models import Organisation
from trygg.areas.models import Area, AreaType
from trygg.events.models import Category, Precision, Source
from trygg.events.services import EventWriter
from trygg.events.validation import EventValidationError

from . import runs
from .feed import (BadNotice, CountingReader, FeedBroken, FeedError, FeedStats, is_county_name, is_summary,
                   iter_notices, parse_feed_datetime, parse_gps)
from .models import ImportRun, PoliceTypeMapping

BATCH = 2000
OTHER_CODE = "ovrigt-polis"

# Every notice type in the national data 2022–2023 → an EST category code (main or subcategory).
SEED_MAPPING = {
    "Skadegörelse": "skadegorelse", "Brand": "brand", "Brand automatlarm": "brand",
    "Misshandel": "misshandel", "Misshandel, grov": "misshandel", "Bråk": "brak", "Olaga hot": "hot",
    "Ofredande/förargelse": "ordningsstorning", "Ordningslagen": "ordningsstorning",
    "Fylleri/LOB": "ordningsstorning", "Knivlagen": "ordningsstorning", "Vapenlagen": "ordningsstorning",
    "Skottlossning": "ordningsstorning", "Skottlossning, misstänkt": "ordningsstorning",
    "Detonation": "ordningsstorning", "Mord/dråp": "ordningsstorning", "Mord/dråp, försök": "ordningsstorning",
    "Våldtäkt": "ordningsstorning", "Våldtäkt, försök": "ordningsstorning", "Sedlighetsbrott": "ordningsstorning",
    "Olaga frihetsberövande/människorov": "ordningsstorning", "Hemfridsbrott": "ordningsstorning",
    "Olaga intrång": "ordningsstorning", "Våld/hot mot tjänsteman": "hot-mot-anstalld",
    "Sabotage mot blåljusverksamhet": "hot-mot-anstalld", "Narkotikabrott": "narkotika",
    "Alkohollagen": "langning", "Stöld": "stold", "Stöld, försök": "stold", "Stöld/inbrott": "inbrott",
    "Motorfordon, stöld": "stold", "Motorfordon, anträffat stulet": "stold", "Häleri": "stold",
    "Inbrott": "inbrott", "Inbrott, försök": "inbrott", "Larm Inbrott": "inbrott", "Rån": "ran",
    "Rån, försök": "ran", "Rån övrigt": "ran", "Rån väpnat": "ran", "Larm Överfall": "ran",
    "Trafikbrott": "olovlig-trafik", "Olovlig körning": "olovlig-trafik", "Rattfylleri": "olovlig-trafik",
}
OTHER_TYPES = [
    "Trafikolycka", "Trafikolycka, personskada", "Trafikolycka, vilt", "Trafikolycka, singel",
    "Trafikolycka, smitning från", "Trafikkontroll", "Trafikhinder", "Kontroll person/fordon", "Övrigt",
    "Arbetsplatsolycka", "Försvunnen person", "Bedrägeri", "Åldringsbrott", "Missbruk av urkund",
    "Fjällräddning", "Räddningsinsats", "Anträffad död", "Djur", "Sjukdom/olycksfall", "Anträffat gods",
    "Efterlyst person", "Skyddslagen", "Vållande till kroppsskada", "Utlänningslagen", "Sjölagen",
    "Miljöbrott", "Luftfartslagen", "Bombhot", "Varningslarm/haveri", "Spridning smitta/kemikalier",
    "Uppdatering", "Lagen om hundar och katter", "Farligt föremål, misstänkt", "Polisinsats/kommendering",
    "Sammanfattning natt", "Sammanfattning kväll och natt", "Sammanfattning eftermiddag",
    "Sammanfattning dag", "Sammanfattning vecka", "Sammanfattning dygn",
]
SEED_MAPPING |= {name: OTHER_CODE for name in OTHER_TYPES}


def ensure_type_mappings(collaboration, extra_types=()) -> int:
    """Seed the mapping table for a collaboration with every type of the national data, plus
    ``extra_types`` (types met in an import) in "Övrigt (polis)"; existing rows are left alone.
    A type whose category the collaboration lacks goes to "Övrigt (polis)" too. Nothing is seeded
    before that category exists. Returns rows added."""
    cats = {c.code: c for c in Category.objects.filter(collaboration=collaboration)}
    other = cats.get(OTHER_CODE)
    if other is None:
        return 0
    existing = set(PoliceTypeMapping.objects.filter(collaboration=collaboration).values_list("police_type", flat=True))
    wanted = dict(SEED_MAPPING) | {str(name).strip()[:100]: OTHER_CODE for name in extra_types if str(name).strip()}
    new = [
        PoliceTypeMapping(collaboration=collaboration, police_type=name, category=cats.get(code, other))
        for name, code in wanted.items() if name not in existing
    ]
    PoliceTypeMapping.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def seed_on_category_created(sender, instance, created, raw=False, **kwargs) -> None:
    """post_save of Category: when a collaboration gets its "Övrigt (polis)" category (the last
    one the taxonomy seeds), its police type mapping is seeded, so it can be edited before the
    first import."""
    if created and not raw and instance.code == OTHER_CODE:
        ensure_type_mappings(instance.collaboration)


def _norm(name: str) -> str:
    return " ".join(str(name).split()).lower()


def _norm_county(name: str) -> str:
    n = _norm(name)
    if n.endswith(" län"):
        n = n[:-4].rstrip()
        if n.endswith("s"):
            n = n[:-1]
    return n


class AreaNames:
    """Location names of the feed → the collaboration's municipality or county area (by name only)."""

    def __init__(self, collaboration):
        self.municipalities: dict[str, list[int]] = {}
        self.counties: dict[str, list[int]] = {}
        rows = list(Area.objects.filter(
            collaboration=collaboration,
            type__level__in=[AreaType.Level.MUNICIPALITY, AreaType.Level.COUNTY],
        ).values_list("id", "name", "code", "type__level").order_by("code", "id"))
        for area_id, name, _code, level in rows:
            if level == AreaType.Level.COUNTY:
                self.counties.setdefault(_norm_county(name), [area_id])
            else:
                self.municipalities.setdefault(_norm(name), [area_id])
        # Which names this collaboration takes notices for: its own municipality.
        own = {_norm(collaboration.name)}
        if collaboration.boundary_id:
            own.add(_norm(collaboration.boundary.name))
        if collaboration.municipality_code:
            own |= {_norm(n) for _i, n, c, lvl in rows
                    if lvl == AreaType.Level.MUNICIPALITY and c == collaboration.municipality_code}
        self.own = own

    def lookup(self, name: str) -> tuple[str, list[int]]:
        """(precision, area ids) for a location name; [] when no area has that name."""
        if is_county_name(name):
            return Precision.COUNTY, list(self.counties.get(_norm_county(name), []))
        return Precision.MUNICIPALITY, list(self.municipalities.get(_norm(name), []))

    def takes(self, name: str) -> bool:
        return not is_county_name(name) and _norm(name) in self.own


def police_organisation(collaboration) -> Organisation:
    """The collaboration's police organisation (created as "Polisen" when there is none)."""
    org = collaboration.organisations.filter(kind=Organisation.Kind.POLIS).order_by("pk").first()
    if org is None:
        org, _created = Organisation.objects.get_or_create(
            collaboration=collaboration, name="Polisen", defaults={"kind": Organisation.Kind.POLIS})
    return org


@dataclass
class Outcome:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0
    skipped_summaries: int = 0
    skipped_elsewhere: int = 0
    unmapped: Counter = field(default_factory=Counter)
    broken: str = ""
    recoded: list = field(default_factory=list)  # notices read as Windows-1252

    def counts(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in ImportRun.COUNTS}


class PoliceImporter:
    """Turns notices into validated event inputs and writes them in batches, recording the run."""

    def __init__(self, run: ImportRun, *, include_summaries=False, all_municipalities=False,
                 progress: Callable[[int, int | None], None] | None = None):
        self.run = run
        self.collaboration = run.collaboration
        self.include_summaries = include_summaries
        self.all = all_municipalities
        self.progress = progress
        ensure_type_mappings(self.collaboration)
        self.writer = EventWriter(self.collaboration)
        self.names = AreaNames(self.collaboration)
        self.mapping = {m.police_type.strip(): m.category_id
                        for m in PoliceTypeMapping.objects.filter(collaboration=self.collaboration)}
        other = Category.objects.filter(collaboration=self.collaboration, code=OTHER_CODE).first()
        if other is None:
            raise FeedError(_("The collaboration has no category “Övrigt (polis)” (code ovrigt-polis)."))
        self.other_id = other.pk
        # The notices are the police's, whoever uploaded them (run.organisation records the uploader).
        self.organisation = police_organisation(self.collaboration)
        self.out = Outcome(**{k: getattr(run, k) for k in ImportRun.COUNTS})
        checkpoint = run.checkpoint or {}
        self.out.unmapped.update(checkpoint.get("unmapped", {}))
        self.out.skipped_summaries = checkpoint.get("skipped_summaries", 0)
        self.out.skipped_elsewhere = checkpoint.get("skipped_elsewhere", 0)

    # --- one notice --------------------------------------------------------------------------
    def prepare(self, number: int, notice) -> tuple[str, object]:
        """("event", EventInput) | ("skip", reason) | ("reject", (field, message))."""
        if not isinstance(notice, dict):
            return "reject", ("", _("Notice %(n)d: not a JSON object.") % {"n": number})
        notice_id = notice.get("id")
        if isinstance(notice_id, bool) or not isinstance(notice_id, (int, str)) or not str(notice_id).strip():
            return "reject", ("id", _("Notice %(n)d: the id is missing.") % {"n": number})
        ntype = str(notice.get("type") or "").strip()
        if not ntype:
            return "reject", ("type", _("Notice %(n)d: the type is missing.") % {"n": number})
        location = notice.get("location") if isinstance(notice.get("location"), dict) else {}
        place_name = str(location.get("name") or "").strip()
        if is_summary(ntype) and not self.include_summaries:
            return "skip", "summary"
        if not self.all and not self.names.takes(place_name):
            return "skip", "elsewhere"
        try:
            when = parse_feed_datetime(notice.get("datetime"))
        except ValueError:
            return "reject", ("occurred_from", _("Notice %(n)d: the time “%(value)s” is not a valid date and time.")
                              % {"n": number, "value": notice.get("datetime")})
        if not place_name:
            return "reject", ("location", _("Notice %(n)d: the location name is missing.") % {"n": number})
        try:
            lat, lon = parse_gps(location.get("gps"))
        except (ValueError, TypeError):
            return "reject", ("location", _("Notice %(n)d: the position “%(value)s” is not “latitude,longitude”.")
                              % {"n": number, "value": location.get("gps")})
        precision, area_ids = self.names.lookup(place_name)
        category_id = self.mapping.get(ntype)
        if category_id is None:
            category_id = self.other_id
            self.out.unmapped[ntype] += 1
        original = {k: notice.get(k) for k in ("id", "datetime", "name", "summary", "url", "type", "location")}
        try:
            item = self.writer.validate({
                "category": category_id, "occurred_from": when, "lat": lat, "lon": lon,
                "precision": precision, "description": str(notice.get("summary") or "").strip()[:2000],
                "source": Source.POLISEN, "external_id": str(notice_id).strip(),
                "source_data": {"polisen": original, "area_ids": area_ids},
                "area_ids": area_ids,
            }, check_boundary=False)
        except EventValidationError as exc:
            field_name = next(iter(exc.errors))
            return "reject", (field_name, _("Notice %(n)d (id %(id)s): %(errors)s")
                              % {"n": number, "id": notice_id, "errors": " ".join(exc.errors.values())})
        return "event", item

    # --- the whole stream -------------------------------------------------------------------
    def import_stream(self, notices: Iterable, *, skip: int = 0) -> Outcome:
        """Import notices (skipping the first ``skip`` already committed by an interrupted run)."""
        items, rejected = [], []
        number = 0
        out = self.out
        try:
            for notice in notices:
                if isinstance(notice, FeedBroken):
                    out.read += 1
                    out.rejected += 1
                    out.broken = notice.message
                    rejected.append((notice.number, notice.message, notice.raw, ""))
                    break
                number += 1
                if number <= skip:
                    continue
                out.read += 1
                if isinstance(notice, BadNotice):
                    out.rejected += 1
                    rejected.append((notice.number, notice.message, notice.raw, notice.field))
                    continue
                kind, value = self.prepare(number, notice)
                if kind == "event":
                    items.append(value)
                elif kind == "skip":
                    out.skipped += 1
                    if value == "summary":
                        out.skipped_summaries += 1
                    else:
                        out.skipped_elsewhere += 1
                else:
                    out.rejected += 1
                    rejected.append((number, value[1], notice, value[0]))
                if len(items) >= BATCH:
                    self._commit(items, rejected, number)
                    items, rejected = [], []
        except FeedError as exc:  # e.g. bad UTF-8 half-way through
            if number == 0:  # nothing could be read at all: the file as a whole is bad
                raise
            out.read += 1
            out.rejected += 1
            out.broken = str(exc)
            rejected.append((number + 1, str(exc), "", ""))
        self._commit(items, rejected, number)
        return out

    def _sort_out(self, items: list) -> tuple[list, list]:
        """(new, changed): notices with no event yet, and notices whose event says something else.
        Notices whose event already says exactly what the notice says are counted as unchanged and
        left out (a cheap comparison of column values, so a re-import does not load 20,000 model
        instances). New notices are inserted directly, without the writer looking them up again;
        a repeat of a new id within the batch goes with the changed ones, so it updates (or leaves
        alone) the event its first occurrence creates, as it would in a later batch."""
        from trygg.events.models import Event

        fields = ["category_id", "subcategory_id", "precision", "lat", "lon", "occurred_from", "description",
                  "source_data"]
        stored = {row[0]: list(row[1:]) for row in Event.objects.filter(
            collaboration=self.collaboration, source=Source.POLISEN,
            external_id__in=[i.external_id for i in items]).exclude(external_id="")  # the unique index's condition
            .values_list("external_id", *fields)}
        new, changed, fresh_ids = [], [], set()
        for item in items:
            values = stored.get(item.external_id)
            if values is None:
                if item.external_id in fresh_ids:
                    changed.append(item)
                else:
                    fresh_ids.add(item.external_id)
                    new.append(item)
            elif values == [getattr(item, f) for f in fields]:
                self.out.unchanged += 1
            else:
                changed.append(item)
        return new, changed

    def _commit(self, items, rejected, offset: int) -> None:
        with transaction.atomic():
            runs.no_wait_for_disk()
            new, changed = self._sort_out(items) if items else ([], [])
            for batch, upsert in ((new, False), (changed, True)):
                if batch:
                    result = self.writer.write(batch, organisation=self.organisation, upsert=upsert,
                                               keep_events=False)
                    self.out.created += result.created
                    self.out.updated += result.updated
                    self.out.unchanged += result.unchanged
            if rejected:
                runs.record_rejected_many(self.run, rejected)
            runs.report_progress(self.run, done=offset, counts=self.out.counts(),
                                 checkpoint={"offset": offset, "unmapped": dict(self.out.unmapped),
                                             "skipped_summaries": self.out.skipped_summaries,
                                             "skipped_elsewhere": self.out.skipped_elsewhere})
        if self.progress:
            self.progress(offset, None)


def import_polisen(run: ImportRun, stream, *, include_summaries=False, all_municipalities=False,
                   progress=None, size: int | None = None) -> Outcome:
    """Import a police feed stream (binary) into ``run``, finishing it. Raises FeedError for an
    unreadable file (after marking the run failed)."""
    counter = CountingReader(stream)
    started = time.monotonic()

    def on_progress(done, _total):
        total = None
        if size and counter.bytes_read:
            total = max(done, int(done * size / counter.bytes_read))
            runs.report_progress(run, total=total)
        if progress:
            progress(done, total)

    with runs.running(run):
        importer = PoliceImporter(run, include_summaries=include_summaries,
                                  all_municipalities=all_municipalities, progress=on_progress)
        skip = int((run.checkpoint or {}).get("offset", 0))
        stats = FeedStats()
        out = importer.import_stream(iter_notices(counter, stats), skip=skip)
        # Types met for the first time become mapping rows (in "Övrigt (polis)") an admin can edit.
        ensure_type_mappings(run.collaboration, out.unmapped)
        recoded = [{"notice": n, "id": i, "byte": b} for n, i, b in stats.recoded if n > skip]
        summary = {"unmapped_types": dict(out.unmapped.most_common()),
                   "skipped_summaries": out.skipped_summaries, "skipped_elsewhere": out.skipped_elsewhere,
                   "seconds": round(time.monotonic() - started, 3)}
        if recoded:
            summary["recoded_notices"] = recoded[:200]
            summary["recoded_count"] = len(recoded)
        out.recoded = recoded
        runs.finish_run(run, out.counts(), error=out.broken, summary=summary)
    return out


def import_polisen_file(collaboration, path, **kwargs) -> tuple[ImportRun, Outcome]:
    """Convenience for the CLI, tests and benchmarks: one run for one file."""
    path = Path(path)
    options = {"path": str(path.resolve()), "include_summaries": kwargs.get("include_summaries", False),
               "all_municipalities": kwargs.get("all_municipalities", False)}
    run = runs.start_run(collaboration, ImportRun.Kind.POLISEN, source=str(path), filename=path.name,
                         user=kwargs.pop("user", None), options=options)
    with open(path, "rb") as fh:
        out = import_polisen(run, fh, size=path.stat().st_size, **kwargs)
    return run, out


def resume_run(run: ImportRun, progress=None) -> ImportRun:
    """Continue a pending, interrupted or failed police run from its checkpoint."""
    path = (run.options or {}).get("path")
    if not path or not Path(path).exists():
        raise FeedError(_("This run read from standard input or its file is gone; run the import again "
                          "(notices already imported are not duplicated)."))
    with open(path, "rb") as fh:
        import_polisen(run, fh, include_summaries=bool(run.options.get("include_summaries")),
                       all_municipalities=bool(run.options.get("all_municipalities")),
                       progress=progress, size=Path(path).stat().st_size)
    run.refresh_from_db()
    return run


def reassign_named_areas(collaboration) -> int:
    """After the areas changed: point police events at their named areas again. Returns events changed."""
    from trygg.events.models import Event

    names = AreaNames(collaboration)
    changed = 0
    qs = Event.objects.filter(collaboration=collaboration, source=Source.POLISEN).only("pk", "source_data")
    pending = []
    for ev in qs.iterator(chunk_size=BATCH):
        data = ev.source_data or {}
        place = ((data.get("polisen") or {}).get("location") or {}).get("name")
        if not place:
            continue
        _precision, ids = names.lookup(str(place))
        if data.get("area_ids") != ids:
            ev.source_data = {**data, "area_ids": ids}
            pending.append(ev)
    with transaction.atomic():
        for start in range(0, len(pending), BATCH):
            from trygg.events.models import Event as E

            E.objects.bulk_update(pending[start:start + BATCH], ["source_data"])
    changed += len(pending)
    return changed
