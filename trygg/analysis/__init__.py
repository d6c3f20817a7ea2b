"""Framework-free analysis for Trygg: pure functions over numpy arrays (numpy/scipy only;
shapely is used lazily by :func:`weights.polygon_queen`). No Django imports here.

See docs/analysis.md for the API, formulas, conventions and how each method is tested.
"""

from .binning import (
    DenseGrid,
    GridBins,
    HexBins,
    hex_bin,
    hex_centres,
    hex_polygons,
    square_bin,
    square_grid_counts,
    square_polygons,
)
from .concentration import Concentration, ConcentrationRow, concentration
from .effect import MIN_TREATED_EVENTS, WDDResult, WDQResult, wdd, wdq
from .emerging import EmergingResult, emerging_hotspots, recurring_places
from .hotspots import COLD, HOT, NOT_SIGNIFICANT, GiStarResult, gi_star, gi_star_z
from .kde import KDEGrid, default_bandwidth, quartic_kde, quartic_kde_grid, quartic_kernel
from .moran import LocalMoranResult, local_moran
from .stats import FDRResult, MannKendall, benjamini_hochberg, mann_kendall
from .time import (
    DEFAULT_TZ,
    WeekBounds,
    aoristic_hour_profile,
    aoristic_month_profile,
    aoristic_week_table,
    hour_of_week,
    iso_week_int,
    iso_week_key,
    iso_week_of,
    parse_week,
    same_week_last_year,
    shift_week,
    to_epoch_seconds,
    week_bounds,
    weeks_in_iso_year,
)
from .trend import PoissonBand, TwoCountZ, WeekTrend, poisson_band, two_count_z, week_trend
from .weights import (
    cardinalities,
    check_binary,
    from_pairs,
    grid_queen,
    hex_neighbours,
    polygon_queen,
    with_self,
)

__all__ = [name for name in dir() if not name.startswith("_")]
