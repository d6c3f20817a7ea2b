"""The short path of the spreadsheet import (fast_rows) against the shared rules (validate_chunk).

The short path may only take rows the shared path would accept, and must write them with the
same values; every other row goes to the shared path, which decides it with its own message.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from trygg.core.geo import to_sweref
from trygg.events import bulk_sql
from trygg.events.models import Category, Event
from trygg.events.services import iso_week_key
from trygg.imports import table_import
from trygg.imports.fast_rows import FastChunk, FastRows
from trygg.imports.mapping import Spec
from trygg.imports.models import RejectedRow
from trygg.imports.table_import import import_table, prepare, start_table_run, validate_chunk
from trygg.imports.tabular import TableRow

STHLM = ZoneInfo("Europe/Stockholm")
UTC = dt.UTC

FULL_SPEC = {
    "columns": {"external_id": "Id", "occurred_from": "Datum", "time_from": "Tid", "category": "Typ",
                "lat": "Lat", "lon": "Lon", "description": "Beskrivning", "visibility": "Synlighet",
                "police_notified": "Polis", "people_count": "Antal", "assessment": "Bedömning"},
    "date_format": "%Y-%m-%d", "time_format": "%H:%M",
    "category_values": {"Klotter på vägg": "klotter"},
}
FULL_HEADER = "Id;Datum;Tid;Typ;Lat;Lon;Beskrivning;Synlighet;Polis;Antal;Bedömning\n"

# A date-and-time column, no time column, SWEREF 99 TM metres, no id column (content hash ids).
SWEREF_SPEC = {
    "columns": {"occurred_from": "Datum", "category": "Typ", "x": "E", "y": "N", "description": "Beskrivning"},
    "coordinates": "sweref99tm", "date_format": "%Y-%m-%d %H:%M",
}
SWEREF_HEADER = "Datum;Typ;E;N;Beskrivning\n"

# Date only, no time column, day.month.year.
DATE_ONLY_SPEC = {
    "columns": {"external_id": "Id", "occurred_from": "Datum", "category": "Typ", "lat": "Lat", "lon": "Lon",
                "police_notified": "Polis"},
    "date_format": "%d.%m.%Y", "visibility": "restricted",
}
DATE_ONLY_HEADER = "Id;Datum;Typ;Lat;Lon;Polis\n"

LONG = "x" * django_settings.EVENT_DESCRIPTION_MAX


def _tomorrow() -> str:
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


def full_rows() -> list[str]:
    """A wide mix of plain, doubtful and bad rows for FULL_SPEC (one line per case)."""
    tomorrow = _tomorrow()
    today = timezone.localdate().isoformat()
    return [
        "1;2024-03-01;14:30;Klotter på vägg;59,50;17,85;Tag på skolan;;;;",  # comma decimals, mapped value
        "2;2024-03-02;7:05;glaskross;59.55;17.95;Busskur;;;;",  # a subcategory in the category column
        "3;2024-03-03;23:59;Brand;59.46;17.91;;;;;",  # Sunday 23:59: last minute of week 9
        "4;2024-03-04;00:00;Brand;59.46;17.91;;;;;",  # Monday 00:00: first minute of week 10
        "5;2023-12-31;23:59;brand;59.47;17.82;nyårsafton;;;;",  # ISO week 2023-52
        "6;2024-01-01;00:00;BRAND;59.47;17.82;nyårsdagen;;;;",  # ISO week 2024-01
        "7;2020-12-31;12:00;Brand;59.47;17.82;;;;;",  # ISO week 2020-53
        "8;2021-01-03;23:59;Brand;59.47;17.82;;;;;",  # still ISO week 2020-53
        "9;2024-12-30;00:00;Brand;59.47;17.82;;;;;",  # ISO week 2025-01
        "10;2024-03-31;02:30;Brand;59.5;17.85;vårnatt;;;;",  # the hour that does not exist (DST)
        "11;2024-10-27;02:30;Brand;59.5;17.85;höstnatt;;;;",  # the hour that happens twice (DST)
        "12;2024-03-31;12:00;Brand;59.5;17.85;;;;;",  # the day of the spring change, at noon
        "13;2024-10-27;00:00;Brand;59.5;17.85;;;;;",  # the day of the autumn change, at midnight
        "14;2024-03-05;10:00;Okänd typ;59.5;17.85;;;;;",  # unknown category
        "15;;10:00;Brand;59.5;17.85;;;;;",  # empty date
        "16;2024-02-31;10:00;Brand;59.5;17.85;;;;;",  # impossible date
        f"17;{tomorrow};10:00;Brand;59.5;17.85;;;;;",  # future
        "18;2099-01-01;00:00;Brand;59.5;17.85;;;;;",  # far future
        "19;2024-03-05;25:00;Brand;59.5;17.85;;;;;",  # impossible time
        "20;2024-03-05;;Brand;59.5;17.85;utan tid;;;;",  # empty time: the day's midnight
        "21;2024-03-05;10:00;Brand;48.85;2.35;Paris;;;;",  # outside Sweden
        "22;2024-03-05;10:00;Brand;17.85;59.5;omvänd;;;;",  # swapped lat/lon
        "23;2024-03-05;10:00;Brand;59.3;18.5;Stockholm;;;;",  # in Sweden, outside the municipality
        "24;2024-03-05;10:00;Brand;;;;;;;",  # no coordinates
        "25;2024-03-05;10:00;Brand;59.5;;;;;;",  # half the coordinates
        "26;2024-03-05;10:00;Brand;norr;17.85;;;;;",  # not a number
        f"27;2024-03-05;10:00;Brand;59.5;17.85;{LONG};;;;",  # exactly the longest description
        f"28;2024-03-05;10:00;Brand;59.5;17.85;{LONG}x;;;;",  # one character too long
        f"29;2024-03-05;10:00;Brand;59.5;17.85;  {LONG}  ;;;;",  # the longest, padded with spaces
        "30;2024-03-05;10:00;Brand;59.5;17.85;;restricted;;;",  # visibility: valid
        "31;2024-03-05;10:00;Brand;59.5;17.85;;partners;;;",
        "32;2024-03-05;10:00;Brand;59.5;17.85;;hemlig;;;",  # visibility: invalid
        "33;2024-03-05;10:00;Brand;59.5;17.85;; restricted ;;;",  # visibility with spaces
        "34;2024-03-05;10:00;Brand;59.5;17.85;;Restricted;;;",  # visibility in another case
        "35;2024-03-05;10:00;Brand;59.5;17.85;;;ja;;",  # police notified: yes
        "36;2024-03-05;10:00;Brand;59.5;17.85;;;Nej;;",
        "37;2024-03-05;10:00;Brand;59.5;17.85;;; X ;;",
        "38;2024-03-05;10:00;Brand;59.5;17.85;;;1;;",
        "39;2024-03-05;10:00;Brand;59.5;17.85;;;;4;",  # people count: valid
        "40;2024-03-05;10:00;Brand;59.5;17.85;;;;-3;",  # people count: invalid
        "41;2024-03-05;10:00;Brand;59.5;17.85;;;;;2",  # assessment: valid
        "42;2024-03-05;10:00;Brand;59.5;17.85;;;;;7",  # assessment: invalid
        "43;2024-03-05;10:00;Brand;59.5;17.85;;;;many;",  # people count: not a number
        "44;2024-03-05;10:00;Brand;59.96;17.955;;;;;",  # outside (north of the box)
        "45;2024-03-05;10:00;Brand;59.53;17.96;sjön;;;;",  # the lake: in the municipality, in no district
        "46;2024-03-05;10:00;Brand;59.45;17.80;hörnet;;;;",  # the boundary's corner
        "47;2024-03-05;10:00;Brand;59.5;17.90;gränsen;;;;",  # on the line between the districts
        "48;2024-03-05;10:00;Brand;59.5;17.85;;;;;",  # plain
        "48;2024-03-06;10:00;Brand;59.5;17.85;samma id;;;;",  # the same id again
        "50;2024-03-05;10:00;rykten;59.5;17.85;;;;;",  # a retired category
        "51;2024-03-05;10:00;grovavfall;59.5;17.85;;;;;",  # a retired subcategory
        "52;2024-03-05;10:00;Nedskräpning;59.5;17.85;;;;;",  # the retired subcategory's parent
        "53;2024-03-05;10:00;Fire;59.5;17.85;english name;;;;",
        "54;2024-03-05;10:00;Brand;59.5e0;1785e-2;exponent;;;;",
        "55;2024-03-05;10:00;Brand; 59.5 ; 17.85 ;spaces;;;;",
        "56;2024-03-05;10:00;Brand;59 500;17.85;space inside;;;;",
        "57;2024-03-05;10:00;Brand;nan;17.85;;;;;",
        "58;2024-03-05;10:00;Brand;inf;-inf;;;;;",
        "59;2024-03-05;10:00;Brand;\u221259.5;17.85;minus sign;;;;",
        f"60;{today};00:00;Brand;59.5;17.85;today;;;;",
        "61; 2024-03-05 ;10:00;Brand;59.5;17.85;date with spaces;;;;",
        "62;2024-03-05; 10:00 ;Brand;59.5;17.85;time with spaces;;;;",
        "63;2024-3-5;9:5;Brand;59.5;17.85;unpadded;;;;",
        "64;05/03/2024;10:00;Brand;59.5;17.85;other date format;;;;",
        "65;2024-03-05;10.00;Brand;59.5;17.85;other time format;;;;",
        "66;2024-03-05;10:00;;59.5;17.85;no category;;;;",
        "67;2024-03-05;10:00;Brand;59.5;17.85;too;many;cells;here;x;y",  # a row with more cells than columns
        ";2024-03-05;10:00;Brand;59.5;17.85;no id;;;;",  # an empty id: content hash
        "69;2024-03-05;10:00;  Brand  ;59.5;17.85;;;;;",
        "70;2024-03-05;10:00;Brand;59,5;17.85;;;;;",
        "71;2024-03-05;10:00:00;Brand;59.5;17.85;seconds;;;;",
        "72;2024-03-05;10:00;Brand;59.5;17.85;;;;0;",  # people count zero
        f"{'A' * 95};2024-03-05;10:00;Brand;59.5;17.85;an id just short enough;;;;",
        f"{'B' * 120};2024-03-05;10:00;Brand;59.5;17.85;a long id: hashed;;;;",
        " 75 ;2024-03-05;10:00;Brand;59.5;17.85;an id with spaces;;;;",
    ]


def sweref_rows() -> list[str]:
    inside = to_sweref(17.85, 59.5)
    east = to_sweref(17.95, 59.55)
    outside = to_sweref(18.5, 59.3)
    lake = to_sweref(17.96, 59.53)
    x, y = inside
    return [
        f"2024-03-01 00:00;brand;{x:.1f};{y:.1f};midnatt",
        f"2024-03-01 10:00;brand;{x:.1f};{y:.1f};med tid",
        f"2024-03-01 00:00;klotter;{east[0]:.3f};{east[1]:.3f};öster",
        f"2024-03-01 00:00;brand;{str(round(x, 2)).replace('.', ',')};{str(round(y, 2)).replace('.', ',')};komma",
        f"2024-03-01 00:00;brand;{y:.1f};{x:.1f};omvända",
        f"2024-03-01 00:00;brand;{outside[0]:.1f};{outside[1]:.1f};utanför",
        f"2024-03-01 00:00;brand;{lake[0]:.1f};{lake[1]:.1f};sjön",
        "2024-03-01 00:00;brand;500000;5000000;långt söderut",
        "2024-03-01 00:00;brand;;;inga koordinater",
        f"2024-03-31 00:00;brand;{x:.1f};{y:.1f};sommartid börjar",
        f"2024-03-31 02:30;brand;{x:.1f};{y:.1f};timmen som saknas",
        f"2024-10-27 00:00;brand;{x:.1f};{y:.1f};sommartid slutar",
        f"2024-10-27 02:30;brand;{x:.1f};{y:.1f};timmen två gånger",
        f"2024-02-30 00:00;brand;{x:.1f};{y:.1f};omöjligt datum",
        f"2099-02-01 00:00;brand;{x:.1f};{y:.1f};framtid",
        f"2024-03-01;brand;{x:.1f};{y:.1f};utan tid",
        f"2024-03-03 00:00;okänd;{x:.1f};{y:.1f};okänd kategori",
        f"2024-03-04 00:00;brand;{x:.1f};{y:.1f};{LONG}y",
        f"2024-03-04 00:00;brand;{x:.1f};{y:.1f};midnatt",  # the first row again: the same hash id
    ]


def date_only_rows() -> list[str]:
    return [
        "1;01.03.2024;brand;59.5;17.85;ja",
        "2;31.03.2024;brand;59.5;17.85;",  # spring DST day
        "3;27.10.2024;brand;59.5;17.85;",  # autumn DST day
        "4;31.12.2023;brand;59.5;17.85;",
        "5;01.01.2024;glaskross;59.55;17.95;nej",
        "6;29.02.2023;brand;59.5;17.85;",  # not a leap year
        "7;01.03.2024;brand;17.85;59.5;",  # swapped
        "8;01.03.2024 10:00;brand;59.5;17.85;",  # a time the format does not have
        "9;;brand;59.5;17.85;",
        "10;01.03.2024;brand;59.3;18.5;",
    ]


def write(tmp_path, lines, header, name="a.csv"):
    path = tmp_path / name
    path.write_bytes((header + "\n".join(lines) + "\n").encode("utf-8"))
    return path


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def retired(collab_a):
    """A retired category and a retired subcategory, which the shared rules refuse."""
    Category.objects.filter(collaboration=collab_a, code__in=["rykten", "grovavfall"]).update(is_active=False)
    return collab_a


def prepared(path, spec_dict, collab, org):
    spec = Spec.from_dict(dict(spec_dict))
    prep = prepare(path, spec, collab, org)
    return prep, list(prep.table.rows())


def _fast_when(value) -> dt.datetime:
    when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return when.replace(tzinfo=UTC)


def event_rows(chunk: FastChunk) -> list[tuple]:
    """The short path's event rows (EVENT_COLUMNS without "id"), whether kept as tuples or flat."""
    if hasattr(chunk, "event_rows"):
        return [tuple(r) for r in chunk.event_rows()]
    if hasattr(chunk, "events"):
        return [tuple(r) for r in chunk.events]
    width = len(bulk_sql.EVENT_COLUMNS) - 1
    return [tuple(chunk.values[i:i + width]) for i in range(0, len(chunk.values), width)]


