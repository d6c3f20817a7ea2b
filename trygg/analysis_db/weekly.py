"""The weekly table: counts per area × category for one ISO week, the mean of the previous
weeks, the same week last year and the Poisson-band flag — vectorised, because a national
collaboration has tens of thousands of area × category series."""

from __future__ import annotations

import numpy as np
from django.utils.translation import gettext as _

from trygg import analysis as A

from . import data
from .params import Request
from .scope import Scope


def _week_label(key: int) -> str:
    return f"{key // 100}-W{key % 100:02d}"


def _clean(values: np.ndarray, digits: int = 4) -> list:
    """Floats rounded, whole numbers as int, NaN as None (JSON-safe), in one pass."""
    out = []
    for v in np.round(values.astype(float), digits).tolist():
        out.append(None if v != v else int(v) if v.is_integer() else v)
    return out


def weekly_table(scope: Scope, req: Request, row_areas, restrict_areas: bool, categories: dict) -> dict:
    opts, flt = req.options, req.filter
    year, wk = A.parse_week(opts["week"])
    week = year * 100 + wk
    n_prior = int(opts["prior_weeks"])
    prior = [A.shift_week(week, -k) for k in range(n_prior, 0, -1)]
    run = prior + [week]
    last_year = A.same_week_last_year(week)
    wanted = run + [last_year]
    area_ids = [a.pk for a in row_areas] if restrict_areas else None
    include_total = not flt.areas
    fast = data.weekly_fast_path(flt, scope.collaboration_id)
    if fast is not False:
        rows = data.week_counts(scope, wanted, area_ids=area_ids, include_total=include_total, category_ids=fast)
    else:
        rows = data.week_counts_raw(scope, flt, wanted, area_ids=area_ids, include_total=include_total)
    by_area = {a.pk: a for a in row_areas}
    m = len(rows)
    area = np.fromiter((r[0] or 0 for r in rows), np.int64, m)
    cat = np.fromiter((r[1] for r in rows), np.int64, m)
    wk = np.fromiter((r[2] for r in rows), np.int64, m)
    n = np.fromiter((r[3] for r in rows), np.int64, m)
    # Every (area, category) series plus (area, all categories): category 0 = all.
    area2 = np.concatenate([area, area])
    cat2 = np.concatenate([cat, np.zeros_like(cat)])
    wk2, n2 = np.concatenate([wk, wk]), np.concatenate([n, n])
    keys, inverse = np.unique(area2 * (1 << 32) + cat2, return_inverse=True)
    pairs = np.stack([keys >> 32, keys & ((1 << 32) - 1)], axis=1) if len(keys) else np.zeros((0, 2), np.int64)
    inverse = inverse.ravel()
    week_col = np.searchsorted(np.array(run), wk2)
    week_col = np.where((week_col < len(run)) & (np.array(run + [0])[np.minimum(week_col, len(run))] == wk2),
                        week_col, -1)
    cube = np.zeros((len(pairs), len(run)))
    in_run = week_col >= 0
    np.add.at(cube, (inverse[in_run], week_col[in_run]), n2[in_run])
    ly = np.zeros(len(pairs))
    is_ly = wk2 == last_year
    np.add.at(ly, inverse[is_ly], n2[is_ly])
    # Order: the whole collaboration first, then areas by level and name; all categories first.
    area_rank = {0: (0, "")} | {pk: (a.type.level, a.name) for pk, a in by_area.items()}
    cat_rank = {0: (0, "")} | {pk: (c.sort_order, c.code) for pk, c in categories.items()}
    plist = pairs.tolist()
    order = sorted(range(len(plist)), key=lambda i: (area_rank.get(plist[i][0], (99, "")),
                                                     cat_rank.get(plist[i][1], (99, ""))))
    pairs, cube, ly = pairs[order], cube[order], ly[order]
    out_rows = []
    if len(pairs):
        trend = A.week_trend(cube, week, week_keys=run, n_prior=n_prior, z=float(opts["z"]))
        area_json = {0: None} | {pk: {"uuid": str(a.uuid), "name": a.name, "code": a.code, "type": a.type.code}
                                 for pk, a in by_area.items()}
        cat_json = {0: None} | {pk: {"code": c.code, "name": c.name} for pk, c in categories.items()}
        direction = np.where(trend.flag, trend.direction, 0)
        cols = [_clean(v) for v in (trend.count, trend.prior_mean, ly, trend.low, trend.high, trend.z)]
        prior_lists = cube[:, :-1].astype(np.int64).tolist()  # counts: whole numbers
        dir_txt = {1: "up", -1: "down", 0: ""}
        for j, (a, c) in enumerate(pairs.tolist()):
            out_rows.append({
                "area": area_json.get(a), "category": cat_json.get(c), "count": cols[0][j],
                "prior_mean": cols[1][j], "prior_weeks": prior_lists[j], "last_year": cols[2][j],
                "expected_low": cols[3][j], "expected_high": cols[4][j], "flag": bool(trend.flag[j]),
                "direction": dir_txt[int(direction[j])], "z": cols[5][j],
            })
    not_in_level = []
    if opts.get("level") and include_total:
        totals: dict = {}
        placed: dict = {}
        for r in out_rows:
            code = r["category"]["code"] if r["category"] else None
            target = totals if r["area"] is None else placed
            target[code] = target.get(code, 0) + (r["count"] or 0)
        not_in_level = [{"category": code, "count": n - placed.get(code, 0)}
                        for code, n in totals.items() if n - placed.get(code, 0)]
    bounds = A.week_bounds(week)
    return {
        "parameters": req.echo(),
        "week": _week_label(week), "week_start": bounds.start_utc.isoformat(), "week_end": bounds.end_utc.isoformat(),
        "prior_weeks": [_week_label(w) for w in prior], "same_week_last_year": _week_label(last_year),
        "source": "weekly_counts" if fast is not False else "events",
        "rows": out_rows,
        "not_in_level": not_in_level,
    }


COLUMNS = ["area", "area_type", "category", "count", "prior_mean", "last_year", "expected_low", "expected_high",
           "flag", "direction", "z"]


def csv_table(result: dict) -> tuple[list[str], list[list]]:
    """The CSV form of a weekly table (built on demand: a national table has ~50,000 rows)."""
    all_areas, all_cats = _("All areas"), _("all")
    return COLUMNS, [[(r["area"] or {}).get("name", all_areas), (r["area"] or {}).get("type", ""),
                      (r["category"] or {}).get("code", all_cats), r["count"], r["prior_mean"], r["last_year"],
                      r["expected_low"], r["expected_high"], r["flag"], r["direction"], r["z"]]
                     for r in result["rows"]]
