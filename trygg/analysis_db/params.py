"""Parameters of every analysis, parsed from a query string or command-line options.

One parser for the API and the CLI: values are validated, defaults filled in, and the
normalised parameters are echoed back in every result. Errors name the parameter, in the
caller's language (``FilterError`` with ``{param: message}``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from trygg.events.filters import EventFilter, FilterError
from trygg.events.filters import PARAMS as FILTER_PARAMS


@dataclass(frozen=True)
class Opt:
    kind: str  # int, float, date, week, choice, str
    default: Any = None
    low: float | None = None
    high: float | None = None
    choices: tuple = ()


SPACE = {
    "shape": Opt("choice", "grid", choices=("grid", "hex", "areas")),
    "cell": Opt("float", 250.0, 10, 20000),
    "level": Opt("str", ""),
}
INFERENCE = {
    "permutations": Opt("int", 999, 0, 9999),
    "seed": Opt("int", 0, 0, 2**31 - 1),
    "fdr": Opt("float", 0.05, 0.0001, 0.5),
}

ANALYSES: dict[str, dict[str, Opt]] = {
    "weekly": {"week": Opt("week"), "level": Opt("str", ""), "z": Opt("float", 3.0, 0.5, 10),
               "prior_weeks": Opt("int", 8, 1, 52)},
    "compare": {"base_from": Opt("date"), "base_to": Opt("date"), "level": Opt("str", ""),
                "threshold": Opt("float", 3.0, 0.5, 10)},
    "aoristic": {},
    "hotspots": SPACE | INFERENCE,
    "emerging": SPACE | INFERENCE | {"weeks": Opt("int", 12, 4, 104), "week": Opt("week"),
                                     "recurring": Opt("int", 4, 1, 104)},
    "moran": SPACE | INFERENCE | {"permutations": Opt("int", 999, 1, 9999)},
    "kde": {"cell": Opt("float", 100.0, 10, 5000), "bandwidth": Opt("float", None, 10, 20000)},
    "concentration": SPACE | {"include_empty": Opt("choice", "no", choices=("no", "yes"))},
    "effect": {"target": Opt("str"), "comparison": Opt("str"), "buffer": Opt("float", 250.0, 0, 5000),
               "before_from": Opt("date"), "before_to": Opt("date"), "after_from": Opt("date"),
               "after_to": Opt("date"), "confidence": Opt("float", 0.90, 0.5, 0.999)},
}
REQUIRED = {
    "compare": ("from", "to", "base_from", "base_to"),
    "effect": ("target", "comparison", "before_from", "before_to", "after_from", "after_to"),
}


def current_week() -> str:
    year, week, _d = timezone.localtime().isocalendar()
    return f"{year}-W{week:02d}"


def _get(params, name):
    if hasattr(params, "get"):
        value = params.get(name)
    else:
        value = None
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return value if value not in ("", None) else None


def _parse(name: str, opt: Opt, raw):
    if raw is None:
        return opt.default
    raw = str(raw).strip()
    if opt.kind in ("int", "float"):
        try:
            value = int(raw) if opt.kind == "int" else float(raw)
        except ValueError:
            raise ValueError(_("%(param)s: not a number.") % {"param": name}) from None
        if value != value or (opt.low is not None and value < opt.low) or (opt.high is not None and value > opt.high):
            raise ValueError(_("%(param)s: must be between %(low)s and %(high)s.")
                             % {"param": name, "low": opt.low, "high": opt.high})
        return value
    if opt.kind == "date":
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise ValueError(_("%(param)s: not a date (YYYY-MM-DD).") % {"param": name}) from None
    if opt.kind == "week":
        try:
            year, wk = raw.upper().split("-W")
            dt.date.fromisocalendar(int(year), int(wk), 1)
            return f"{int(year)}-W{int(wk):02d}"
        except ValueError:
            raise ValueError(_("%(param)s: use the form 2026-W47.") % {"param": name}) from None
    if opt.kind == "choice":
        if raw not in opt.choices:
            raise ValueError(_("%(param)s: choose one of %(choices)s.")
                             % {"param": name, "choices": ", ".join(opt.choices)})
        return raw
    return raw[:100]


@dataclass
class Request:
    """A parsed analysis request: the event filter, the options and their echo."""

    analysis: str
    filter: EventFilter
    options: dict[str, Any]

    def echo(self) -> dict[str, Any]:
        out: dict[str, Any] = {"analysis": self.analysis}
        out.update({k: v for k, v in self.filter.to_params().items()})
        for name, value in self.options.items():
            out[name] = value.isoformat() if isinstance(value, dt.date) else value
        return out


def parse(analysis: str, params) -> Request:
    """Parse the filter (EventFilter parameters) and the analysis' own options."""
    spec = ANALYSES[analysis]
    errors: dict[str, str] = {}
    filter_params = {}
    for name in FILTER_PARAMS:
        if name in spec:
            continue
        if hasattr(params, "getlist"):
            values = params.getlist(name)
        else:
            values = params.get(name) if hasattr(params, "get") else None
        if values:
            filter_params[name] = values
    if "week" in spec:
        filter_params.pop("week", None)
    try:
        flt = EventFilter.from_params(filter_params)
    except FilterError as exc:
        errors.update(exc.errors)
        flt = EventFilter()
    options = {}
    for name, opt in spec.items():
        try:
            options[name] = _parse(name, opt, _get(params, name))
        except ValueError as exc:
            errors[name] = str(exc)
    for name in REQUIRED.get(analysis, ()):
        present = options.get(name) if name in options else _get(params, name)
        if present is None and name not in errors:
            errors[name] = _("%(param)s: required.") % {"param": name}
    if analysis in ("weekly",) and not options.get("week") and "week" not in errors:
        options["week"] = current_week()
    for a, b in (("base_from", "base_to"), ("before_from", "before_to"), ("after_from", "after_to")):
        if options.get(a) and options.get(b) and options[b] < options[a]:
            errors[b] = _("%(param)s: the period ends before it starts.") % {"param": b}
    if errors:
        raise FilterError(errors)
    return Request(analysis, flt, options)