def area_links(chunk: FastChunk) -> list[tuple]:
    """(event index, area id, category id, week) of the short path's events."""
    if hasattr(chunk, "links"):
        return [tuple(r) for r in chunk.links]
    return [tuple(chunk.link_values[i:i + 4]) for i in range(0, len(chunk.link_values), 4)]


def fast_values(prep, chunk: FastChunk, k: int) -> dict:
    row = event_rows(chunk)[k]
    return {
        "category": row[4], "subcategory": row[5], "occurred_from": _fast_when(row[6]), "occurred_to": row[7],
        "iso_week": row[8], "lat": row[9], "lon": row[10], "x": row[11], "y": row[12], "precision": row[13],
        "place": row[14], "outside": row[15], "description": row[16], "people_count": row[17],
        "assessment": row[18], "police_notified": row[19], "visibility": row[20], "source": row[21],
        "external_id": row[22], "areas": sorted(area for i, area, _c, _w in area_links(chunk) if i == k),
    }


def shared_values(prep, item) -> dict:
    x, y = to_sweref(item.lon, item.lat)
    areas = sorted(prep.writer.assign_areas([item])[0])
    return {
        "category": item.category_id, "subcategory": item.subcategory_id,
        "occurred_from": item.occurred_from.astimezone(UTC), "occurred_to": item.occurred_to,
        "iso_week": iso_week_key(item.occurred_from), "lat": item.lat, "lon": item.lon, "x": float(x), "y": float(y),
        "precision": item.precision, "place": item.place_id, "outside": not areas, "description": item.description,
        "people_count": item.people_count, "assessment": item.assessment, "police_notified": item.police_notified,
        "visibility": item.visibility, "source": item.source, "external_id": item.external_id, "areas": areas,
    }


