"""Did the intervention work? WDD (Wheeler & Ratcliffe 2018) and WDQ (Bowers & Johnson 2003).

T = treated area, C = comparison area, D = displacement buffer around T, DC = comparison
for the buffer; b = before, a = after; Δ = after − before.

WDD = ΔT − ΔC + ΔD − ΔDC, and with Poisson counts Var(WDD) = sum of the counts used (four
without a buffer, eight with one). Negative WDD = fewer events than expected (good).

Rate-adjusted WDD (before and after periods of different length): every count is turned into
a per-day rate ``r = N / days`` with ``Var(r) = N / days²``; WDD and its variance are computed
on the rates and reported **per day** (multiply by a period length to get events per period).

Too few events: ``too_few_events`` is True when T has fewer than 20 events before + after
(``MIN_TREATED_EVENTS``), or a count that the estimate needs is zero: T before, C before or
C after (and D/DC before when a buffer is given). With fewer than 20 events in T, even a
complete disappearance of crime (e.g. 19 → 0 with a stable comparison of similar size)
gives |z| ≈ 2.5 at best, and the normal approximation to Poisson differences is poor; the
result is still computed but must be presented as "too few events to conclude".
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import stats as _st

__all__ = ["WDDResult", "WDQResult", "wdd", "wdq", "MIN_TREATED_EVENTS"]

MIN_TREATED_EVENTS = 20


class WDDResult(NamedTuple):
    estimate: float  # WDD (counts, or per-day rate when rate_adjusted)
    variance: float
    se: float
    z: float  # estimate / se (NaN when se = 0)
    ci_low: float  # confidence interval (default 90 %)
    ci_high: float
    p_value: float  # two-sided normal p
    confidence: float
    rate_adjusted: bool  # True: figures are per day
    too_few_events: bool
    reasons: tuple[str, ...]  # why too_few_events


class WDQResult(NamedTuple):
    value: float  # NaN when undefined
    defined: bool
    label: str
    success_measure: float  # Ta/Ca − Tb/Cb (< 0: target improved relative to control)
    buffer_measure: float  # Da/Ca − Db/Cb


def _check(*vals):
    for v in vals:
        if v is not None and (v < 0 or not np.isfinite(v)):
            raise ValueError("counts must be finite and non-negative")


def wdd(t_before, t_after, c_before, c_after, d_before=None, d_after=None,
        dc_before=None, dc_after=None, days_before=None, days_after=None,
        confidence: float = 0.90) -> WDDResult:
    """Weighted displacement difference.

    Counts are event counts per area and period. Give all four buffer counts or none.
    ``days_before``/``days_after`` (both or neither): when given and different, the
    rate-adjusted variant (per day) is used; when equal, plain counts are used.
    """
    buf = [d_before, d_after, dc_before, dc_after]
    if any(v is not None for v in buf) and not all(v is not None for v in buf):
        raise ValueError("give all four buffer counts (D and DC, before and after) or none")
    _check(t_before, t_after, c_before, c_after, *buf)
    if (days_before is None) != (days_after is None):
        raise ValueError("give both days_before and days_after or neither")
    has_buf = d_before is not None
    rate = days_before is not None and days_before != days_after
    if rate and (days_before <= 0 or days_after <= 0):
        raise ValueError("period lengths must be positive")
    fb = 1.0 / days_before if rate else 1.0
    fa = 1.0 / days_after if rate else 1.0
    est = (t_after * fa - t_before * fb) - (c_after * fa - c_before * fb)
    var = (t_after + c_after) * fa * fa + (t_before + c_before) * fb * fb
    if has_buf:
        est += (d_after * fa - d_before * fb) - (dc_after * fa - dc_before * fb)
        var += (d_after + dc_after) * fa * fa + (d_before + dc_before) * fb * fb
    se = float(np.sqrt(var))
    z = est / se if se > 0 else float("nan")
    crit = _st.norm.ppf(0.5 + confidence / 2.0)
    p = float(2.0 * _st.norm.sf(abs(z))) if se > 0 else float("nan")
    reasons = []
    if t_before + t_after < MIN_TREATED_EVENTS:
        reasons.append(f"fewer than {MIN_TREATED_EVENTS} events in the treated area "
                       "before and after together")
    for name, v in (("treated area before", t_before), ("comparison area before", c_before),
                    ("comparison area after", c_after)):
        if v == 0:
            reasons.append(f"no events in the {name}")
    if has_buf:
        for name, v in (("buffer before", d_before), ("buffer comparison before", dc_before)):
            if v == 0:
                reasons.append(f"no events in the {name}")
    return WDDResult(float(est), float(var), se, float(z), float(est - crit * se),
                     float(est + crit * se), p, confidence, rate, bool(reasons), tuple(reasons))


def wdq(t_before, t_after, c_before, c_after, d_before, d_after) -> WDQResult:
    """Weighted displacement quotient ``(Da/Ca − Db/Cb) / (Ta/Ca − Tb/Cb)``.

    Labels: "diffusion of benefits" (> 0), "no displacement or diffusion" (= 0),
    "partial displacement" (−1 ≤ WDQ < 0), "displacement larger than the effect" (< −1),
    and "undefined" when a comparison count is zero or the denominator (success measure) is
    zero. When the success measure is positive (the target got *worse* relative to the
    control) WDQ is not interpretable and is labelled so. There is no significance test.
    """
    _check(t_before, t_after, c_before, c_after, d_before, d_after)
    if c_before == 0 or c_after == 0:
        return WDQResult(float("nan"), False, "undefined (no events in the comparison area)",
                         float("nan"), float("nan"))
    success = t_after / c_after - t_before / c_before
    buffer = d_after / c_after - d_before / c_before
    if success == 0:
        return WDQResult(float("nan"), False, "undefined (no change in the treated area "
                         "relative to the comparison)", success, buffer)
    v = buffer / success
    if success > 0:
        label = "not interpretable (the treated area got worse relative to the comparison)"
    elif v > 0:
        label = "diffusion of benefits"
    elif v == 0:
        label = "no displacement or diffusion"
    elif v >= -1:
        label = "partial displacement"
    else:
        label = "displacement larger than the effect"
    return WDQResult(float(v), True, label, float(success), float(buffer))
