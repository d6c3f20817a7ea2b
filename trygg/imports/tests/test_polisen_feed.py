"""The streaming reader and exact parsing of the feed's fields (no database)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trygg.imports.feed import (
    FeedBroken,
    FeedError,
    _parse_general,
    iter_notices,
    parse_feed_datetime,
    parse_gps,
)

UTC = dt.timezone.utc


def _read(text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return list(iter_notices(io.BytesIO(data)))


def test_hours_without_zero_padding_and_summer_offset_become_utc():
    assert parse_feed_datetime("2023-06-07 0:23:45 +02:00") == dt.datetime(2023, 6, 6, 22, 23, 45, tzinfo=UTC)


def test_winter_offset_becomes_utc():
    assert parse_feed_datetime("2023-01-15 9:05:00 +01:00") == dt.datetime(2023, 1, 15, 8, 5, tzinfo=UTC)


def test_the_dst_night_keeps_both_two_oclocks_apart():
    # 2023-10-29: 02:30 happens twice in Sweden; the feed's offsets tell them apart.
    first = parse_feed_datetime("2023-10-29 2:30:00 +02:00")
    second = parse_feed_datetime("2023-10-29 2:30:00 +01:00")
    assert second - first == dt.timedelta(hours=1)


@pytest.mark.parametrize("value", ["2023-02-30 1:00:00 +01:00", "2023-13-01 1:00:00 +01:00",
                                   "2023-06-07 25:00:00 +02:00", "07/06/2023 1:00", "", None, 17])
def test_impossible_or_malformed_datetimes_are_refused(value):
    with pytest.raises(ValueError):
        parse_feed_datetime(value)


def test_a_year_out_of_range_is_refused_not_a_crash():
    with pytest.raises(ValueError):
        parse_feed_datetime("0001-01-01 0:00:00 +01:00")


_FEEDLIKE = st.builds(
    lambda y, mo, d, h, mi, s, pad, off: f"{y:04d}-{mo:02d}-{d:02d} {h:0{pad}d}:{mi:02d}:{s:02d} {off}",
    st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32), st.integers(0, 25), st.integers(0, 60),
    st.integers(0, 60), st.sampled_from([1, 2]), st.sampled_from(["+01:00", "+02:00", "+00:00", "Z", "+1:00"]))


def _outcome(parse, value):
    try:
        return parse(value)
    except ValueError:
        return ValueError


@settings(max_examples=400, deadline=None)
@given(st.one_of(_FEEDLIKE, _FEEDLIKE.map(lambda v: v.replace("1", "\u0661", 1)),
                 _FEEDLIKE.map(lambda v: v.replace(" ", "  ", 1)), st.text(max_size=30)))
def test_the_short_path_for_the_feeds_shape_agrees_with_the_general_parser(value):
    assert _outcome(parse_feed_datetime, value) == _outcome(_parse_general, value)


def test_gps_is_lat_comma_lng():
    assert parse_gps("59.329324,18.068581") == (59.329324, 18.068581)
    with pytest.raises(ValueError):
        parse_gps("59.3;18.0")


def test_the_reader_yields_every_notice_of_a_list_with_a_bom():
    data = "\ufeff" + json.dumps([{"id": i} for i in range(5)])
    assert [n["id"] for n in _read(data.encode("utf-8"))] == [0, 1, 2, 3, 4]


def test_an_empty_list_yields_nothing():
    assert _read("  [ ]\n") == []


def test_a_zero_byte_file_is_a_clear_error():
    with pytest.raises(FeedError, match="tom|empty"):
        _read(b"")


def test_a_file_that_is_not_json_is_a_clear_error():
    with pytest.raises(FeedError, match="JSON"):
        _read("id;datetime;name\n1;2023;x\n")


def test_a_json_object_instead_of_a_list_is_a_clear_error():
    with pytest.raises(FeedError, match="JSON"):
        _read('{"events": []}')


def test_a_truncated_file_yields_the_complete_notices_then_says_where_it_broke():
    full = json.dumps([{"id": i, "summary": "x" * 50} for i in range(10)])
    cut = full[: full.index('{"id": 7') + 15]
    items = _read(cut)
    assert [n["id"] for n in items[:-1]] == list(range(7))
    broken = items[-1]
    assert isinstance(broken, FeedBroken) and broken.number == 8
    assert "8" in broken.message and "7" in broken.message


def test_a_file_cut_right_after_a_comma_says_the_list_is_not_closed():
    items = _read('[{"id": 1}, {"id": 2},')
    assert [n["id"] for n in items[:-1]] == [1, 2]
    assert isinstance(items[-1], FeedBroken)


def test_garbage_inside_the_list_stops_with_the_notice_number():
    items = _read('[{"id": 1}, {"id": 2}, nonsense, {"id": 4}]')
    assert [n["id"] for n in items[:-1]] == [1, 2]
    assert items[-1].number == 3 and "JSON" in items[-1].message


def test_notices_spanning_read_chunks_are_reassembled(monkeypatch):
    import trygg.imports.feed as feed

    monkeypatch.setattr(feed, "CHUNK", 7)
    notices = [{"id": i, "name": "Skadegörelse, Malmö " * 3} for i in range(50)]
    assert _read(json.dumps(notices, ensure_ascii=False).encode()) == notices