def _same(fast: dict, shared: dict) -> bool:
    for key, mine in fast.items():
        if key in ("x", "y"):
            if abs(mine - shared[key]) > 1e-6:
                return False
        elif mine != shared[key]:
            return False
    return True


def _rejections(bad) -> list[tuple]:
    return [(r.row, r.column, r.reason, r.raw) for r in bad]


def check_equivalence(prep, rows, org, now=None) -> FastChunk:
    """(a) every row the short path took is accepted by the shared path with the same values;
    (b) short path + shared path on the rest == shared path on everything."""
    now = now or timezone.now()
    fast = FastRows(prep, organisation_id=org.pk, user_id=None)
    chunk = fast.prepare(rows, now)
    kept, inputs, bad = validate_chunk(prep, rows, now)
    accepted = {row.number: item for row, item in zip(kept, inputs)}
    by_number = {row.number: row for row in rows}

    # (a)
    assert len(event_rows(chunk)) == len(chunk.numbers) == len(chunk.external_ids)
    for i, _area, category, week in area_links(chunk):
        row = event_rows(chunk)[i]
        assert (category, week) == (row[4], row[8])
    for k, number in enumerate(chunk.numbers):
        raw = by_number[number].raw()
        assert number in accepted, f"the short path took row {number} ({raw!r}), which the shared path refuses"
        mine, theirs = fast_values(prep, chunk, k), shared_values(prep, accepted[number])
        assert _same(mine, theirs), f"row {number} ({raw!r}): short path {mine} != shared path {theirs}"
        assert chunk.external_ids[k] == theirs["external_id"]
        assert mine["iso_week"] in chunk.weeks

    # (b)
    taken = set(chunk.numbers)
    assert not taken & {r.number for r in chunk.rest}, "a row both taken and handed on"
    assert taken | {r.number for r in chunk.rest} == set(by_number), "a row got lost"
    kept2, inputs2, bad2 = validate_chunk(prep, chunk.rest, now)
    union = sorted(list(zip(chunk.numbers, chunk.external_ids))
                   + [(row.number, item.external_id) for row, item in zip(kept2, inputs2)])
    assert union == sorted((row.number, item.external_id) for row, item in zip(kept, inputs))
    assert _rejections(bad2) == _rejections(bad)
    return chunk


