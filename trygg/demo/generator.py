"""Synthetic events for the demo, with a planted, documented structure (see docs/demo.md).

Pure: no database. ``generate(seed=..., years=..., scale=..., end=...)`` returns the same list of
events for the same arguments. What is planted (the tests in trygg/demo/tests check each one):

- weekly rhythm: more on Fridays and Saturdays (``WEEKDAY_FACTOR``);
- daily rhythm: evenings and nights, few in the morning (``HOUR_WEIGHTS``);
- a summer dip in July (``MONTH_FACTOR``);
- two persistent hot spots with elevated rates for the whole period (``PERSISTENT_HOTSPOTS``);
- one hot spot that emerges in the last six weeks (``EMERGING_HOTSPOT``, ``EMERGING_WEEKS``);
- an intervention: vandalism (skadegörelse) in one district halves from a known date
  (``INTERVENTION_DISTRICT``, ``INTERVENTION_DATE``, ``INTERVENTION_KEEP``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np
import shapely

from . import geometry

STOCKHOLM = ZoneInfo("Europe/Stockholm")
UTC = dt.timezone.utc

DEFAULT_SEED = 2026
DEFAULT_YEARS = 3

# Background events per day at scale 1 (spread over the districts by their weights).
BACKGROUND_PER_DAY = 30.0
# Monday … Sunday.
WEEKDAY_FACTOR = (0.85, 0.85, 0.90, 0.95, 1.35, 1.50, 1.00)
# Local hour of the day 0 … 23: nights and evenings, quiet mornings.
HOUR_WEIGHTS = (
    7, 6, 5, 3, 2, 1.5, 1.5, 1.5, 2, 2, 2, 2.5,
    3, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 9, 8,
)
# Month 1 … 12: the July dip (people are away on holiday).
MONTH_FACTOR = (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.55, 1.0, 1.0, 1.0, 1.0, 0.95)

# Persistent hot spots: place key → extra events per day at scale 1, for the whole period.
PERSISTENT_HOTSPOTS = {"station": 2.5, "vilundaparken": 1.8}
HOTSPOT_SPREAD_M = 60.0  # standard deviation of the scatter around the place, metres
# The emerging hot spot: nothing special until the last EMERGING_WEEKS weeks, then this rate.
EMERGING_HOTSPOT = "smedby-skola"
EMERGING_WEEKS = 6
EMERGING_PER_DAY = 1.5

# The intervention: from this date on, only INTERVENTION_KEEP of the vandalism in this district
# happens (the rest is "prevented"). If the date is not inside the generated period (at least 60
# days from either end), the middle day of the period is used instead; ``intervention_date()``
# says which date a run used.
INTERVENTION_DISTRICT = "D02"  # Runby (demoområde)
INTERVENTION_DATE = dt.date(2025, 3, 3)
INTERVENTION_KEEP = 0.5
VANDALISM = "skadegorelse"

# Category mixes (subcategory or category code → weight).
BACKGROUND_MIX = {
    "klotter": 14, "glaskross": 5, "annan-skadegorelse": 5,
    "brand-soptunna": 3, "brand-fordon": 1, "brand-byggnad": 0.3, "grovavfall": 8,
    "samling-trapphus": 3, "samling-centrum": 3, "samling-utomhus": 4, "ungdomar-stor": 4,
    "brak": 4, "hot": 2, "misshandel": 1,
    "misstankt-droghandel": 3, "oppen-droghandel": 0.7, "langning": 1,
    "inbrott": 3, "stold": 5, "ran": 0.5, "hot-mot-anstalld": 1,
    "moped-gangvag": 4, "buskorning": 2, "epa": 2, "olovligt-boende": 1, "tillhyggen": 0.5,
    "belysning": 3, "siktlinjer": 2, "ode-plats": 1, "bristande-underhall": 2, "otrygg-trafik": 1,
    "trygg-plats": 1, "rykten": 0.5, "arrangemang": 0.5,
}
HOTSPOT_MIX = {
    "station": {
        "samling-centrum": 25, "brak": 10, "hot": 5, "misstankt-droghandel": 10, "oppen-droghandel": 5,
        "stold": 10, "klotter": 10, "glaskross": 5, "grovavfall": 5, "ungdomar-stor": 5, "hot-mot-anstalld": 3,
    },
    "vilundaparken": {
        "klotter": 20, "glaskross": 10, "brand-soptunna": 15, "samling-utomhus": 15, "ungdomar-stor": 10,
        "epa": 5, "moped-gangvag": 5, "belysning": 5, "misstankt-droghandel": 10,
    },
    "smedby-skola": {
        "samling-utomhus": 30, "ungdomar-stor": 20, "klotter": 15, "glaskross": 10, "brand-soptunna": 10,
        "moped-gangvag": 15,
    },
}
# Subcategory → its main category (for the vandalism rule and the reporting organisations).
MAIN = {
    **{c: "skadegorelse" for c in ("klotter", "glaskross", "annan-skadegorelse")},
    **{c: "brand" for c in ("brand-soptunna", "brand-fordon", "brand-byggnad")},
    "grovavfall": "nedskrapning",
    **{c: "samling" for c in ("samling-trapphus", "samling-centrum", "samling-utomhus", "ungdomar-stor")},
    **{c: "ordningsstorning" for c in ("brak", "hot", "misshandel")},
    **{c: "narkotika" for c in ("misstankt-droghandel", "oppen-droghandel", "langning")},
    **{c: "inbrott-stold-ran" for c in ("inbrott", "stold", "ran")},
    **{c: "olovlig-trafik" for c in ("moped-gangvag", "buskorning", "epa")},
    **{c: "otrygg-plats" for c in ("belysning", "siktlinjer", "ode-plats", "bristande-underhall", "otrygg-trafik")},
}
# Which partner reports what: main category → {organisation key: weight}.
ORG_MIX = {
    "skadegorelse": {"kommun": 3, "vasbyhem": 4, "bevakning": 2, "bid": 1},
    "brand": {"raddning": 6, "vasbyhem": 2, "kommun": 1},
    "nedskrapning": {"kommun": 3, "vasbyhem": 3},
    "samling": {"bevakning": 3, "polis": 2, "kommun": 2, "bid": 1, "vasbyhem": 2},
    "ordningsstorning": {"polis": 5, "bevakning": 2},
    "narkotika": {"polis": 6, "kommun": 1},
    "inbrott-stold-ran": {"polis": 5, "vasbyhem": 1, "bid": 1},
    "hot-mot-anstalld": {"kommun": 2, "bevakning": 2, "polis": 1},
    "olovlig-trafik": {"polis": 3, "kommun": 2},
    "olovligt-boende": {"kommun": 2, "vasbyhem": 2},
    "tillhyggen": {"polis": 2, "kommun": 1},
    "otrygg-plats": {"kommun": 5, "bid": 1, "vasbyhem": 1},
    "trygg-plats": {"kommun": 1},
    "arrangemang": {"kommun": 1},
    "rykten": {"kommun": 2, "polis": 1},
}
ORG_KEYS = ("kommun", "polis", "raddning", "vasbyhem", "bid", "bevakning")
# Share of events given as a time window (found afterwards, e.g. vandalism seen in the morning).
WINDOW_SHARE = {"skadegorelse": 0.35, "brand": 0.15, "nedskrapning": 0.5, "inbrott-stold-ran": 0.4}
SENSITIVE = {"narkotika", "ordningsstorning"}
DESCRIPTIONS = {
    "skadegorelse": ["Klotter på fasad och elskåp.", "Krossad ruta i busskur.", "Sönderslagen belysningsstolpe.", ""],
    "brand": ["Brand i papperskorg, släckt.", "Containerbrand bakom butiken.", ""],
    "nedskrapning": ["Dumpade möbler vid återvinningen.", "Mycket skräp efter helgen.", ""],
    "samling": ["Grupp ungdomar som stör, högljudda.", "Samling i trapphus, boende känner oro.", ""],
    "ordningsstorning": ["Bråk mellan flera personer.", "Hotfull stämning vid entrén.", ""],
    "narkotika": ["Misstänkt försäljning, upprepade korta möten.", "Tips om langning till minderåriga.", ""],
    "inbrott-stold-ran": ["Inbrott i förråd.", "Cykelstölder vid stationen.", ""],
    "otrygg-plats": ["Trasig belysning på gångvägen.", "Igenvuxen buskage skymmer sikten.", ""],
}


@dataclass
class DemoEvent:
    """One synthetic event: the input for ``EventWriter.validate`` and who reports it."""

    org: str
    data: dict = field(default_factory=dict)
    district: str = ""  # code of the district the point was drawn in ("" for hot spots)
    stream: str = "background"

    def key(self) -> tuple:
        d = self.data
        return (self.org, d["category"], d["occurred_from"], d.get("occurred_to"), d.get("lat"), d.get("lon"),
                d.get("place"), d["visibility"], d["source"], d["description"])


def default_end(now: dt.datetime | None = None) -> dt.datetime:
    return (now or dt.datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)


def period(end: dt.datetime, years: float) -> tuple[dt.date, dt.date]:
    last = end.astimezone(STOCKHOLM).date()
    first = last - dt.timedelta(days=max(1, round(365.25 * years)) - 1)
    return first, last


def intervention_date(first: dt.date, last: dt.date) -> dt.date:
    if first + dt.timedelta(days=60) <= INTERVENTION_DATE <= last - dt.timedelta(days=60):
        return INTERVENTION_DATE
    return first + (last - first) / 2


def _metres_to_degrees(lat: float) -> tuple[float, float]:
    return 1 / (111_320 * math.cos(math.radians(lat))), 1 / 110_574


def _pick(rng, mix: dict, n: int) -> np.ndarray:
    keys = list(mix)
    p = np.array([mix[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def generate(*, seed: int = DEFAULT_SEED, years: float = DEFAULT_YEARS, scale: float = 1.0,
             end: dt.datetime | None = None, boundary=None, districts=None) -> list[DemoEvent]:
    """The demo's events, sorted by time; the same arguments always give the same list."""
    end = default_end() if end is None else end.astimezone(UTC)
    boundary = boundary if boundary is not None else geometry.boundary_shape()
    districts = districts if districts is not None else geometry.district_shapes(boundary)
    shapely.prepare(boundary)
    rng = np.random.default_rng(seed)
    first, last = period(end, years)
    n_days = (last - first).days + 1
    days = np.array([first.toordinal() + i for i in range(n_days)], dtype=np.int64)
    dates = [dt.date.fromordinal(int(d)) for d in days]
    mult = np.array([WEEKDAY_FACTOR[d.weekday()] * MONTH_FACTOR[d.month - 1] for d in dates])
    places = {p.key: p for p in geometry.PLACES}

    streams = []  # (name, day index array, lon, lat, district code array, mix)
    # Background, spread over the districts by weight, uniform inside each district.
    counts = rng.poisson(BACKGROUND_PER_DAY * scale * mult)
    day_idx = np.repeat(np.arange(n_days), counts)
    weights = np.array([d[3] for d in districts], dtype=float)
    which = rng.choice(len(districts), size=day_idx.size, p=weights / weights.sum())
    lon = np.empty(day_idx.size)
    lat = np.empty(day_idx.size)
    for i, (_code, _name, geom, _w) in enumerate(districts):
        members = np.flatnonzero(which == i)
        lon[members], lat[members] = geometry.random_points_in(geom, members.size, rng)
    codes = np.array([d[0] for d in districts], dtype=object)[which]
    streams.append(("background", day_idx, lon, lat, codes, BACKGROUND_MIX))
    # Hot spots: scattered around their place with the same weekly, daily and yearly rhythm.
    spots = [(key, rate, 0) for key, rate in PERSISTENT_HOTSPOTS.items()]
    spots.append((EMERGING_HOTSPOT, EMERGING_PER_DAY, n_days - EMERGING_WEEKS * 7))
    for key, rate, from_day in spots:
        lam = rate * scale * mult
        lam[: max(0, from_day)] = 0.0
        day_idx = np.repeat(np.arange(n_days), rng.poisson(lam))
        place = places[key]
        dx, dy = _metres_to_degrees(place.lat)
        lon = place.lon + rng.normal(0, HOTSPOT_SPREAD_M, day_idx.size) * dx
        lat = place.lat + rng.normal(0, HOTSPOT_SPREAD_M, day_idx.size) * dy
        inside = shapely.contains_xy(boundary, lon, lat)
        lon[~inside], lat[~inside] = place.lon, place.lat
        codes = np.array([""] * day_idx.size, dtype=object)
        streams.append((key, day_idx, lon, lat, codes, HOTSPOT_MIX[key]))

    cutoff = intervention_date(first, last).toordinal()
    hour_p = np.array(HOUR_WEIGHTS, dtype=float)
    hour_p /= hour_p.sum()
    events: list[DemoEvent] = []
    for name, day_idx, lon, lat, codes, mix in streams:
        n = day_idx.size
        cats = _pick(rng, mix, n)
        hours = rng.choice(24, size=n, p=hour_p)
        minutes = rng.integers(0, 60, n)
        u = rng.random((n, 10))  # per-event draws for the remaining choices, in a fixed order
        for i in range(n):
            cat = str(cats[i])
            main = MAIN.get(cat, cat)
            day = int(days[day_idx[i]])
            if (main == VANDALISM and codes[i] == INTERVENTION_DISTRICT and day >= cutoff
                    and u[i, 0] >= INTERVENTION_KEEP):
                continue
            local = dt.datetime.combine(dt.date.fromordinal(day), dt.time(int(hours[i]), int(minutes[i])))
            start = local.replace(tzinfo=STOCKHOLM).astimezone(UTC)
            if start > end:
                continue
            events.append(_event(name, cat, main, start, end, float(lon[i]), float(lat[i]), str(codes[i]),
                                 u[i], places))
    events.sort(key=lambda e: (e.data["occurred_from"], e.stream, e.data.get("lat") or 0, e.data.get("lon") or 0))
    return events


