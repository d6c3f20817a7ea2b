"""Time-ordered UUIDs (version 7)."""

from __future__ import annotations

import itertools
import types
import uuid

import pytest

from trygg.core import ids
from trygg.core.ids import uuid7, uuid7_hex_many, uuid7_int


def _check(value: uuid.UUID) -> None:
    assert value.version == 7
    assert value.variant == uuid.RFC_4122


def _clock(monkeypatch, ms: int):
    """Make the module's clock read ``ms`` milliseconds (a settable list: clock[0])."""
    clock = [ms]
    monkeypatch.setattr(ids, "time", types.SimpleNamespace(time_ns=lambda: clock[0] * 1_000_000 + 123_456))
    return clock


def test_uuid7_gives_version_7_with_the_rfc_variant():
    for _ in range(200):
        _check(uuid7())


def test_uuid7_hex_many_gives_version_7_with_the_rfc_variant_as_32_hex_digits():
    batch = uuid7_hex_many(2000)
    assert len(batch) == 2000
    for text in batch:
        assert len(text) == 32 and int(text, 16) >= 0
        _check(uuid.UUID(hex=text))


def test_every_variant_nibble_is_one_of_8_9_a_b():
    # the variant nibble is made from random bits: over many ids all four values turn up, nothing else
    nibbles = {text[16] for text in uuid7_hex_many(4000)}
    assert nibbles == set("89ab")


def test_uuids_are_unique():
    batch = uuid7_hex_many(20_000)
    assert len(set(batch)) == len(batch)
    singles = {uuid7() for _ in range(5000)}
    assert len(singles) == 5000
    assert not singles & {uuid.UUID(hex=t) for t in batch}


def test_a_uuid_starts_with_the_unix_time_in_milliseconds(monkeypatch):
    _clock(monkeypatch, 1_700_000_000_123)
    assert uuid7().int >> 80 == 1_700_000_000_123
    assert {uuid.UUID(hex=t).int >> 80 for t in uuid7_hex_many(10)} == {1_700_000_000_123}
    assert uuid7_int(ms=42) >> 80 == 42


def test_later_batches_sort_after_earlier_ones(monkeypatch):
    clock = _clock(monkeypatch, 1_700_000_000_000)
    batches = []
    for _ in range(20):
        batches.append(uuid7_hex_many(100))
        clock[0] += 1
    for earlier, later in itertools.pairwise(batches):
        assert max(earlier) < min(later)
        assert max(uuid.UUID(hex=t) for t in earlier) < min(uuid.UUID(hex=t) for t in later)
    everything = [t for batch in batches for t in batch]
    assert [t[:12] for t in sorted(everything)] == [t[:12] for t in everything]


def test_later_single_uuids_sort_after_earlier_ones(monkeypatch):
    clock = _clock(monkeypatch, 1_700_000_000_000)
    made = []
    for _ in range(50):
        made.append(uuid7())
        clock[0] += 1
    assert made == sorted(made)
    explicit = [uuid7_int(ms=m) for m in range(5)]
    assert explicit == sorted(explicit)


def test_the_hex_form_and_the_uuid_form_sort_alike(monkeypatch):
    clock = _clock(monkeypatch, 1_800_000_000_000)
    texts = []
    for _ in range(10):
        texts += uuid7_hex_many(5)
        clock[0] += 7
    assert sorted(texts) == [u.hex for u in sorted(uuid.UUID(hex=t) for t in texts)]


def test_an_empty_batch_is_empty():
    assert uuid7_hex_many(0) == []


@pytest.mark.django_db
def test_a_new_event_gets_a_version_7_uuid(collab_a, make_event):
    org = collab_a.organisations.get(kind="kommun")
    event = make_event(collab_a, org)
    event.refresh_from_db()
    _check(event.uuid)