# --- (a) and (b) on fixed files -----------------------------------------------------------------
def test_it_takes_only_rows_the_shared_rules_accept_with_the_same_values(tmp_path, retired, org_a):
    prep, rows = prepared(write(tmp_path, full_rows(), FULL_HEADER), FULL_SPEC, retired, org_a)
    chunk = check_equivalence(prep, rows, org_a)
    assert len(chunk.numbers) >= 20  # the plain rows did take the short path
    assert chunk.rest  # and the doubtful ones did not


def test_it_hands_every_doubtful_row_to_the_shared_path(tmp_path, retired, org_a):
    prep, rows = prepared(write(tmp_path, full_rows(), FULL_HEADER), FULL_SPEC, retired, org_a)
    chunk = FastRows(prep, organisation_id=org_a.pk, user_id=None).prepare(rows, timezone.now())
    ids = {row.number: row.cells[0] for row in rows}
    handed_on = {ids[row.number] for row in chunk.rest}
    # the DST nights, the future, every rejection and every row with an extra field
    for must in ["10", "11", "14", "15", "16", "17", "18", "19", "21", "22", "23", "24", "25", "26", "28",
                 "32", "39", "40", "41", "42", "43", "50", "51", "67"]:
        assert must in handed_on, f"row with id {must} should go to the shared path"


