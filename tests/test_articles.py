"""Turning raw records into articles: what is kept, derived, dropped, and what is warned about."""

from __future__ import annotations

from datetime import datetime

import pytest

from indexer.ingest.articles import article_from_raw, derive_teaser, parse_published


def parse(raw):
    warnings: list[str] = []
    return article_from_raw(raw, warnings.append), warnings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05", datetime(2024, 3, 5)),
        ("2024-03-05T10:15:00", datetime(2024, 3, 5, 10, 15)),
        ("2024-03-05T10:15:00Z", datetime(2024, 3, 5, 10, 15)),
        ("2024-03-05T12:15:00+02:00", datetime(2024, 3, 5, 10, 15)),
        ("2024-03-05 10:15:00.250-05:00", datetime(2024, 3, 5, 15, 15, 0, 250000)),
        ("Tue, 05 Mar 2024 10:15:00 GMT", datetime(2024, 3, 5, 10, 15)),
        ("Tue, 05 Mar 2024 11:15:00 +0100", datetime(2024, 3, 5, 10, 15)),
        ("5 Mar 2024 10:15 -0000", datetime(2024, 3, 5, 10, 15)),
    ],
)
def test_published_dates_are_stored_as_utc(text: str, expected: datetime) -> None:
    assert parse_published(text) == expected


@pytest.mark.parametrize("text", ["yesterday", "2024-13-45", "05/03/2024", "March 2024"])
def test_unparseable_dates_are_dropped_with_a_warning(text: str) -> None:
    found, warnings = parse({"title": "T", "published": text})
    assert found is not None and found.published is None
    assert len(warnings) == 1 and "published" in warnings[0]


def test_only_title_is_required() -> None:
    found, warnings = parse({"title": "  Only   a title "})
    assert found.title == "Only a title"
    assert found.id.startswith("h-") and warnings == []


@pytest.mark.parametrize("raw", [{}, {"title": ""}, {"title": "   "}, {"body": "text"}])
def test_a_record_without_title_is_skipped(raw) -> None:
    found, warnings = parse(raw)
    assert found is None and "title" in warnings[0]


def test_ids_are_derived_stably_from_url_else_title_and_date() -> None:
    by_url = parse({"title": "A", "url": "https://example.org/a"})[0]
    assert by_url.id == parse({"title": "B", "url": "https://example.org/a"})[0].id
    by_title = parse({"title": "A", "published": "2024-01-01"})[0]
    assert by_title.id == parse({"title": "A", "published": "2024-01-01"})[0].id
    assert by_title.id != parse({"title": "A", "published": "2024-01-02"})[0].id
    assert by_url.id != by_title.id


def test_numeric_ids_become_strings() -> None:
    assert parse({"title": "A", "id": 42})[0].id == "42"


@pytest.mark.parametrize("field", ["author", "tags"])
def test_author_and_tags_may_be_a_string_or_a_list(field: str) -> None:
    assert getattr(
        parse({"title": "A", field: "One"})[0], f"{field}s" if field == "author" else field
    ) == ("One",)
    many = parse({"title": "A", field: ["One", "Two", "One"]})[0]
    assert getattr(many, "authors" if field == "author" else "tags") == ("One", "Two")


def test_html_bodies_become_text_with_paragraphs() -> None:
    body = "<p>First <em>para</em>graph &amp; more.</p><script>evil()</script><p>Second<br>line</p>"
    found = parse({"title": "A", "body": body, "teaser": "<b>Bold</b> teaser"})[0]
    assert found.body == "First paragraph & more.\n\nSecond\n\nline"
    assert found.teaser == "Bold teaser"


def test_plain_text_that_mentions_a_tag_is_kept_as_text() -> None:
    body = "Attackers typed <script>alert('x')</script> into the form."
    assert parse({"title": "A", "body": body})[0].body == body


def test_a_missing_teaser_is_derived_from_the_body_for_display() -> None:
    body = "First paragraph. " * 30 + "\n\nSecond paragraph."
    found = parse({"title": "A", "body": body})[0]
    assert found.teaser == ""
    assert found.display_teaser.endswith("…") and len(found.display_teaser) <= 241
    assert derive_teaser("Short.\n\nMore.") == "Short."


def test_language_is_kept_and_unknown_fields_ignored() -> None:
    found, warnings = parse({"title": "A", "language": "pt-BR", "wordcount": 5, "extra": {}})
    assert found.language == "pt-BR" and warnings == []


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"title": "A", "section": ["x"]}, "section"),
        ({"title": "A", "body": 5}, "body"),
        ({"title": "A", "author": {"name": "x"}}, "author"),
        ({"title": "A", "tags": [1, 2]}, "tags"),
        ({"title": "A", "published": 1700000000}, "published"),
        ({"title": "A", "language": "not a language"}, "language"),
        ({"title": "A", "url": ["x"]}, "url"),
    ],
)
def test_a_field_of_the_wrong_type_is_dropped_with_a_warning(raw, field: str) -> None:
    found, warnings = parse(raw)
    assert found is not None and found.title == "A"
    assert len(warnings) == 1 and field in warnings[0]


def test_wrong_type_of_title_skips_the_record() -> None:
    found, warnings = parse({"title": 12})
    assert found is None and warnings == [
        "field 'title' must be a string, got a number; record skipped"
    ]


def test_control_characters_are_removed() -> None:
    assert parse({"title": "Bad\x00 title\x07"})[0].title == "Bad title"
