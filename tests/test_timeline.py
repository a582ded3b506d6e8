"""The timeline tells: periods that fit the matches (days for a week, years for decades), gaps
in the news shown as gaps, undated matches counted, every period a readable row."""

from __future__ import annotations

import pytest

from conftest import article, client_for_records
from indexer.search.results import FacetCount
from test_pages import get, link_named, params_of, parse, result_ids
from webui.timeline import MAX_ROWS, build_timeline

MONTHS = range(1, 13)


def rows(timeline) -> list[tuple[str, int]]:
    return [(row.label, row.count) for row in timeline.rows]


def test_an_archive_of_decades_reads_by_year_with_its_gaps_and_its_undated() -> None:
    facets = [FacetCount("1987", 664), FacetCount("2018", 1), FacetCount("2020", 2)]
    timeline = build_timeline(facets, "year", undated=63)
    assert rows(timeline) == [
        ("1987", 664),
        ("1988 – 2017", 0),
        ("2018", 1),
        ("2019", 0),
        ("2020", 2),
    ]
    assert timeline.undated == 63 and timeline.unit == "year"
    busiest, _gap, smallest = timeline.rows[:3]
    assert busiest.share == 100 and 0 < smallest.share < 5  # one article still shows


def test_months_with_gaps_in_between() -> None:
    facets = [FacetCount("2024-03", 1), FacetCount("2024-06", 3), FacetCount("2026-05", 1)]
    assert rows(build_timeline(facets, "month")) == [
        ("Mar 2024", 1),
        ("Apr – May 2024", 0),
        ("Jun 2024", 3),
        ("Jul 2024 – Apr 2026", 0),
        ("May 2026", 1),
    ]


@pytest.mark.parametrize(
    ("facets", "unit", "expected_unit", "first_row"),
    [
        ([FacetCount("1987-03-02", 4), FacetCount("1987-03-04", 1)], "day", "day", "2 Mar 1987"),
        (
            [FacetCount(f"1987-03-{day:02d}", 1) for day in range(1, 32)],
            "day",
            "week",
            "23 Feb – 1 Mar 1987",
        ),
        (
            [
                FacetCount(f"{year}-{month:02d}", 1)
                for year in (1986, 1987)
                for month in range(1, 13)
            ],
            "month",
            "quarter",
            "Jan – Mar 1986",
        ),
    ],
)
def test_the_period_is_the_finest_that_keeps_the_timeline_short(
    facets, unit, expected_unit, first_row
) -> None:
    timeline = build_timeline(facets, unit)
    assert timeline.unit == expected_unit and timeline.rows[0].label == first_row
    assert len([row for row in timeline.rows if not row.gap]) <= MAX_ROWS
    assert sum(row.count for row in timeline.rows) == sum(facet.count for facet in facets)


def test_a_week_of_news_reads_by_day_and_a_row_narrows_the_search_to_its_day(tmp_path) -> None:
    records = [
        article(1, published="2024-05-06T09:00:00Z"),
        article(2, published="2024-05-06T15:00:00Z"),
        article(3, published="2024-05-09T09:00:00Z"),
        article(4, published=None),
    ]
    with client_for_records(tmp_path, records) as client:
        api = client.get("/api/search?q=harbour").json
        response = get(client, "/", q="harbour")
    assert api["facets"]["published"] == [
        {"value": "2024-05-06", "count": 2},
        {"value": "2024-05-09", "count": 1},
    ]
    text = response.get_data(as_text=True)
    assert "Undated: 1 article." in text and "7 – 8 May 2024" in text
    links = {
        link["aria-label"]: link["href"] for link in parse(response).links if "aria-label" in link
    }
    assert links["6 May 2024: 2 articles"] == "/?q=harbour&from=2024-05-06&to=2024-05-06"


def test_the_timeline_of_everything_counts_what_has_no_date(tmp_path) -> None:
    records = [article(n) for n in range(1, 4)] + [article(9, published=None)]
    with client_for_records(tmp_path, records) as client:
        text = get(client, "/").get_data(as_text=True)
    assert "Undated: 1 article." in text


def test_no_dated_match_no_timeline() -> None:
    assert build_timeline([], "month", undated=3) is None


# Dates in one style, as readers write them, and quick ranges ------------------------------------


def test_the_date_fields_show_and_take_dates_as_the_chips_write_them(client) -> None:
    response = get(client, "/", q="election", **{"from": "Jun 2024", "to": "30 June 2024"})
    page = parse(response)
    fields = {i["name"]: i["value"] for i in page.inputs if i.get("name") in ("from", "to")}
    assert fields == {"from": "1 Jun 2024", "to": "30 Jun 2024"}
    assert link_named(page, "Remove filter: 1 Jun 2024 – 30 Jun 2024")
    assert len(result_ids(response)) == 3
    assert client.get("/api/search?q=election&from=2024&to=2024").json["total"] == 4


def test_an_unreadable_date_is_explained_in_words(client) -> None:
    text = get(client, "/", status=400, q="oil", to="someday").get_data(as_text=True)
    assert "The To date “someday” is not a date we can read" in text
    assert "write it like 14 Mar 2025" in text and "must be a date as" not in text


def test_quick_ranges_count_back_from_the_newest_article(client) -> None:
    page = parse(get(client, "/", q="flu"))
    week = link_named(page, "Past week")
    assert params_of(week["href"]) == {"q": ["flu"], "from": ["2026-10-13"], "to": ["2026-10-19"]}
    year = link_named(page, "Past year")
    assert params_of(year["href"])["from"] == ["2025-10-20"]
    chosen = parse(get(client, year["href"]))
    assert link_named(chosen, "Past year").get("aria-current") == "true"
    text = get(client, "/", q="flu").get_data(as_text=True)
    assert "Counted back from the newest article, 19 Oct 2026." in text


def test_quick_ranges_count_back_from_the_newest_article_the_query_does_not_find(
    tmp_path,
) -> None:
    """The newest article of the index, not the newest (nor the best) match of the query."""
    records = [
        article(1, title="Flu season begins", published="2024-02-11T10:00:00Z"),
        article(2, title="Flu clinics open", published="2024-03-12T10:00:00Z"),
        article(3, published="2024-09-15T10:00:00Z"),  # the newest: about the harbour
        article(4, title="Flu undated", published=None),
    ]
    with client_for_records(tmp_path, records) as client:
        page = parse(get(client, "/", q="flu"))
        text = get(client, "/", q="flu", sort="oldest").get_data(as_text=True)
    week = link_named(page, "Past week")
    assert params_of(week["href"]) == {"q": ["flu"], "from": ["2024-09-09"], "to": ["2024-09-15"]}
    assert "Counted back from the newest article, 15 Sep 2024." in text


def test_an_archive_whose_newest_date_is_in_year_one_still_shows_its_page(tmp_path) -> None:
    """Quick ranges count back from the newest article; from 1 January of year 1 they would
    reach before the first day a date can have (found by the hostile-records test)."""
    records = [article(1, published="0001-01-01T00:00:00Z")]
    with client_for_records(tmp_path, records) as client:
        response = get(client, "/")
    assert response.status_code == 200 and "Past week" in response.get_data(as_text=True)