def test_it_agrees_with_the_shared_rules_on_a_sweref_file_without_a_time_column(tmp_path, collab_a, org_a):
    prep, rows = prepared(write(tmp_path, sweref_rows(), SWEREF_HEADER), SWEREF_SPEC, collab_a, org_a)
    chunk = check_equivalence(prep, rows, org_a)
    assert chunk.numbers


def test_it_agrees_with_the_shared_rules_on_a_date_only_file(tmp_path, collab_a, org_a):
    prep, rows = prepared(write(tmp_path, date_only_rows(), DATE_ONLY_HEADER), DATE_ONLY_SPEC, collab_a, org_a)
    chunk = check_equivalence(prep, rows, org_a)
    assert chunk.numbers
    assert {fast_values(prep, chunk, k)["visibility"] for k in range(len(chunk.numbers))} == {"restricted"}


def test_it_agrees_with_the_shared_rules_when_every_row_is_swapped(tmp_path, collab_a, org_a):
    lines = ["1;2024-03-01;10:00;Brand;17.85;59.5;;;;;", "2;2024-03-02;11:00;Brand;17,95;59,55;;;;;",
             "3;2024-03-03;12:00;Brand;18.5;59.3;utanför;;;;"]
    prep, rows = prepared(write(tmp_path, lines, FULL_HEADER), FULL_SPEC, collab_a, org_a)
    assert prep.converter.swap
    chunk = check_equivalence(prep, rows, org_a)
    assert len(chunk.numbers) == 2


