"""Dates as publishers write them (``indexer.ingest.dates``): what is stated is kept, nothing is
invented, and what cannot be a publication date is named."""

from __future__ import annotations

from datetime import datetime

import pytest

from indexer.ingest.dates import implausible, looks_like_date, read_date


@pytest.mark.parametrize(
    ("text", "languages", "iso"),
    [
        ("2024-05-02", [], "2024-05-02"),
        ("2024-05-02T06:45:00+01:00", [], "2024-05-02T06:45:00+01:00"),
        ("20180619T055000+0900", [], "2018-06-19T05:50:00+09:00"),
        ("Tue, 12 Mar 2024 08:30:00 +0300", [], "2024-03-12T08:30:00+03:00"),
        ("Seg, 24 Set 2018 19:42:40 -0300", ["pt-BR"], "2018-09-24T19:42:40-03:00"),
        ("martes 14 de mayo de 2019, 18:30", ["es"], "2019-05-14T18:30:00"),
        ("19.01.2020", ["de"], "2020-01-19"),
        ("2016年10月14日", ["ja"], "2016-10-14"),
        ("١٤ أكتوبر ٢٠٢٠", ["ar"], "2020-10-14"),
        ("13 ต.ค. 2559 14:05 น.", ["th"], "2016-10-13T14:05:00"),  # Buddhist era
        ("Monday 14 October", ["en"], None),  # no year: no date
        ("October 2019", ["en"], None),  # no day: no date
        ("3 hours ago", ["en"], None),  # the time of reading is no publication date
        ("last Tuesday", [], None),
        ("1234567890", [], None),
    ],
)
def test_read_date_keeps_what_is_stated(text: str, languages: list[str], iso: str | None) -> None:
    found = read_date(text, languages)
    assert (found.iso() if found else None) == iso


@pytest.mark.parametrize(
    ("published", "problem"),
    [
        ("2099-01-01T00:00:00Z", "date '2099-01-01T00:00:00Z' is in the future"),
        ("1650-05-01", "date '1650-05-01' is before 1800"),
        ("2026-12-02", ""),  # a day ahead: a zone east of UTC
        ("1800-01-01", ""),
        ("last Tuesday", ""),  # unreadable: the record's own check warns
    ],
)
def test_implausible_publication_dates(published: str, problem: str) -> None:
    assert implausible(published, now=datetime(2026, 12, 1, 20, 0)) == problem


@pytest.mark.parametrize(
    ("line", "is_date"),
    [
        ("Monday 14 October", True),
        ("05/10/2018 - Publicado por: Clarissa Borba", True),
        ("segunda-feira, 22 de janeiro de 2018 às 0:13", True),
        ("The ferry left at 10 o'clock with 12 cars.", False),
        ("Ferry fares rise", False),
    ],
)
def test_looks_like_date_tells_a_dateline(line: str, is_date: bool) -> None:
    assert looks_like_date(line) is is_date
