"""Police files with mixed encodings: a notice saved as Windows-1252 among UTF-8 ones is read as
Windows-1252; bytes in no known encoding cost only their own notice; the reader streams."""

from __future__ import annotations

import io
import json
import tracemalloc

import pytest
from django.urls import reverse

from trygg.events.models import Event
from trygg.imports import feed
from trygg.imports.feed import BadNotice, FeedStats, iter_notices
from trygg.imports.polisen import import_polisen_file

from .conftest import notice
from .generated_file import GeneratedFile


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def mixed_file(*parts: bytes) -> bytes:
    return b"[" + b",\n".join(parts) + b"]"


def utf8(n: dict) -> bytes:
    return json.dumps(n, ensure_ascii=False).encode("utf-8")


def cp1252(n: dict) -> bytes:
    return json.dumps(n, ensure_ascii=False).encode("cp1252")


def test_a_windows_1252_notice_among_utf8_ones_is_read_as_windows_1252():
    data = mixed_file(utf8({"id": 1, "s": "Skadegörelse"}), cp1252({"id": 2, "s": "Rån på torget, Åby"}),
                      utf8({"id": 3, "s": "Brand i bil, Älvsjö"}))
    stats = FeedStats()
    notices = list(iter_notices(io.BytesIO(data), stats))
    assert [n["s"] for n in notices] == ["Skadegörelse", "Rån på torget, Åby", "Brand i bil, Älvsjö"]
    assert [(number, notice_id) for number, notice_id, _byte in stats.recoded] == [(2, 2)]
    offset = stats.recoded[0][2]
    assert data[offset:offset + 1] == "å".encode("cp1252")  # the byte offset is the file's


def test_bytes_in_no_known_encoding_reject_only_their_notice_naming_it():
    bad = b'{"id": 7, "s": "trasig \x81\x8d text"}'
    data = mixed_file(utf8({"id": 6}), bad, utf8({"id": 8, "s": "Öster"}))
    out = list(iter_notices(io.BytesIO(data)))
    assert out[0] == {"id": 6} and out[2] == {"id": 8, "s": "Öster"}
    assert isinstance(out[1], BadNotice) and out[1].number == 2
    offset = data.index(b"\x81")
    assert "Notice 2 (id 7)" in out[1].message and f"bytes from {offset} on" in out[1].message


def test_a_character_cut_between_two_reads_is_not_an_encoding_error(monkeypatch):
    monkeypatch.setattr(feed, "CHUNK", 7)  # cuts "ö" and "å" in the middle, again and again
    notices = [{"id": i, "s": "öåä" * i} for i in range(1, 30)]
    stats = FeedStats()
    got = list(iter_notices(io.BytesIO("\ufeff".encode() + utf8(notices)), stats))  # type: ignore[arg-type]
    assert got == notices and stats.recoded == []


@pytest.mark.django_db
def test_good_notices_import_around_a_windows_1252_and_a_broken_one(collab_a, tmp_path, client_for, coordinator_a):
    path = tmp_path / "blandat.json"
    path.write_bytes(mixed_file(
        utf8(notice(1, summary="Klotter på skolan.")),
        cp1252(notice(2, summary="Rån vid torget, Åby.")),
        json.dumps(notice(3, summary="X")).encode().replace(b'"X"', b'"\x81\x8d"'),
        utf8(notice(4, summary="Brand i förråd."))))
    run, out = import_polisen_file(collab_a, path)
    run.refresh_from_db()
    assert (run.read, run.created, run.rejected) == (4, 3, 1)
    assert Event.objects.get(external_id="2").description == "Rån vid torget, Åby."
    rejected = run.rejected_rows.get()
    assert rejected.row == 3 and "(id 3)" in rejected.reason
    assert run.summary["recoded_notices"][0]["notice"] == 2
    html = client_for(coordinator_a).get(reverse("imports:run", args=[run.uuid])).content.decode()
    assert "Windows-1252" in html


def virtual_feed(size: int) -> GeneratedFile:
    """A police file of ``size`` bytes that exists nowhere: notices are made as they are read."""
    return GeneratedFile(size, b"[", lambda i: (b"," if i > 1 else b"") + utf8(
        notice(i, summary="Klotter på skolan " * 10)))


def test_the_police_reader_streams_a_200_mb_file_without_reading_it_all():
    stream = virtual_feed(200 * 1024 * 1024)
    tracemalloc.start()
    try:
        notices = iter_notices(stream)
        first = [next(notices) for _ in range(5000)]
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert first[-1]["id"] == 5000
    assert stream.consumed < 8 * 1024 * 1024
    assert peak < 32 * 1024 * 1024
