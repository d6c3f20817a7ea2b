"""The one event filter shared by the list page, its exports, the map and the API.

A filter is built from query parameters, so a filtered view has a stable link and an export
honours exactly the filters on screen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Event, Source

PARAMS = ("from", "to", "area", "category", "organisation", "source", "week", "q")


class FilterError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class EventFilter:
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive
    areas: list[str] = field(default_factory=list)  # area uuids
    categories: list[str] = field(default_factory=list)  # category codes (main or sub)
    organisations: list[str] = field(default_factory=list)  # organisation uuids
    sources: list[str] = field(default_factory=list)
    week: str = ""  # 2026-W47
    text: str = ""

    @classmethod
    def from_params(cls, params) -> "EventFilter":
        """Build from a QueryDict or dict (lists allowed); raise FilterError naming bad params."""
        def many(name):
            if hasattr(params, "getlist"):
                values = params.getlist(name)
            else:
                raw = params.get(name)
                values = raw if isinstance(raw, (list, tuple)) else ([raw] if raw else [])
            out = []
            for v in values:
                out.extend(s.strip() for s in str(v).split(",") if s.strip())
            return out

        def one(name):
            values = many(name)
            return values[0] if values else ""

        errors = {}
        result = cls()
        for name, attr in (("from", "date_from"), ("to", "date_to")):
            raw = one(name)
            if raw:
                try:
                    setattr(result, attr, dt.date.fromisoformat(raw))
                except ValueError:
                    errors[name] = _("%(param)s: not a date (YYYY-MM-DD).") % {"param": name}
        if result.date_from and result.date_to and result.date_to < result.date_from:
            errors["to"] = _("to: the period ends before it starts.")
        week = one("week")
        if week:
            try:
                year, wk = week.upper().split("-W")
                dt.date.fromisocalendar(int(year), int(wk), 1)
                result.week = f"{int(year)}-W{int(wk):02d}"
            except ValueError:
                errors["week"] = _("week: use the form 2026-W47.")
        result.areas = many("area")
        result.categories = many("category")
        result.organisations = many("organisation")
        result.sources = many("source")
        bad = [s for s in result.sources if s not in Source.values]
        if bad:
            errors["source"] = _("source: unknown value %(value)s.") % {"value": ", ".join(bad)}
        result.text = one("q")[:200]
        if errors:
            raise FilterError(errors)
        return result

    def to_params(self) -> dict[str, list[str] | str]:
        params: dict = {}
        if self.date_from:
            params["from"] = self.date_from.isoformat()
        if self.date_to:
            params["to"] = self.date_to.isoformat()
        if self.week:
            params["week"] = self.week
        for name, values in (("area", self.areas), ("category", self.categories),
                             ("organisation", self.organisations), ("source", self.sources)):
            if values:
                params[name] = list(values)
        if self.text:
            params["q"] = self.text
        return params

    def querystring(self) -> str:
        return urlencode(self.to_params(), doseq=True)

    def apply(self, qs: QuerySet[Event]) -> QuerySet[Event]:
        tz = timezone.get_default_timezone()
        if self.date_from:
            qs = qs.filter(occurred_from__gte=dt.datetime.combine(self.date_from, dt.time(), tz))
        if self.date_to:
            end = dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time(), tz)
            qs = qs.filter(occurred_from__lt=end)
        if self.week:
            year, wk = self.week.split("-W")
            qs = qs.filter(iso_week=int(year) * 100 + int(wk))
        if self.areas:
            from .models import EventArea

            qs = qs.filter(pk__in=EventArea.objects.filter(area__uuid__in=self.areas).values("event_id"))
        if self.categories:
            from django.db.models import Q

            qs = qs.filter(Q(category__code__in=self.categories) | Q(subcategory__code__in=self.categories))
        if self.organisations:
            qs = qs.filter(organisation__uuid__in=self.organisations)
        if self.sources:
            qs = qs.filter(source__in=self.sources)
        if self.text:
            qs = qs.filter(description__icontains=self.text)
        return qs