def test_it_agrees_with_the_shared_rules_on_a_sweref_file_with_swapped_columns(tmp_path, collab_a, org_a):
    x, y = to_sweref(17.85, 59.5)
    lines = [f"2024-03-01 00:00;brand;{y:.1f};{x:.1f};", f"2024-03-02 00:00;brand;{y + 5:.1f};{x + 5:.1f};"]
    prep, rows = prepared(write(tmp_path, lines, SWEREF_HEADER), SWEREF_SPEC, collab_a, org_a)
    assert prep.converter.swap
    chunk = check_equivalence(prep, rows, org_a)
    assert len(chunk.numbers) == 2


def test_it_agrees_with_the_shared_rules_on_the_spring_and_autumn_nights_hour_by_hour(tmp_path, collab_a, org_a):
    lines = [f"{day}{h};{day};{h:02d}:{m:02d};Brand;59.5;17.85;;;;;"
             for day in ("2024-03-30", "2024-03-31", "2024-04-01", "2024-10-26", "2024-10-27", "2024-10-28")
             for h in range(24) for m in (0, 30, 59)]
    prep, rows = prepared(write(tmp_path, lines, FULL_HEADER), FULL_SPEC, collab_a, org_a)
    check_equivalence(prep, rows, org_a)


def test_a_row_just_before_and_after_the_future_limit_is_decided_alike(tmp_path, collab_a, org_a):
    now = dt.datetime(2024, 5, 6, 10, 0, tzinfo=STHLM)
    lines = [f"{m};2024-05-06;10:{m:02d};Brand;59.5;17.85;;;;;" for m in range(10)]
    prep, rows = prepared(write(tmp_path, lines, FULL_HEADER), FULL_SPEC, collab_a, org_a)
    chunk = check_equivalence(prep, rows, org_a, now=now)
    assert len(chunk.numbers) == 6  # 10:00 ... 10:05 (five minutes of clock skew)


# --- (a) and (b) on generated rows ----------------------------------------------------------------
def _decimal(lo, hi):
    return st.floats(lo, hi, allow_nan=False).map(lambda v: f"{v:.5f}") | \
        st.floats(lo, hi, allow_nan=False).map(lambda v: f"{v:.4f}".replace(".", ","))


def _cells():
    tomorrow = _tomorrow()
    ids = st.sampled_from([str(i) for i in range(1, 15)] + [""])
    dates = st.sampled_from(["2024-03-01", "2023-12-31", "2024-01-01", "2020-12-31", "2021-01-03", "2024-03-31",
                             "2024-10-27", "2024-02-31", "2024-02-29", "2023-02-29", "2099-01-01", tomorrow, "",
                             " 2024-03-02", "01/03/2024", "2024-3-1", "x"]) | \
        st.dates(dt.date(2019, 1, 1), dt.date(2026, 12, 31)).map(dt.date.isoformat)
    times = st.sampled_from(["00:00", "23:59", "02:30", "02:00", "03:00", "14:30", "7:05", "", " 08:15 ", "24:00",
                             "12:60", "1430", "10.00", "10:00:00"]) | \
        st.times().map(lambda t: t.strftime("%H:%M"))
    categories = st.sampled_from(["Brand", "brand", " Brand ", "BRAND", "Klotter på vägg", "klotter",
                                  "Klotter/graffiti", "glaskross", "Skadegörelse", "Fire", "Okänd", "", "rykten",
                                  "grovavfall", "Nedskräpning", "1", "hot-mot-anstalld"])
    lats = _decimal(59.40, 59.65) | st.sampled_from(["", "nan", "abc", "17.85", "48.85", "59.5", "59,5", "1e1",
                                                     "\u221259.5", " 59.5 ", "59 5"])
    lons = _decimal(17.75, 18.05) | st.sampled_from(["", "inf", "59.5", "2.35", "17.85", "17,85", "18.5"])
    text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
    descriptions = st.sampled_from(["", "Tag", "  padded  ", LONG, LONG + "x", f" {LONG} "]) | text
    visibilities = st.sampled_from(["", "", "partners", "restricted", "hemlig", " restricted ", "Partners"])
    police = st.sampled_from(["", "ja", "Nej", "X", "1", "true", "0"])
    people = st.sampled_from(["", "", "", "", "3", "-1", "abc", " "])
    assessment = st.sampled_from(["", "", "", "", "2", "5", "x"])
    return st.tuples(ids, dates, times, categories, lats, lons, descriptions, visibilities, police, people,
                     assessment)


