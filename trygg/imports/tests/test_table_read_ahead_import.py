"""A spreadsheet import in many chunks, with and without reading ahead: every event exactly once."""

from __future__ import annotations

from collections import Counter

import pytest

from trygg.events.models import Event, EventArea, EventHistory
from trygg.imports import table_import
from trygg.imports.mapping import Spec
from trygg.imports.models import ImportRun, RejectedRow
from trygg.imports.table_import import import_table, start_table_run

SPEC = {
    "columns": {"external_id": "Id", "occurred_from": "Datum", "time_from": "Tid", "category": "Typ",
                "lat": "Lat", "lon": "Lon", "description": "Beskrivning"},
    "date_format": "%Y-%m-%d", "time_format": "%H:%M",
}
HEADER = "Id;Datum;Tid;Typ;Lat;Lon;Beskrivning\n"
N = 300
CHUNK = 50
BAD = {i for i in range(1, N + 1) if i % 37 == 0}  # an impossible date: rejected
# line i → the id it carries instead of its own (and whether its content equals that row's)
SAME_CHUNK = {20: 10}  # 10 and 20 are both in the first chunk: the first row wins
ACROSS_SAME = {120: 5}  # the same row again three chunks later: unchanged
ACROSS_CHANGED = {180: 6}  # the same id with another description three chunks later: updated


def line(i: int) -> str:
    ident = SAME_CHUNK.get(i) or ACROSS_SAME.get(i) or ACROSS_CHANGED.get(i) or i
    source = ACROSS_SAME.get(i, i)  # an exact repeat copies the other row's content
    date = "2024-02-31" if i in BAD else f"2024-0{1 + source % 9}-{1 + source % 28:02d}"
    lon = 17.81 + (source % 18) * 0.01
    return f"{ident};{date};{source % 24:02d}:{source % 60:02d};{'Brand' if source % 3 else 'glaskross'};" \
           f"59.{47 + source % 10};{lon:.2f};rad {source}"


def write(tmp_path, n=N):
    path = tmp_path / "stor.csv"
    path.write_bytes((HEADER + "\n".join(line(i) for i in range(1, n + 1)) + "\n").encode("utf-8"))
    return path


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(params=[True, False], ids=["read-ahead", "no-read-ahead"])
def ahead(request, monkeypatch):
    """READ_AHEAD on or off; the list records every read_ahead the import started."""
    monkeypatch.setattr(table_import, "READ_AHEAD", request.param)
    started = []
    real = table_import.read_ahead

    def spy(*args, **kwargs):
        started.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(table_import, "read_ahead", spy)
    return request.param, started


def run_import(path, org, user=None):
    spec = Spec.from_dict(dict(SPEC))
    run = start_table_run(path, spec, organisation=org, user=user)
    assert run.progress_total == N > CHUNK
    import_table(run, path, spec, organisation=org, user=user, chunk_size=CHUNK)
    run.refresh_from_db()
    return run


def counts(run):
    return {k: getattr(run, k) for k in ("read", "created", "updated", "unchanged", "rejected")}


def test_an_import_in_many_chunks_creates_every_event_exactly_once(tmp_path, org_a, coordinator_a, ahead):
    enabled, started = ahead
    run = run_import(write(tmp_path), org_a, coordinator_a)
    assert started == ([1] if enabled else [])
    assert run.status == ImportRun.Status.DONE
    repeats = len(SAME_CHUNK) + len(ACROSS_SAME) + len(ACROSS_CHANGED)
    assert counts(run) == {"read": N, "created": N - len(BAD) - repeats, "updated": len(ACROSS_CHANGED),
                           "unchanged": len(SAME_CHUNK) + len(ACROSS_SAME), "rejected": len(BAD)}
    ids = list(Event.objects.values_list("external_id", flat=True))
    assert len(ids) == len(set(ids)) == N - len(BAD) - repeats
    prefix = f"{org_a.pk}::"
    expected = {prefix + str(i) for i in range(1, N + 1)} - {prefix + str(i) for i in BAD} \
        - {prefix + str(i) for i in (*SAME_CHUNK, *ACROSS_SAME, *ACROSS_CHANGED)}
    assert set(ids) == expected
    assert Event.objects.get(external_id=prefix + "10").description == "rad 10"  # first in its chunk wins
    assert Event.objects.get(external_id=prefix + "5").description == "rad 5"
    assert Event.objects.get(external_id=prefix + "6").description == "rad 180"  # a later chunk updates
    assert set(RejectedRow.objects.filter(run=run).values_list("row", flat=True)) == {i + 1 for i in BAD}
    assert all(n == 2 for n in Counter(EventArea.objects.values_list("event_id", flat=True)).values())
    assert EventArea.objects.values("event_id").distinct().count() == len(ids)
    assert set(Event.objects.values_list("created_by_id", flat=True)) == {coordinator_a.pk}
    assert run.checkpoint == {"row": N + 1}


def test_a_repeated_import_in_many_chunks_creates_nothing(tmp_path, org_a, ahead):
    path = write(tmp_path)
    first = run_import(path, org_a)
    before = dict(Event.objects.values_list("external_id", "description"))
    again = run_import(path, org_a)
    assert again.status == ImportRun.Status.DONE
    assert again.created == 0 and again.rejected == len(BAD)
    # Id 6 is written twice in the file with different content, so a repeat sets it back and forth;
    # every other row is unchanged.
    assert again.updated == 2
    assert again.unchanged == N - len(BAD) - 2
    assert Event.objects.count() == first.created
    assert dict(Event.objects.values_list("external_id", "description")) == before
    assert EventHistory.objects.exclude(event__external_id=f"{org_a.pk}::6").count() == 0


def test_an_interrupted_import_with_read_ahead_resumes_without_duplicates(tmp_path, org_a, ahead):
    path = write(tmp_path)
    spec = Spec.from_dict(dict(SPEC))
    run = start_table_run(path, spec, organisation=org_a)
    calls = []

    def stop_after_three_chunks(done, counts):
        calls.append(done)
        if len(calls) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_table(run, path, spec, organisation=org_a, progress=stop_after_three_chunks, chunk_size=CHUNK)
    run.refresh_from_db()
    assert run.checkpoint == {"row": 3 * CHUNK + 1}
    import_table(run, path, Spec.from_dict(dict(SPEC)), organisation=org_a, chunk_size=CHUNK)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE and run.read == N
    ids = list(Event.objects.values_list("external_id", flat=True))
    assert len(ids) == len(set(ids)) == N - len(BAD) - 3
    assert run.created == len(ids)


def test_a_dry_run_of_many_chunks_writes_nothing_and_counts_every_row(tmp_path, org_a, ahead):
    counts_ = import_table(None, write(tmp_path), Spec.from_dict(dict(SPEC)), organisation=org_a, commit=False,
                           chunk_size=CHUNK)
    assert (counts_.read, counts_.rejected) == (N, len(BAD))
    assert counts_.created == N - len(BAD)  # "would be written": repeats are only found when writing
    assert Event.objects.count() == 0
