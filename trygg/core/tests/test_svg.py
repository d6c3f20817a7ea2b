import xml.etree.ElementTree as ET

from trygg.core import svg

NS = "{http://www.w3.org/2000/svg}"


def parse(markup):
    return ET.fromstring(markup)


def test_a_heatmap_is_valid_svg_with_a_title_and_one_cell_per_value():
    values = [[0, 1, 2], [3, 4, 5]]
    root = parse(svg.heatmap(values, ["mån", "tis"], ["0", "1", "2"], title="Dag × timme"))
    assert root.get("role") == "img"
    assert root.find(f"{NS}title").text == "Dag × timme"
    assert len(root.findall(f"{NS}rect")) == 6


def test_the_strongest_heatmap_cell_gets_the_darkest_colour():
    root = parse(svg.heatmap([[0, 10]], ["mån"], ["0", "1"], title="t"))
    fills = [r.get("fill") for r in root.findall(f"{NS}rect")]
    assert fills == ["#f3f5f7", "#0b5394"]


def test_charts_are_deterministic_byte_for_byte():
    args = ([("Brand", [1, 2, 3], "#d35400")], ["v1", "v2", "v3"])
    assert svg.lines(*args, title="t") == svg.lines(*args, title="t")


def test_text_is_escaped():
    markup = svg.bars([("<script>", 3)], title="a & b")
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    parse(markup)


def test_a_status_strip_colours_each_week_by_status():
    root = parse(svg.status_strip([("Centrum", ["green", "red", None])], ["v1", "v2", "v3"], title="Status"))
    fills = [r.get("fill") for r in root.findall(f"{NS}rect")]
    assert fills == [svg.STATUS_COLOURS["green"], svg.STATUS_COLOURS["red"], svg.STATUS_COLOURS[None]]


def test_the_map_draws_areas_points_and_keeps_north_up():
    area = {"name": "Testby", "geometry": {"type": "Polygon", "coordinates": [[[17.8, 59.4], [18.0, 59.4], [18.0, 59.6], [17.8, 59.6], [17.8, 59.4]]]}}
    root = parse(svg.area_map([area], [(17.9, 59.55, "#f00"), (17.9, 59.45, "#00f")], title="Karta"))
    circles = root.findall(f"{NS}circle")
    assert len(circles) == 2
    north, south = circles
    assert float(north.get("cy")) < float(south.get("cy"))
    assert len(root.findall(f"{NS}path")) == 1