def _choose(weights: dict, x: float) -> str:
    total = sum(weights.values())
    acc = 0.0
    for key, w in weights.items():
        acc += w / total
        if x < acc:
            return key
    return key


def _event(stream, cat, main, start, end, lon, lat, district, u, places) -> DemoEvent:
    org = _choose(ORG_MIX.get(main, {"kommun": 1}), u[1])
    occurred_to = None
    if u[2] < WINDOW_SHARE.get(main, 0.05):
        occurred_to = min(start + dt.timedelta(minutes=int(60 + u[3] * 540)), end)
        if occurred_to <= start:
            occurred_to = None
    restricted = bool((main in SENSITIVE and org == "polis" and u[4] < 0.4) or u[4] < 0.02)
    variants = DESCRIPTIONS.get(main, [""])
    data = {
        "category": cat,
        "occurred_from": start,
        "occurred_to": occurred_to,
        "lat": round(lat, 6),
        "lon": round(lon, 6),
        "visibility": "restricted" if restricted else "partners",
        "source": "demo" if org == "polis" or u[5] < 0.6 else "manual",
        "description": variants[int(u[6] * len(variants))],
        "police_notified": bool(org == "polis" or u[7] < 0.2),
        "assessment": 1 + int(u[8] * 3),
    }
    if main == "samling":
        data["people_count"] = 3 + int(u[9] * 20)
    if stream != "background" and u[5] < 0.15:
        # Some reporters pick the named place instead of marking the map.
        data["place"] = places[stream].name
        data["lat"] = data["lon"] = None
    return DemoEvent(org=org, data=data, district=district, stream=stream)


def summary() -> dict:
    """The planted structure, for the command's output and docs/demo.md."""
    names = {code: name for code, name, _pt, _w in geometry.DISTRICTS}
    places = {p.key: p.name for p in geometry.PLACES}
    return {
        "weekday_factor": WEEKDAY_FACTOR,
        "july_factor": MONTH_FACTOR[6],
        "persistent_hotspots": [places[k] for k in PERSISTENT_HOTSPOTS],
        "emerging_hotspot": places[EMERGING_HOTSPOT],
        "emerging_weeks": EMERGING_WEEKS,
        "intervention_district": geometry.district_label(names[INTERVENTION_DISTRICT]),
        "intervention_date": INTERVENTION_DATE.isoformat(),
        "intervention_keep": INTERVENTION_KEEP,
    }