def test_generated_rows_are_decided_alike_by_both_paths(tmp_path, retired, org_a):
    prep, _rows = prepared(write(tmp_path, full_rows()[:3], FULL_HEADER), FULL_SPEC, retired, org_a)
    errors = st.sampled_from([""] * 9 + ["The row has 12 cells but the header has 11 columns."])

    @hsettings(max_examples=150, deadline=None, derandomize=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.lists(st.tuples(_cells(), errors), min_size=1, max_size=25))
    def check(generated):
        rows = [TableRow(n, list(cells), error) for n, (cells, error) in enumerate(generated, start=2)]
        check_equivalence(prep, rows, org_a)

    check()


def test_generated_sweref_rows_are_decided_alike_by_both_paths(tmp_path, collab_a, org_a):
    prep, _rows = prepared(write(tmp_path, sweref_rows()[:2], SWEREF_HEADER), SWEREF_SPEC, collab_a, org_a)
    dates = st.sampled_from(["2024-03-01 00:00", "2024-03-01 10:00", "2024-03-31 00:00", "2024-10-27 00:00",
                             "2024-03-01", "2099-01-01 00:00", "", "2024-02-30 00:00"])
    eastings = st.floats(640_000, 700_000, allow_nan=False).map(lambda v: f"{v:.1f}") | \
        st.sampled_from(["", "x", "6600000", "nan"])
    northings = st.floats(6_570_000, 6_620_000, allow_nan=False).map(lambda v: f"{v:.2f}".replace(".", ",")) | \
        st.sampled_from(["", "670000", "1e7"])

    @hsettings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.tuples(dates, st.sampled_from(["brand", "klotter", "okänd", ""]), eastings, northings,
                              st.sampled_from(["", "ok", LONG + "!"])), min_size=1, max_size=20))
    def check(generated):
        rows = [TableRow(n, list(cells)) for n, cells in enumerate(generated, start=2)]
        check_equivalence(prep, rows, org_a)

    check()


def test_generated_rows_with_spreadsheet_cell_types_are_decided_alike(tmp_path, retired, org_a):
    """XLSX rows carry numbers, dates, times, booleans and None, not only text."""
    prep, _rows = prepared(write(tmp_path, full_rows()[:3], FULL_HEADER), FULL_SPEC, retired, org_a)
    ids = st.sampled_from([None, "7", 7, 7.0, 12.5, ""])
    dates = st.sampled_from([dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 1, 10, 30), dt.date(2024, 3, 2),
                             dt.datetime(2024, 3, 31, 2, 30), "2024-03-01", None, 45000, 45000.5])
    times = st.sampled_from([dt.time(10, 0), dt.time(0, 0), "10:00", None, 0.5, dt.datetime(2024, 3, 1, 8, 0)])
    categories = st.sampled_from(["Brand", None, 5, 5.0, True])
    lats = st.floats(59.40, 59.65, allow_nan=False) | st.sampled_from([None, 59, True, "59,5"])
    lons = st.floats(17.75, 18.05, allow_nan=False) | st.sampled_from([None, 18, False, "17.85"])
    descriptions = st.sampled_from([None, "", "Tag", 12, 3.5, dt.date(2024, 1, 1), True])
    visibilities = st.sampled_from([None, "restricted", 1])
    police = st.sampled_from([None, True, False, 1, 1.0, 0, "ja"])
    extra = st.sampled_from([None, None, "", 2, 2.0])
    cells = st.tuples(ids, dates, times, categories, lats, lons, descriptions, visibilities, police, extra, extra)

    @hsettings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(cells, min_size=1, max_size=20))
    def check(generated):
        rows = [TableRow(n, list(values)) for n, values in enumerate(generated, start=2)]
        check_equivalence(prep, rows, org_a)

    check()


