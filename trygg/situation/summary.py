"""Plain-language sentences from a week's numbers (in the active language), flagged changes first."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def fmt(value, digits: int = 1) -> str:
    """A number for people: integers plain, other values with ``digits`` decimals (locale-aware)."""
    if value is None:
        return "–"
    value = float(value)
    if value.is_integer():
        return number_format(int(value), use_l10n=True)
    return number_format(round(value, digits), decimal_pos=digits, use_l10n=True)


def suppress(value, threshold: int) -> str:
    """Feedback version: counts below the threshold are shown as "<threshold"."""
    if value is None:
        return "–"
    return f"<{threshold}" if float(value) < threshold else fmt(value, 0)


def category_name(numbers: dict, code: str | None) -> str:
    if not code:
        return _("all categories")
    names = numbers.get("category_names", {}).get(code)
    if not names:
        return code
    return names["en"] if (get_language() or "sv").startswith("en") else names["sv"]


def flag_sentence(numbers: dict, flag: dict) -> str:
    params = {
        "category": category_name(numbers, flag["category"]),
        "area": flag["area"] or _("the whole municipality"),
        "count": fmt(flag["count"], 0), "mean": fmt(flag["prior_mean"]),
        "weeks": len(numbers.get("prior_weeks", [])),
    }
    up = flag["direction"] == "up"
    if flag["category"] is None and flag["area"] is None:
        text = (_("The total number of events rose clearly: %(count)s against a mean of %(mean)s in the previous "
                  "%(weeks)s weeks.") if up else
                _("The total number of events fell clearly: %(count)s against a mean of %(mean)s in the previous "
                  "%(weeks)s weeks."))
    elif flag["category"] is None:
        text = (_("Events in %(area)s rose clearly: %(count)s against a mean of %(mean)s in the previous "
                  "%(weeks)s weeks.") if up else
                _("Events in %(area)s fell clearly: %(count)s against a mean of %(mean)s in the previous "
                  "%(weeks)s weeks."))
    else:
        text = (_("%(category)s in %(area)s rose clearly: %(count)s events against a mean of %(mean)s in the "
                  "previous %(weeks)s weeks.") if up else
                _("%(category)s in %(area)s fell clearly: %(count)s events against a mean of %(mean)s in the "
                  "previous %(weeks)s weeks."))
    return text % params


def sentences(numbers: dict, *, threshold: int | None = None) -> list[str]:
    """The summary: flagged changes first, then the week's total, then who reported.

    With ``threshold`` (the feedback version) counts are suppressed and partners are not named.
    """
    out: list[str] = []
    total = numbers.get("total") or {}
    weeks = len(numbers.get("prior_weeks", []))
    if threshold is None:
        out.extend(flag_sentence(numbers, f) for f in numbers.get("flags", []))
        if not numbers.get("flags"):
            out.append(_("No change this week is large enough to be more than chance compared with the previous "
                         "%(weeks)s weeks.") % {"weeks": weeks})
        count = total.get("count") or 0
        out.append(ngettext(
            "Week %(week)s: %(count)s event was recorded (mean of the previous %(weeks)s weeks: %(mean)s; "
            "same week last year: %(last)s).",
            "Week %(week)s: %(count)s events were recorded (mean of the previous %(weeks)s weeks: %(mean)s; "
            "same week last year: %(last)s).", int(count)) % {
            "week": numbers["iso_week"] % 100, "count": fmt(count, 0), "weeks": weeks,
            "mean": fmt(total.get("prior_mean")), "last": fmt(total.get("last_year"), 0)})
        partners = [p for p in numbers.get("partners", []) if (p["total"] or {}).get("count")]
        if partners:
            names = ", ".join(f"{p['name']} ({fmt(p['total']['count'], 0)})" for p in partners)
            out.append(ngettext("Events came from %(n)s organisation: %(names)s.",
                                "Events came from %(n)s organisations: %(names)s.", len(partners))
                       % {"n": len(partners), "names": names})
        else:
            out.append(_("No organisation recorded any events this week."))
    else:
        out.append(_("Week %(week)s: %(count)s events were reported (mean of the previous weeks: %(mean)s).") % {
            "week": numbers["iso_week"] % 100, "count": suppress(total.get("count") or 0, threshold),
            "mean": suppress(total.get("prior_mean") or 0, threshold) if (total.get("prior_mean") or 0) < threshold
            else fmt(total.get("prior_mean"))})
        out.append(_("Thank you for reporting: your reports are the basis of this picture and of the decisions "
                     "below."))
    return out
