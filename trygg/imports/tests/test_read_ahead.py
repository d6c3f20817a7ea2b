"""read_ahead: a generator run ahead of its consumer, in a forked process or on a thread."""

from __future__ import annotations

import itertools
import multiprocessing
import threading

import pytest
from django.utils import translation

from trygg.imports.read_ahead import ProducerFailed, read_ahead

MODES = [pytest.param(True, id="process"), pytest.param(False, id="thread")]


class Boom(Exception):
    pass


def workers() -> set:
    """The read-ahead threads and processes alive now."""
    alive = {t for t in threading.enumerate() if t.name == "trygg-read-ahead"}
    return alive | {p for p in multiprocessing.active_children() if p.name == "trygg-read-ahead"}


@pytest.fixture(autouse=True)
def no_workers_left():
    before = workers()
    yield
    left = workers() - before
    assert not left, f"read-ahead workers still alive: {left}"


@pytest.mark.parametrize("process", MODES)
def test_items_arrive_in_order(process):
    assert list(read_ahead(iter(range(500)), depth=3, process=process)) == list(range(500))


@pytest.mark.parametrize("process", MODES)
def test_large_items_arrive_whole_and_in_order(process):
    chunks = ([(n, "x" * 1000, [n] * 100) for n in range(k * 50, k * 50 + 50)] for k in range(8))
    got = list(read_ahead(chunks, depth=2, process=process))
    assert [c[0][0] for c in got] == [k * 50 for k in range(8)]
    assert all(len(c) == 50 and c[-1][2] == [c[-1][0]] * 100 for c in got)


@pytest.mark.parametrize("process", MODES)
def test_an_empty_generator_ends_at_once(process):
    assert list(read_ahead(iter(()), process=process)) == []


@pytest.mark.parametrize("process", MODES)
def test_an_exception_in_the_generator_is_raised_after_the_items_before_it(process):
    def produce():
        yield from ("a", "b", "c")
        raise Boom("row 4 is broken")

    it = read_ahead(produce(), depth=1, process=process)
    got = []
    with pytest.raises(Boom, match="row 4 is broken"):
        while True:
            got.append(next(it))
    assert got == ["a", "b", "c"]
    assert list(it) == []  # and it stays finished


@pytest.mark.parametrize("process", MODES)
def test_an_exception_at_the_first_item_is_raised_in_the_consumer(process):
    def produce():
        raise ValueError("no header")
        yield  # pragma: no cover

    with pytest.raises(ValueError, match="no header"):
        next(read_ahead(produce(), process=process))


def test_an_exception_that_cannot_be_sent_back_still_ends_the_consumer():
    class Unsendable(Exception):
        def __init__(self):
            super().__init__("cannot be pickled")
            self.callback = lambda: None

    def produce():
        yield 1
        raise Unsendable

    it = read_ahead(produce(), process=True)
    assert next(it) == 1
    with pytest.raises((ProducerFailed, Unsendable)):
        next(it)
    it.close()


@pytest.mark.parametrize("process", MODES)
def test_closing_early_stops_the_producer(process):
    before = workers()
    it = read_ahead(itertools.count(), depth=2, process=process)
    assert [next(it) for _ in range(5)] == [0, 1, 2, 3, 4]
    assert workers() - before, "the producer should be running"
    it.close()
    assert not workers() - before
    with pytest.raises(StopIteration):
        next(it)
    it.close()  # closing again is harmless


@pytest.mark.parametrize("process", MODES)
def test_closing_before_reading_anything_stops_the_producer(process):
    before = workers()
    it = read_ahead(("x" * 10_000 for _ in itertools.count()), depth=1, process=process)
    it.close()
    assert not workers() - before


@pytest.mark.parametrize("process", MODES)
def test_a_finished_producer_is_no_longer_alive(process):
    before = workers()
    assert list(read_ahead(iter(range(10)), process=process)) == list(range(10))
    assert not workers() - before


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("process", MODES)
def test_the_consumers_language_is_active_in_the_producer(process, language):
    with translation.override(language):
        it = read_ahead((translation.get_language() for _ in range(3)), process=process)
        assert list(it) == [language] * 3


@pytest.mark.parametrize("process", MODES)
def test_messages_made_in_the_producer_are_translated_like_the_consumers(process):
    from django.utils.translation import gettext as _

    with translation.override("sv"):
        expected = _("The point is outside the municipality.")
        got = list(read_ahead((_("The point is outside the municipality.") for _n in range(2)), process=process))
    assert expected != "The point is outside the municipality."  # there is a Swedish text
    assert got == [expected] * 2


@pytest.mark.parametrize("process", MODES)
def test_it_is_used_like_an_iterator(process):
    it = read_ahead(iter("abc"), process=process)
    assert iter(it) is it
    assert "".join(it) == "abc"