# --- (c) end to end -----------------------------------------------------------------------------------
def _snapshot(run) -> tuple[dict, list, dict]:
    from trygg.events.models import EventArea

    areas: dict[int, set] = {}
    for event_id, area_id in EventArea.objects.values_list("event_id", "area_id"):
        areas.setdefault(event_id, set()).add(area_id)
    events = {}
    for e in Event.objects.all():
        events[e.external_id] = (
            e.category_id, e.subcategory_id, e.occurred_from, e.occurred_to, e.lat, e.lon, round(e.x, 3),
            round(e.y, 3), e.iso_week, e.outside, e.description, e.visibility, e.police_notified, e.source,
            e.precision, e.people_count, e.assessment, e.organisation_id, e.created_by_id, e.collaboration_id,
            frozenset(areas.get(e.pk, ())),
        )
    rejected = list(RejectedRow.objects.filter(run=run).order_by("row").values_list("row", "field", "reason", "raw"))
    counts = {k: getattr(run, k) for k in ("read", "created", "updated", "unchanged", "rejected")}
    return events, rejected, counts


def _import(path, spec_dict, org, user, chunk_size):
    spec = Spec.from_dict(dict(spec_dict))
    run = start_table_run(path, spec, organisation=org, user=user)
    import_table(run, path, spec, organisation=org, user=user, chunk_size=chunk_size)
    run.refresh_from_db()
    return run


def _all_to_shared(self, rows, now):
    return FastChunk(rest=list(rows))


@pytest.mark.parametrize("spec_dict, header, lines", [
    (FULL_SPEC, FULL_HEADER, full_rows),
    (SWEREF_SPEC, SWEREF_HEADER, sweref_rows),
    (DATE_ONLY_SPEC, DATE_ONLY_HEADER, date_only_rows),
], ids=["wgs84-with-time", "sweref-without-time", "date-only"])
@pytest.mark.parametrize("chunk_size", [1000, 7])
def test_importing_with_and_without_the_short_path_gives_the_same_events_and_rejections(
        tmp_path, retired, org_a, coordinator_a, monkeypatch, spec_dict, header, lines, chunk_size):
    from trygg.imports.models import ImportRun

    monkeypatch.setattr(table_import, "READ_AHEAD", False)  # the spy below counts in this process
    path = write(tmp_path, lines(), header)
    taken = []
    real_prepare = FastRows.prepare

    def spy(self, rows, now):
        chunk = real_prepare(self, rows, now)
        taken.extend(chunk.numbers)
        return chunk

    monkeypatch.setattr(FastRows, "prepare", spy)
    with_short = _import(path, spec_dict, org_a, coordinator_a, chunk_size)
    assert taken, "the short path took no row: the comparison would prove nothing"
    first = _snapshot(with_short)

    Event.objects.all().delete()
    ImportRun.objects.all().delete()
    monkeypatch.setattr(FastRows, "prepare", _all_to_shared)
    without = _import(path, spec_dict, org_a, coordinator_a, chunk_size)
    second = _snapshot(without)

    assert with_short.status == without.status == ImportRun.Status.DONE
    assert first[2] == second[2]
    assert first[1] == second[1]
    assert set(first[0]) == set(second[0])
    for ext in first[0]:
        assert first[0][ext] == second[0][ext], ext


def test_a_repeated_import_after_the_short_path_changes_nothing(tmp_path, retired, org_a, monkeypatch):
    monkeypatch.setattr(table_import, "READ_AHEAD", False)
    lines = [line for line in full_rows() if not line.startswith(("10;", "11;"))]  # the DST nights: below
    path = write(tmp_path, lines, FULL_HEADER)
    first = _import(path, FULL_SPEC, org_a, None, 1000)
    events = _snapshot(first)[0]
    again = _import(path, FULL_SPEC, org_a, None, 1000)
    assert (again.created, again.updated) == (0, 0)
    assert again.unchanged == first.created + first.updated + first.unchanged
    assert _snapshot(again)[0] == events


def test_a_repeated_import_of_times_in_the_dst_nights_changes_nothing(tmp_path, collab_a, org_a, monkeypatch):
    from trygg.events.models import EventHistory

    monkeypatch.setattr(table_import, "READ_AHEAD", False)
    path = write(tmp_path, [line for line in full_rows() if line.startswith(("10;", "11;", "48;"))], FULL_HEADER)
    first = _import(path, FULL_SPEC, org_a, None, 1000)
    assert first.created == 3
    again = _import(path, FULL_SPEC, org_a, None, 1000)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert not EventHistory.objects.exists()
