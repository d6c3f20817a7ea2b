"""Server-rendered SVG charts and maps: the same markup in the browser, the print page and the PDF.

Every chart is a self-contained ``<svg role="img">`` with a ``<title>`` and ``<desc>`` for screen
readers; pages show the numbers in a table beside it. Output is deterministic (same input →
same bytes), which frozen lägesbild versions rely on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

STATUS_COLOURS = {"green": "#1e8a3c", "yellow": "#f2c200", "red": "#c0392b", "": "#d5dbe0", None: "#d5dbe0"}
INK = "#1b1f24"
MUTED = "#4a5560"
GRID = "#d5dbe0"


def _f(value: float) -> str:
    """Compact, stable number formatting."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _open(width: float, height: float, title: str, desc: str = "", cls: str = "chart") -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{cls}" role="img" viewBox="0 0 {_f(width)} {_f(height)}" '
        f'width="{_f(width)}" height="{_f(height)}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(desc or title)}</desc>",
    ]


def _mix(hex_a: str, hex_b: str, t: float) -> str:
    a = [int(hex_a[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(hex_b[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b))


def heatmap(
    values: Sequence[Sequence[float]],
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    *,
    title: str,
    desc: str = "",
    cell: int = 22,
    low: str = "#f3f5f7",
    high: str = "#0b5394",
) -> str:
    """A rows × columns table of shaded cells (e.g. day of week × hour of day)."""
    rows, cols = len(values), len(col_labels)
    left, top = 34, 18
    peak = max((max(r) if len(r) else 0) for r in values) if rows else 0
    out = _open(left + cols * cell + 4, top + rows * cell + 4, title, desc)
    for j, label in enumerate(col_labels):
        if cols <= 24 and (j % 3 == 0 or cols <= 12):
            out.append(f'<text x="{_f(left + j * cell + cell / 2)}" y="12" text-anchor="middle" fill="{MUTED}">'
                       f"{escape(label)}</text>")
    for i, label in enumerate(row_labels):
        y = top + i * cell
        out.append(f'<text x="{left - 4}" y="{_f(y + cell * 0.65)}" text-anchor="end" fill="{INK}">{escape(label)}</text>')
        for j in range(cols):
            v = float(values[i][j])
            colour = _mix(low, high, v / peak) if peak > 0 else low
            out.append(
                f'<rect x="{left + j * cell}" y="{y}" width="{cell - 1}" height="{cell - 1}" fill="{colour}">'
                f"<title>{escape(label)} {escape(col_labels[j])}: {_f(v)}</title></rect>"
            )
    out.append("</svg>")
    return "".join(out)


def bars(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    desc: str = "",
    width: int = 520,
    bar: int = 18,
    colour: str = "#0b5394",
    colours: Sequence[str] | None = None,
) -> str:
    """Horizontal bars with labels and values."""
    label_w = 190
    peak = max((v for _l, v in items), default=0) or 1
    height = len(items) * (bar + 6) + 6
    out = _open(width, height, title, desc)
    for i, (label, value) in enumerate(items):
        y = 4 + i * (bar + 6)
        w = (width - label_w - 50) * value / peak
        fill = colours[i] if colours else colour
        out.append(f'<text x="{label_w - 6}" y="{_f(y + bar * 0.72)}" text-anchor="end" fill="{INK}">'
                   f"{escape(label[:34])}</text>")
        out.append(f'<rect x="{label_w}" y="{y}" width="{_f(max(w, 0))}" height="{bar}" fill="{fill}"/>')
        out.append(f'<text x="{_f(label_w + w + 4)}" y="{_f(y + bar * 0.72)}" fill="{INK}">{_f(value)}</text>')
    out.append("</svg>")
    return "".join(out)


def lines(
    series: Sequence[tuple[str, Sequence[float], str]],
    x_labels: Sequence[str],
    *,
    title: str,
    desc: str = "",
    width: int = 560,
    height: int = 200,
) -> str:
    """Line chart: series of (label, values, colour) over shared x labels, with a legend."""
    left, right, top, bottom = 36, 10, 10, 34
    n = len(x_labels)
    peak = max((max(v) if len(v) else 0 for _l, v, _c in series), default=0) or 1
    nice = 10 ** math.floor(math.log10(peak)) if peak >= 1 else 1
    top_value = math.ceil(peak / nice) * nice
    legend_h = 16 * ((len(series) + 2) // 3)
    out = _open(width, height + legend_h, title, desc)
    plot_w, plot_h = width - left - right, height - top - bottom

    def xy(i, v):
        x = left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)
        return x, top + plot_h * (1 - v / top_value)

    for k in range(5):
        v = top_value * k / 4
        _x, y = xy(0, v)
        out.append(f'<line x1="{left}" y1="{_f(y)}" x2="{width - right}" y2="{_f(y)}" stroke="{GRID}"/>')
        out.append(f'<text x="{left - 4}" y="{_f(y + 4)}" text-anchor="end" fill="{MUTED}">{_f(v)}</text>')
    step = max(1, n // 8)
    for i in range(0, n, step):
        x, _y = xy(i, 0)
        out.append(f'<text x="{_f(x)}" y="{height - bottom + 14}" text-anchor="middle" fill="{MUTED}">'
                   f"{escape(x_labels[i])}</text>")
    for label, values, colour in series:
        points = " ".join(f"{_f(x)},{_f(y)}" for x, y in (xy(i, float(v)) for i, v in enumerate(values)))
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}">'
                   f"<title>{escape(label)}</title></polyline>")
    for k, (label, _values, colour) in enumerate(series):
        x = left + (k % 3) * (plot_w / 3)
        y = height + 4 + 16 * (k // 3)
        out.append(f'<rect x="{_f(x)}" y="{y}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{_f(x + 14)}" y="{y + 9}" fill="{INK}">{escape(label[:28])}</text>')
    out.append("</svg>")
    return "".join(out)


def status_strip(
    rows: Sequence[tuple[str, Sequence[str | None]]],
    col_labels: Sequence[str],
    *,
    title: str,
    desc: str = "",
    cell: int = 16,
) -> str:
    """Each area's status colour per week: one row per area, one cell per week."""
    left, top = 150, 18
    cols = len(col_labels)
    out = _open(left + cols * cell + 4, top + len(rows) * (cell + 2) + 4, title, desc)
    step = max(1, cols // 10)
    for j in range(0, cols, step):
        out.append(f'<text x="{_f(left + j * cell + cell / 2)}" y="12" text-anchor="middle" fill="{MUTED}">'
                   f"{escape(col_labels[j])}</text>")
    for i, (label, statuses) in enumerate(rows):
        y = top + i * (cell + 2)
        out.append(f'<text x="{left - 6}" y="{_f(y + cell * 0.75)}" text-anchor="end" fill="{INK}">'
                   f"{escape(label[:24])}</text>")
        for j, status in enumerate(statuses):
            out.append(
                f'<rect x="{left + j * cell}" y="{y}" width="{cell - 1}" height="{cell}" '
                f'fill="{STATUS_COLOURS.get(status, STATUS_COLOURS[None])}">'
                f"<title>{escape(label)} {escape(col_labels[j])}: {escape(status or '–')}</title></rect>"
            )
    out.append("</svg>")
    return "".join(out)


def area_map(
    areas: Sequence[dict],
    points: Sequence[tuple[float, float, str]] = (),
    cells: Sequence[dict] = (),
    *,
    title: str,
    desc: str = "",
    width: int = 560,
) -> str:
    """A map without tiles: area polygons (filled by status), hot-spot cells and event points.

    ``areas``: dicts with ``geometry`` (GeoJSON (Multi)Polygon, WGS84), ``name`` and optional
    ``fill``; ``points``: (lon, lat, colour); ``cells``: dicts with ``polygon`` (list of (lon, lat))
    and ``fill``. Drawn in a local equirectangular projection scaled by cos(latitude), which is
    accurate to well under a percent over a municipality.
    """
    rings = []
    for area in areas:
        geom = area["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        rings.append((area, polys))
    xs = [c[0] for _a, polys in rings for poly in polys for ring in poly for c in ring] + [p[0] for p in points]
    ys = [c[1] for _a, polys in rings for poly in polys for ring in poly for c in ring] + [p[1] for p in points]
    if not xs:
        return "".join(_open(width, 40, title, desc) + ["</svg>"])
    min_x, max_x, min_y, max_y = min(xs), max(xs), min(ys), max(ys)
    k = math.cos(math.radians((min_y + max_y) / 2))
    span_x = max((max_x - min_x) * k, 1e-9)
    span_y = max(max_y - min_y, 1e-9)
    pad = 8
    scale = (width - 2 * pad) / span_x
    height = span_y * scale + 2 * pad

    def project(lon, lat):
        return pad + (lon - min_x) * k * scale, pad + (max_y - lat) * scale

    out = _open(width, height, title, desc, cls="chart map-svg")
    for area, polys in rings:
        d = []
        for poly in polys:
            for ring in poly:
                pts = [project(x, y) for x, y in ring]
                d.append("M" + "L".join(f"{_f(x)},{_f(y)}" for x, y in pts) + "Z")
        out.append(
            f'<path d="{" ".join(d)}" fill="{area.get("fill", "#eef1f4")}" fill-opacity="0.55" fill-rule="evenodd" '
            f'stroke="#5d6d7e" stroke-width="1"><title>{escape(area.get("name", ""))}</title></path>'
        )
    for cell in cells:
        pts = [project(x, y) for x, y in cell["polygon"]]
        out.append(f'<polygon points="{" ".join(f"{_f(x)},{_f(y)}" for x, y in pts)}" '
                   f'fill="{cell.get("fill", "#c0392b")}" fill-opacity="0.45" stroke="none"/>')
    for lon, lat, colour in points:
        x, y = project(lon, lat)
        out.append(f'<circle cx="{_f(x)}" cy="{_f(y)}" r="2.6" fill="{colour}" stroke="#fff" stroke-width="0.6"/>')
    for area, polys in rings:
        if area.get("label", True) and polys:
            ring = polys[0][0]
            cx = sum(p[0] for p in ring) / len(ring)
            cy = sum(p[1] for p in ring) / len(ring)
            x, y = project(cx, cy)
            label = escape(area.get("name", "")[:22])
            # A white halo drawn first, then the label: renderers without paint-order (WeasyPrint)
            # would otherwise paint the stroke over the glyphs.
            out.append(f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="middle" fill="#fff" font-size="10" '
                       f'stroke="#fff" stroke-width="2" aria-hidden="true">{label}</text>')
            out.append(f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="middle" fill="{INK}" font-size="10">{label}</text>')
    out.append("</svg>")
    return "".join(out)
